/**
 * What every benchmark section decides with: one ES256 issuer with a key generated at run time,
 * tokens minted per subject, real REST REQUEST events (the test fixtures' shape), and an
 * authorizer wired like `zta serve` (default policies, the local revocation file store).
 */
import { createSign, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Authorizer, createAuthorizer } from '../../functions/core/authorizer.ts';
import { DEFAULT_CLAIMS, type IssuerConfig } from '../../functions/core/config/authorizer-config.ts';
import { parseJwks } from '../../functions/core/jwt/key-set.ts';
import type { TrustedIssuer } from '../../functions/core/jwt/verify-token.ts';
import { staticKeySource } from '../../functions/core/keys.ts';
import {
  createPolicyEngine,
  type LoadedPolicyEngine,
  type PolicySource,
} from '../../functions/core/policy/engine.ts';
import { indexRevocations } from '../../functions/core/revocation.ts';
import { readPolicySource } from '../../functions/runtime/policy-dir.ts';
import { writeRevocationDocument } from '../../functions/runtime/revocation-document.ts';
import { RevocationFileStore } from '../../functions/runtime/revocation-file-store.ts';
import { restRequestEvent } from '../../test/support/events.ts';
import { keyPair } from '../../test/support/keys.ts';

export const ISSUER = 'https://idp.bench.test';
export const AUDIENCE = 'zt-api';
export const KID = 'bench-es256';

export const POLICIES_DIR = resolve(import.meta.dirname, '../../policies');
export const defaultPolicySource = (): PolicySource => readPolicySource(POLICIES_DIR);

export interface BenchKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly jwk: Record<string, unknown>;
}

export function benchKey(): BenchKey {
  const { privateKey, publicKey } = keyPair({ type: 'ec', namedCurve: 'P-256' });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: KID, alg: 'ES256', use: 'sig' };
  return { privateKey, publicKey, jwk };
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * An ES256 token for `subject`: admin with MFA by default, so the default policies allow
 * GET /api/sensitive. Signed with node:crypto directly: minting is setup, not measured.
 */
export function mintToken(
  key: BenchKey,
  subject: string,
  nowSeconds: number,
  extra: Record<string, unknown> = { role: 'admin', amr: ['mfa'] },
): string {
  const header = b64url({ alg: 'ES256', typ: 'JWT', kid: KID });
  const payload = b64url({
    iss: ISSUER,
    aud: AUDIENCE,
    sub: subject,
    iat: nowSeconds,
    exp: nowSeconds + 900,
    jti: `${subject}-jti`,
    ...extra,
  });
  const signer = createSign('SHA256');
  signer.update(`${header}.${payload}`);
  const signature = signer.sign({ key: key.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
  return `${header}.${payload}.${signature}`;
}

export const issuerConfig: IssuerConfig = {
  issuer: ISSUER,
  audiences: [AUDIENCE],
  clientIds: [],
  requiredClaims: [],
  algorithms: ['ES256'],
  jwks: { kind: 'file', path: '(bench)' },
  typ: undefined,
  clockToleranceSeconds: 30,
  maxLifetimeSeconds: 86_400,
  claims: DEFAULT_CLAIMS,
};

export function trustedIssuer(key: BenchKey): TrustedIssuer {
  return { config: issuerConfig, keys: staticKeySource(parseJwks({ keys: [key.jwk] }).keySet) };
}

/** A REST REQUEST event: the fields the benchmark touches, typed. */
export type BenchEvent = Record<string, unknown> & {
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
  httpMethod: string;
  resource: string;
  path: string;
};

/** A REST REQUEST event as API Gateway sends it (the fixture), for `token` on `method path`. */
export function restEvent(token: string, method = 'GET', path = '/api/sensitive'): BenchEvent {
  return restRequestEvent(`Bearer ${token}`, { method, resource: path }) as BenchEvent;
}

/**
 * `event` carrying `token` instead, in both header maps as API Gateway sends it: the benchmarks
 * reuse one event per route rather than allocating one per token.
 */
export function withBearer<E extends BenchEvent>(event: E, token: string): E {
  const header = `Bearer ${token}`;
  event.headers.Authorization = header;
  event.multiValueHeaders.Authorization = [header];
  return event;
}

export interface BenchAuthorizer {
  readonly authorize: Authorizer;
  readonly policy: LoadedPolicyEngine;
  /** Removes the revocation file's directory. */
  close(): void;
}

/**
 * The authorizer as `zta serve` wires it: the local revocation file store holding a few
 * unrelated revocations (so every lookup searches a real index), caches as configured. With
 * `revocationsInMemory` the same records are served from memory, as a warm Lambda serves its
 * DynamoDB store's cached answers.
 */
export function benchAuthorizer(
  key: BenchKey,
  options: {
    policies?: PolicySource;
    decisionCacheSize?: number;
    verifiedTokenCacheSize?: number;
    /** The same records from an in-memory index instead of the file store. @default false */
    revocationsInMemory?: boolean;
  } = {},
): BenchAuthorizer {
  const dir = mkdtempSync(join(tmpdir(), 'zta-bench-'));
  const revokedAt = Math.floor(Date.now() / 1000);
  const records = Array.from({ length: 16 }, (_, i) => ({
    kind: 'jti' as const,
    issuer: ISSUER,
    jti: `revoked-${i}`,
    revokedAt,
  }));
  const path = join(dir, 'revocations.json');
  writeRevocationDocument(path, { version: 1, revocations: records, audit: [] });
  const file = new RevocationFileStore(path);
  const revocations = options.revocationsInMemory ? indexRevocations(records) : file;
  const policy = createPolicyEngine(options.policies ?? defaultPolicySource(), {
    decisionCacheSize: options.decisionCacheSize,
  });
  const authorize = createAuthorizer({
    issuers: [trustedIssuer(key)],
    policy,
    revocations,
    maxTokenBytes: 8192,
    verifiedTokenCacheSize: options.verifiedTokenCacheSize,
  });
  return { authorize, policy, close: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Decides `event` and serializes the decision record to nowhere, as a logger would. */
export async function decideToNullSink(authorize: Authorizer, event: unknown): Promise<string> {
  const outcome = await authorize(event, Date.now());
  JSON.stringify(outcome.record);
  return outcome.decision.effect;
}

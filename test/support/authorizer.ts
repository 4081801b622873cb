/**
 * An authorizer factory for tests: issuers go through the real config parser (so defaults such
 * as the 30 s clock tolerance and the 24 h lifetime are the product's), keys and revocations are
 * injected, the policy set is the repository's real Cedar set, and time is always passed in.
 */
import { fileURLToPath } from 'node:url';
import { type Authorizer, createAuthorizer, type DecisionOutcome } from '../../functions/core/authorizer.ts';
import { parseAuthorizerConfig } from '../../functions/core/config/authorizer-config.ts';
import { parseJwks } from '../../functions/core/jwt/key-set.ts';
import type { TrustedIssuer } from '../../functions/core/jwt/verify-token.ts';
import { type KeySource, staticKeySource } from '../../functions/core/keys.ts';
import { createPolicyEngine } from '../../functions/core/policy/engine.ts';
import type { PolicyEngine } from '../../functions/core/policy/types.ts';
import type { RevocationStore } from '../../functions/core/revocation.ts';
import { readPolicySource } from '../../functions/runtime/policy-dir.ts';

/** 2026-01-01T00:00:00Z in epoch seconds: the "now" of every test unless a case says otherwise. */
export const NOW = 1_767_225_600;

export const POLICY_DIR = fileURLToPath(new URL('../../policies/', import.meta.url));

let engine: PolicyEngine | undefined;
/** The repository's default Cedar policy set, loaded once per test file. */
export function defaultPolicy(): PolicyEngine {
  engine ??= createPolicyEngine(readPolicySource(POLICY_DIR));
  return engine;
}

/** A key source over a JWKS document, parsed by the product's own JWKS parser. */
export function keySourceOf(jwks: unknown): KeySource {
  return staticKeySource(parseJwks(jwks).keySet);
}

export interface TestIssuer {
  readonly issuer: string;
  readonly audience: string | readonly string[];
  readonly algorithms: readonly string[];
  readonly keys: KeySource;
  /** Further `issuers[]` config keys (`typ`, `maxLifetimeSeconds`, `claims`, …). */
  readonly config?: Record<string, unknown>;
}

export interface TestAuthorizerOptions {
  readonly issuers: readonly TestIssuer[];
  /** @default the repository's policies */
  readonly policy?: PolicyEngine;
  /** @default null (no revocation checks) */
  readonly revocations?: RevocationStore | null;
  /** @default the config default (8,192) */
  readonly maxTokenBytes?: number;
}

export interface TestAuthorizer {
  readonly authorize: Authorizer;
  /** Decides `event` at `now` (epoch seconds). */
  decide(event: unknown, now?: number): Promise<DecisionOutcome>;
}

export function testAuthorizer(options: TestAuthorizerOptions): TestAuthorizer {
  const config = parseAuthorizerConfig(
    {
      issuers: options.issuers.map((i) => ({
        issuer: i.issuer,
        audience: i.audience,
        algorithms: i.algorithms,
        // Never read: keys are injected below.
        jwksFile: './injected-by-test.json',
        ...i.config,
      })),
      revocations: null,
      ...(options.maxTokenBytes === undefined ? {} : { maxTokenBytes: options.maxTokenBytes }),
    },
    { baseDir: '/nonexistent', defaultPoliciesDir: POLICY_DIR },
  );
  const issuers: TrustedIssuer[] = config.issuers.map((c, index) => ({
    config: c,
    keys: (options.issuers[index] as TestIssuer).keys,
  }));
  const authorize = createAuthorizer({
    issuers,
    policy: options.policy ?? defaultPolicy(),
    revocations: options.revocations ?? null,
    maxTokenBytes: config.maxTokenBytes,
  });
  return { authorize, decide: (event, now = NOW) => authorize(event, now * 1000) };
}

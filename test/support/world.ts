/**
 * The security suite's world: a trusted issuer with a realistic JWKS (two ES256 keys mid-rotation,
 * RS256, PS256, EdDSA, an ES384 key the allowlist does not use, a 1024-bit RSA key that must be
 * skipped), a second trusted issuer, an untrusted one and an attacker, all generated at test time.
 */
import type { DecisionOutcome } from '../../functions/core/authorizer.ts';
import type { Decision } from '../../functions/core/decision.ts';
import { parseJwks } from '../../functions/core/jwt/key-set.ts';
import type { KeySource } from '../../functions/core/keys.ts';
import type { PolicyEngine } from '../../functions/core/policy/types.ts';
import type { RevocationStore } from '../../functions/core/revocation.ts';
import { keySourceOf, NOW, type TestAuthorizer, testAuthorizer } from './authorizer.ts';
import { restRequestEvent } from './events.ts';
import { forge, type Signer } from './forge.ts';
import { generateKey, jwksOf, type TestKey } from './keys.ts';

export const ISSUER = 'https://idp.example.test';
export const OTHER_ISSUER = 'https://other.example.test';
export const UNTRUSTED_ISSUER = 'https://evil.example.test';
export const AUDIENCE = 'zt-api';
export const ALGORITHMS = ['ES256', 'RS256', 'PS256', 'EdDSA'];

export { NOW };

export type Claims = Record<string, unknown>;
export type Header = Record<string, unknown>;

/** Claims of a valid token: the route `GET /api/profile` allows it. */
export const baseClaims = (): Claims => ({
  iss: ISSUER,
  sub: 'user-1',
  aud: AUDIENCE,
  iat: NOW - 60,
  exp: NOW + 600,
  jti: 'jti-1',
});

/** An MFA'd admin: the route `GET /api/sensitive` allows it. */
export const adminClaims = (): Claims => ({ ...baseClaims(), role: 'admin', amr: ['pwd', 'mfa'] });

/** `{ ...base, ...overrides }`, where an override of `undefined` removes the member. */
export function merge<T extends Record<string, unknown>>(
  base: T,
  overrides: Record<string, unknown> = {},
): T {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) delete out[k];
    else out[k] = v;
  }
  return out as T;
}

export function createWorld() {
  const keys = {
    es1: generateKey('ES256', 'es-1'),
    es2: generateKey('ES256', 'es-2'),
    rs1: generateKey('RS256', 'rs-1'),
    ps1: generateKey('PS256', 'ps-1'),
    ed1: generateKey('EdDSA', 'ed-1'),
    es384: generateKey('ES384', 'es384-1'),
    weakRsa: generateKey('RS256', 'rs-weak', { rsaBits: 1024 }),
    other: generateKey('ES256', 'es-other'),
    untrusted: generateKey('ES256', 'es-evil'),
    /** The attacker's own key, published under the kid of a real one. */
    attacker: generateKey('ES256', 'es-1'),
  };
  const jwks = jwksOf(keys.es1, keys.es2, keys.rs1, keys.ps1, keys.ed1, keys.es384, keys.weakRsa);
  const issuerKeys = keySourceOf(jwks);
  const otherKeys = keySourceOf(jwksOf(keys.other));

  /** A token signed by `key` (default es-1) with `header`/`claims` overrides over a valid token. */
  function token(options: { claims?: Claims; header?: Header; key?: TestKey; signer?: Signer } = {}): string {
    const key = options.key ?? keys.es1;
    const header = merge({ alg: key.alg, typ: 'JWT', kid: key.kid } as Header, options.header);
    const claims = merge(baseClaims(), options.claims);
    const signer = options.signer ?? { alg: key.alg, key: key.privateKey };
    return forge({ header, claims, signer });
  }

  function authorizer(
    overrides: {
      revocations?: RevocationStore | null;
      policy?: PolicyEngine;
      issuerKeys?: KeySource;
      /** More `issuers[0]` config keys (`typ`, `maxLifetimeSeconds`, `clockToleranceSeconds`, …). */
      issuerConfig?: Record<string, unknown>;
      maxTokenBytes?: number;
    } = {},
  ): TestAuthorizer {
    return testAuthorizer({
      issuers: [
        {
          issuer: ISSUER,
          audience: AUDIENCE,
          algorithms: ALGORITHMS,
          keys: overrides.issuerKeys ?? issuerKeys,
          ...(overrides.issuerConfig ? { config: overrides.issuerConfig } : {}),
        },
        { issuer: OTHER_ISSUER, audience: [AUDIENCE, 'other-api'], algorithms: ['ES256'], keys: otherKeys },
      ],
      ...(overrides.policy ? { policy: overrides.policy } : {}),
      ...(overrides.revocations === undefined ? {} : { revocations: overrides.revocations }),
      ...(overrides.maxTokenBytes === undefined ? {} : { maxTokenBytes: overrides.maxTokenBytes }),
    });
  }

  return { keys, jwks, jwksProblems: parseJwks(jwks).problems, token, authorizer, default: authorizer() };
}

export type World = ReturnType<typeof createWorld>;

/** A REST REQUEST event for `GET <route>` carrying `Bearer <token>`. */
export const bearerEvent = (token: string, route = '/api/profile') =>
  restRequestEvent(`Bearer ${token}`, { resource: route });

/** The part of a decision a test asserts on. */
export function verdict(outcome: DecisionOutcome): {
  effect: Decision['effect'];
  status: number;
  reason: string;
} {
  const { effect, status, reason } = outcome.decision;
  return { effect, status, reason };
}

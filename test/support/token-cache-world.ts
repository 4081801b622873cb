/**
 * The world of the verified-token cache tests: keys, a KeySource, a revocation store and a clock
 * that a test can change, authorizers over it with and without the cache, and the part of a
 * decision that must not differ between the two.
 */
import { expect } from 'vitest';
import {
  type Authorizer,
  type AuthorizerDeps,
  createAuthorizer,
  type DecisionOutcome,
} from '../../functions/core/authorizer.ts';
import { type IssuerConfig, parseAuthorizerConfig } from '../../functions/core/config/authorizer-config.ts';
import { type KeySet, parseJwks, type VerificationKey } from '../../functions/core/jwt/key-set.ts';
import type { KeySource } from '../../functions/core/keys.ts';
import type { DenyReason } from '../../functions/core/reasons.ts';
import type { RevocationFacts, RevocationStore } from '../../functions/core/revocation.ts';
import { defaultPolicy, POLICY_DIR } from './authorizer.ts';
import { forge } from './forge.ts';
import { generateKey, type TestKey } from './keys.ts';
import { AUDIENCE, baseClaims, bearerEvent, type Claims, ISSUER, merge, NOW } from './world.ts';

export const KEYS = {
  es1: generateKey('ES256', 'es-1'),
  es2: generateKey('ES256', 'es-2'),
  rs1: generateKey('RS256', 'rs-1'),
  ed1: generateKey('EdDSA', 'ed-1'),
  /** Another key published under es-1's kid. */
  impostor: generateKey('ES256', 'es-1'),
};
const toVerificationKey = (k: TestKey) => parseJwks({ keys: [k.jwk] }).keySet.keys[0] as VerificationKey;
const SERVABLE = {
  es1: toVerificationKey(KEYS.es1),
  /** es-1 parsed again: the same key material in a different KeyObject (a JWKS reload). */
  es1Reparsed: toVerificationKey(KEYS.es1),
  es2: toVerificationKey(KEYS.es2),
  rs1: toVerificationKey(KEYS.rs1),
  ed1: toVerificationKey(KEYS.ed1),
  impostor: toVerificationKey(KEYS.impostor),
};
export type KeyName = keyof typeof SERVABLE;
const PUBLISHED: readonly KeyName[] = ['es1', 'es2', 'rs1', 'ed1'];
export const TOLERANCE = 30; // the config default, applied to exp, nbf and iat

export interface World {
  clockMs: number;
  readonly served: Set<KeyName>;
  /** Whether `refresh()` answers with every published key (else it reloads nothing). */
  refreshServesAll: boolean;
  keysDown: boolean;
  readonly revokedJtis: Set<string>;
  readonly revokedSubjects: Map<string, number>;
  revocationsDown: boolean;
  /** Whether the key source and the store answer through promises. */
  async: boolean;
  readonly keySource: KeySource;
  readonly revocations: RevocationStore;
}

export function mutableWorld(): World {
  const keySet = (names: Iterable<KeyName>): KeySet => ({ keys: [...names].map((n) => SERVABLE[n]) });
  const world: World = {
    clockMs: NOW * 1000,
    served: new Set(PUBLISHED),
    refreshServesAll: false,
    keysDown: false,
    revokedJtis: new Set(),
    revokedSubjects: new Map(),
    revocationsDown: false,
    async: false,
    keySource: {
      current: () => {
        if (world.keysDown) throw new Error('JWKS endpoint unreachable');
        // A new set object on every call, as a reloading source gives.
        const set = keySet(world.served);
        return world.async ? Promise.resolve(set) : set;
      },
      refresh: async () => (world.refreshServesAll ? keySet(PUBLISHED) : undefined),
    },
    revocations: {
      lookup: ({ issuer, subject, jti }) => {
        if (world.revocationsDown) throw new Error('revocation table throttled');
        const facts: RevocationFacts = {
          jtiRevoked: jti !== undefined && world.revokedJtis.has(jti),
          subjectRevokedAt: issuer === ISSUER ? world.revokedSubjects.get(subject) : undefined,
        };
        return world.async ? Promise.resolve(facts) : facts;
      },
    },
  };
  return world;
}

export type CacheOption = Pick<AuthorizerDeps, 'verifiedTokenCacheSize'>;

function issuerConfig(overrides: Record<string, unknown>): IssuerConfig {
  const config = parseAuthorizerConfig(
    {
      issuers: [
        {
          issuer: ISSUER,
          audience: AUDIENCE,
          algorithms: ['ES256', 'RS256', 'EdDSA'],
          jwksFile: './injected-by-test.json',
          ...overrides,
        },
      ],
      revocations: null,
    },
    { baseDir: '/nonexistent', defaultPoliciesDir: POLICY_DIR },
  );
  return config.issuers[0] as IssuerConfig;
}

/** An authorizer over `world`; `cache` `{}` means the default cache size. */
export function authorizerFor(
  world: World,
  cache: CacheOption,
  issuer: Record<string, unknown> = {},
): Authorizer {
  const deps: AuthorizerDeps = {
    issuers: [{ config: issuerConfig(issuer), keys: world.keySource }],
    policy: defaultPolicy(),
    revocations: world.revocations,
    maxTokenBytes: 8192,
    ...cache,
  };
  return createAuthorizer(deps);
}

/** What must not differ between a cached and an uncached decision. */
export function summary({ decision, record }: DecisionOutcome) {
  const { claimsVerified, issuer, subject, jti, kid, alg, policies, mfa, roles } = record;
  const { effect, status, reason } = decision;
  return { effect, status, reason, claimsVerified, issuer, subject, jti, kid, alg, policies, mfa, roles };
}
type Summary = ReturnType<typeof summary>;
export type Verdict = Pick<Summary, 'effect' | 'status' | 'reason'>;
export const verdict = ({ effect, status, reason }: Summary): Verdict => ({ effect, status, reason });
export const ALLOWED: Verdict = { effect: 'allow', status: 200, reason: 'allowed' };
export const denied = (status: 401 | 403, reason: DenyReason): Verdict => ({
  effect: 'deny',
  status,
  reason,
});

/** A world with a default-size cached authorizer whose every decision is checked against an uncached one. */
export function fixture(issuer: Record<string, unknown> = {}) {
  const world = mutableWorld();
  const cached = authorizerFor(world, {}, issuer);
  const uncached = authorizerFor(world, { verifiedTokenCacheSize: 0 }, issuer);
  async function decideEvent(event: unknown): Promise<Summary> {
    const withCache = summary(await cached(event, world.clockMs));
    expect(withCache).toEqual(summary(await uncached(event, world.clockMs)));
    return withCache;
  }
  const decide = (token: string, route = '/api/profile') => decideEvent(bearerEvent(token, route));
  return { world, decide, decideEvent };
}

/** A token signed by `key` over `baseClaims()` (sub user-1, jti jti-1, iat NOW - 60, exp NOW + 600). */
export function sign(key: TestKey, claims: Claims = {}, header: Record<string, unknown> = {}): string {
  return forge({
    header: merge({ alg: key.alg, typ: 'JWT', kid: key.kid }, header),
    claims: merge(baseClaims(), claims),
    signer: { alg: key.alg, key: key.privateKey },
  });
}

/** Epoch seconds (and milliseconds) as a clock reading in milliseconds. */
export const at = (seconds: number, ms = 0) => seconds * 1000 + ms;

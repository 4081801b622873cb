/**
 * The verified-token cache (`verifiedTokenCacheSize`) may skip the signature check of a token it
 * has seen verify, and nothing else. Each case decides a token once (ALLOW, so it is cached),
 * changes the world — clock, keys, revocations, route — and decides the same string again; every
 * decision is also made by an authorizer built from the same deps with `verifiedTokenCacheSize: 0`
 * and the two must agree (effect, status, reason and the record's token facts). The tables name
 * the attacks; the differential property at the end, random interleavings of decisions and world
 * changes, is the main guarantee.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
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
import { defaultPolicy, POLICY_DIR } from '../support/authorizer.ts';
import { restRequestEvent } from '../support/events.ts';
import {
  b64u,
  forge,
  fromB64u,
  malleateEs256,
  segments,
  setUnusedBit,
  signBytes,
  withSegment,
} from '../support/forge.ts';
import { generateKey, type TestKey } from '../support/keys.ts';
import { AUDIENCE, baseClaims, bearerEvent, type Claims, ISSUER, merge, NOW } from '../support/world.ts';

// --- The world: keys, a KeySource, a revocation store and a clock that a test can change ---------

const KEYS = {
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
type KeyName = keyof typeof SERVABLE;
const PUBLISHED: readonly KeyName[] = ['es1', 'es2', 'rs1', 'ed1'];
const TOLERANCE = 30; // the config default, applied to exp, nbf and iat

interface World {
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

function mutableWorld(): World {
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

type CacheOption = Pick<AuthorizerDeps, 'verifiedTokenCacheSize'>;

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
function authorizerFor(world: World, cache: CacheOption, issuer: Record<string, unknown> = {}): Authorizer {
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
function summary({ decision, record }: DecisionOutcome) {
  const { claimsVerified, issuer, subject, jti, kid, alg, policies, mfa, roles } = record;
  const { effect, status, reason } = decision;
  return { effect, status, reason, claimsVerified, issuer, subject, jti, kid, alg, policies, mfa, roles };
}
type Summary = ReturnType<typeof summary>;
type Verdict = Pick<Summary, 'effect' | 'status' | 'reason'>;
const verdict = ({ effect, status, reason }: Summary): Verdict => ({ effect, status, reason });
const ALLOWED: Verdict = { effect: 'allow', status: 200, reason: 'allowed' };
const denied = (status: 401 | 403, reason: DenyReason): Verdict => ({ effect: 'deny', status, reason });

/** A world with a default-size cached authorizer whose every decision is checked against an uncached one. */
function fixture(issuer: Record<string, unknown> = {}) {
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

function sign(key: TestKey, claims: Claims = {}, header: Record<string, unknown> = {}): string {
  return forge({
    header: merge({ alg: key.alg, typ: 'JWT', kid: key.kid }, header),
    claims: merge(baseClaims(), claims),
    signer: { alg: key.alg, key: key.privateKey },
  });
}

// baseClaims(): sub user-1, jti jti-1, iat NOW - 60, exp NOW + 600.
const IAT = NOW - 60;
const EXP = NOW + 600;
const VALID = sign(KEYS.es1);
const [H, P, S] = segments(VALID);
/** The same token with its ECDSA signature (r, s) re-encoded as (r, n − s). */
const TWIN = malleateEs256(VALID);
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const at = (seconds: number, ms = 0) => seconds * 1000 + ms;
const reencode = (segment: string, rewrite: (value: Record<string, unknown>) => string) =>
  b64u(rewrite(JSON.parse(fromB64u(segment).toString('utf8')) as Record<string, unknown>));
const reversedKeys = (value: Record<string, unknown>) =>
  JSON.stringify(Object.fromEntries(Object.entries(value).reverse()));

// --- 1–4: the world changes after the token was cached --------------------------------------------

interface AfterCachingCase {
  readonly name: string;
  /** @default VALID */
  readonly token?: string;
  readonly change: (world: World) => void;
  /** The token of the second decision. @default the same string */
  readonly again?: string;
  /** @default '/api/profile' */
  readonly route?: string;
  readonly expect: Verdict;
}

// biome-ignore format: one row per line reads as a table
const AFTER_CACHING: AfterCachingCase[] = [
  { name: 'nothing changes', change: () => {}, expect: ALLOWED },
  { name: 'clock at exp + tolerance + 999 ms (inclusive bound)', change: (w) => { w.clockMs = at(EXP + TOLERANCE, 999); }, expect: ALLOWED },
  { name: 'clock one second past exp + tolerance', change: (w) => { w.clockMs = at(EXP + TOLERANCE + 1); }, expect: denied(401, 'token_expired') },
  { name: 'clock a day past exp', change: (w) => { w.clockMs = at(EXP + 86_400); }, expect: denied(401, 'token_expired') },
  { name: 'clock steps back before iat - tolerance', change: (w) => { w.clockMs = at(IAT - TOLERANCE - 1); }, expect: denied(401, 'token_not_yet_valid') },
  { name: 'clock steps back before nbf - tolerance', token: sign(KEYS.es1, { nbf: NOW - 10 }), change: (w) => { w.clockMs = at(NOW - 10 - TOLERANCE - 1); }, expect: denied(401, 'token_not_yet_valid') },
  { name: 'verifying key removed by rotation', change: (w) => { w.served.delete('es1'); }, expect: denied(401, 'unknown_key') },
  { name: 'verifying key removed, the twin (r, n - s) presented', change: (w) => { w.served.delete('es1'); }, again: TWIN, expect: denied(401, 'unknown_key') },
  { name: 'verifying key removed from current() but returned by refresh()', change: (w) => { w.served.delete('es1'); w.refreshServesAll = true; }, expect: ALLOWED },
  { name: 'KeySource.current() starts throwing', change: (w) => { w.keysDown = true; }, expect: denied(401, 'keys_unavailable') },
  { name: 'same kid, different key', change: (w) => { w.served.delete('es1'); w.served.add('impostor'); }, expect: denied(401, 'invalid_signature') },
  { name: 'same kid served twice (ambiguous)', change: (w) => { w.served.add('impostor'); }, expect: denied(401, 'unknown_key') },
  { name: 'same key material re-parsed into a new KeyObject', change: (w) => { w.served.delete('es1'); w.served.add('es1Reparsed'); }, expect: ALLOWED },
  { name: 'every other key rotated away', change: (w) => { for (const k of ['es2', 'rs1', 'ed1'] as const) w.served.delete(k); }, expect: ALLOWED },
  { name: 'jti revoked', change: (w) => { w.revokedJtis.add('jti-1'); }, expect: denied(401, 'token_revoked') },
  { name: 'jti revoked, the twin (r, n - s) presented', change: (w) => { w.revokedJtis.add('jti-1'); }, again: TWIN, expect: denied(401, 'token_revoked') },
  { name: 'subject revoked at iat', change: (w) => { w.revokedSubjects.set('user-1', IAT); }, expect: denied(401, 'token_revoked') },
  { name: 'subject revoked now', change: (w) => { w.revokedSubjects.set('user-1', NOW); }, expect: denied(401, 'token_revoked') },
  { name: 'subject revoked one second before iat', change: (w) => { w.revokedSubjects.set('user-1', IAT - 1); }, expect: ALLOWED },
  { name: 'another jti and subject revoked', change: (w) => { w.revokedJtis.add('jti-2'); w.revokedSubjects.set('user-2', NOW); }, expect: ALLOWED },
  { name: 'revocation store starts throwing', change: (w) => { w.revocationsDown = true; }, expect: denied(401, 'revocation_unavailable') },
  { name: 'a route only MFA admins may use', change: () => {}, route: '/api/sensitive', expect: denied(403, 'role_required') },
  { name: 'a route no policy permits', change: () => {}, route: '/api/other', expect: denied(403, 'policy_denied') },
];

describe('after a token is cached, the world changes', () => {
  it.each(AFTER_CACHING)('$name', async (c) => {
    // Prepare
    const f = fixture();
    const first = await f.decide(c.token ?? VALID);
    expect(verdict(first)).toEqual(ALLOWED);
    c.change(f.world);
    // Act
    const second = await f.decide(c.again ?? c.token ?? VALID, c.route);
    // Assess
    expect(verdict(second)).toEqual(c.expect);
    if (c.expect.effect === 'allow') {
      // The facts of a hit are the facts of the verification that filled the cache.
      expect(second).toEqual(first);
      expect(second).toMatchObject({ claimsVerified: true, issuer: ISSUER, kid: 'es-1', alg: 'ES256' });
      expect(second.subject).toBe('user-1');
    }
  });

  it('the twin premise: (r, n - s) is another string whose s is n minus the original s', () => {
    const s = BigInt(`0x${fromB64u(S).subarray(32).toString('hex')}`);
    const twinS = BigInt(`0x${fromB64u(segments(TWIN)[2]).subarray(32).toString('hex')}`);
    expect(TWIN).not.toBe(VALID);
    expect(twinS).toBe(P256_N - s);
  });
});

// --- 1, 6: a failure is never cached, neither as a failure nor as a success -----------------------

interface FailFirstCase {
  readonly name: string;
  readonly token: string;
  readonly before?: (world: World) => void;
  readonly first: Verdict;
  readonly fix: (world: World) => void;
  /** @default '/api/profile' for both decisions */
  readonly routes?: readonly [string, string];
}

// biome-ignore format: one row per line reads as a table
const FAIL_FIRST: FailFirstCase[] = [
  { name: 'nbf in the future, then reached', token: sign(KEYS.es1, { nbf: NOW + 120 }), first: denied(401, 'token_not_yet_valid'), fix: (w) => { w.clockMs = at(NOW + 120 - TOLERANCE); } },
  { name: 'iat in the future, then reached', token: sign(KEYS.es1, { iat: NOW + 100, exp: NOW + 700 }), first: denied(401, 'token_not_yet_valid'), fix: (w) => { w.clockMs = at(NOW + 100); } },
  { name: 'key not published yet, then published', token: sign(KEYS.es2), before: (w) => { w.served.delete('es2'); }, first: denied(401, 'unknown_key'), fix: (w) => { w.served.add('es2'); } },
  { name: 'KeySource down, then back', token: VALID, before: (w) => { w.keysDown = true; }, first: denied(401, 'keys_unavailable'), fix: (w) => { w.keysDown = false; } },
  { name: 'revocation store down, then back', token: VALID, before: (w) => { w.revocationsDown = true; }, first: denied(401, 'revocation_unavailable'), fix: (w) => { w.revocationsDown = false; } },
  { name: 'jti revoked, then the record removed', token: VALID, before: (w) => { w.revokedJtis.add('jti-1'); }, first: denied(401, 'token_revoked'), fix: (w) => { w.revokedJtis.clear(); } },
  { name: 'policy denies one route, permits another', token: VALID, first: denied(403, 'role_required'), fix: () => {}, routes: ['/api/sensitive', '/api/profile'] },
];

describe('a token that failed first is decided afresh', () => {
  it.each(FAIL_FIRST)('$name', async (c) => {
    // Prepare
    const f = fixture();
    c.before?.(f.world);
    const [firstRoute, secondRoute] = c.routes ?? ['/api/profile', '/api/profile'];
    expect(verdict(await f.decide(c.token, firstRoute))).toEqual(c.first);
    c.fix(f.world);
    // Act
    const second = await f.decide(c.token, secondRoute);
    // Assess
    expect(verdict(second)).toEqual(ALLOWED);
  });
});

const impostorSignature = b64u(signBytes('ES256', KEYS.impostor.privateKey, Buffer.from(`${H}.${P}`)));
const flipped = fromB64u(S);
flipped[10] = (flipped[10] as number) ^ 1;

// biome-ignore format: one row per line reads as a table
const FORGED: { name: string; token: string; expect: Verdict }[] = [
  { name: 'cached header.payload, impostor signature', token: withSegment(VALID, 2, impostorSignature), expect: denied(401, 'invalid_signature') },
  { name: 'cached header.payload, signature of another valid token', token: withSegment(VALID, 2, segments(sign(KEYS.es1, { jti: 'jti-2' }))[2]), expect: denied(401, 'invalid_signature') },
  { name: 'cached header.payload, one signature bit flipped', token: withSegment(VALID, 2, b64u(flipped)), expect: denied(401, 'invalid_signature') },
  { name: 'cached header.payload, signature one byte short', token: withSegment(VALID, 2, b64u(fromB64u(S).subarray(1))), expect: denied(401, 'invalid_signature') },
  { name: 'cached header.payload, empty signature', token: `${H}.${P}.`, expect: denied(401, 'malformed_token') },
  { name: 'sub changed, cached signature kept', token: withSegment(VALID, 1, b64u(JSON.stringify({ ...baseClaims(), sub: 'admin' }))), expect: denied(401, 'invalid_signature') },
  { name: 'kid changed to es-2, cached signature kept', token: withSegment(VALID, 0, b64u(JSON.stringify({ alg: 'ES256', typ: 'JWT', kid: 'es-2' }))), expect: denied(401, 'invalid_signature') },
  { name: 'signed by the impostor key under kid es-1', token: sign(KEYS.impostor), expect: denied(401, 'invalid_signature') },
];

describe('a failed verification never becomes a success', () => {
  it.each(FORGED)('$name', async (c) => {
    // Prepare
    const f = fixture();
    expect(verdict(await f.decide(VALID))).toEqual(ALLOWED);
    // Act
    const answers = [await f.decide(c.token), await f.decide(VALID), await f.decide(c.token)];
    // Assess
    expect(answers.map(verdict)).toEqual([c.expect, ALLOWED, c.expect]);
  });
});

// --- 5: other spellings of a cached token, and of its Authorization header ------------------------

// biome-ignore format: one row per line reads as a table
const SPELLINGS: { name: string; authorization: string; expect: Verdict }[] = [
  { name: 'signature with == appended', authorization: `Bearer ${VALID}==`, expect: denied(401, 'malformed_token') },
  { name: 'signature last character changed in unused bits', authorization: `Bearer ${withSegment(VALID, 2, setUnusedBit(S) as string)}`, expect: denied(401, 'malformed_token') },
  { name: 'space inside the signature', authorization: `Bearer ${H}.${P}.${S.slice(0, 20)} ${S.slice(20)}`, expect: denied(401, 'malformed_authorization') },
  { name: 'newline inside the signature', authorization: `Bearer ${H}.${P}.${S.slice(0, 20)}\n${S.slice(20)}`, expect: denied(401, 'malformed_authorization') },
  { name: 'trailing dot', authorization: `Bearer ${VALID}.`, expect: denied(401, 'malformed_token') },
  { name: 'header re-encoded with whitespace', authorization: `Bearer ${withSegment(VALID, 0, reencode(H, (v) => JSON.stringify(v, null, 1)))}`, expect: denied(401, 'invalid_signature') },
  { name: 'header re-encoded, members reordered', authorization: `Bearer ${withSegment(VALID, 0, reencode(H, reversedKeys))}`, expect: denied(401, 'invalid_signature') },
  { name: 'payload re-encoded with whitespace', authorization: `Bearer ${withSegment(VALID, 1, reencode(P, (v) => JSON.stringify(v, null, 2)))}`, expect: denied(401, 'invalid_signature') },
  { name: 'payload re-encoded, members reordered', authorization: `Bearer ${withSegment(VALID, 1, reencode(P, reversedKeys))}`, expect: denied(401, 'invalid_signature') },
  // A second valid signature of the same claims (FACTS): allowed, and revoked with its jti (above).
  { name: 'ECDSA s replaced by n - s', authorization: `Bearer ${TWIN}`, expect: ALLOWED },
  { name: 'token sent twice, comma-joined', authorization: `Bearer ${VALID},Bearer ${VALID}`, expect: denied(401, 'malformed_authorization') },
  { name: 'two tokens after Bearer', authorization: `Bearer ${VALID} ${VALID}`, expect: denied(401, 'malformed_authorization') },
  { name: 'tab after Bearer', authorization: `Bearer\t${VALID}`, expect: denied(401, 'malformed_authorization') },
  { name: 'no space after Bearer', authorization: `Bearer${VALID}`, expect: denied(401, 'malformed_authorization') },
  { name: 'Basic scheme', authorization: `Basic ${VALID}`, expect: denied(401, 'malformed_authorization') },
  // The bearer parser's own equivalences: the same token string, so the same answer.
  { name: 'bearer in lower case', authorization: `bearer ${VALID}`, expect: ALLOWED },
  { name: 'BEARER in upper case', authorization: `BEARER ${VALID}`, expect: ALLOWED },
  { name: 'two spaces after Bearer', authorization: `Bearer  ${VALID}`, expect: ALLOWED },
  { name: 'spaces around the value', authorization: `  Bearer ${VALID}  `, expect: ALLOWED },
];

describe('other spellings of a cached token decide as they would uncached', () => {
  it.each(SPELLINGS)('$name', async (c) => {
    // Prepare
    const f = fixture();
    const first = await f.decide(VALID);
    expect(verdict(first)).toEqual(ALLOWED);
    const event = () => restRequestEvent(c.authorization, { resource: '/api/profile' });
    // Act
    const answers = [await f.decideEvent(event()), await f.decideEvent(event())];
    // Assess
    expect(answers.map(verdict)).toEqual([c.expect, c.expect]);
    if (c.expect.effect === 'allow') expect(answers).toEqual([first, first]);
  });
});

// --- The cache belongs to one authorizer ----------------------------------------------------------

// biome-ignore format: one row per line reads as a table
const OTHER_CONFIG: { name: string; issuer: Record<string, unknown>; expect: Verdict }[] = [
  { name: 'another audience', issuer: { audience: 'other-api' }, expect: denied(401, 'audience_mismatch') },
  { name: 'a shorter maximum lifetime', issuer: { maxLifetimeSeconds: 300 }, expect: denied(401, 'lifetime_exceeded') },
  { name: 'another algorithm allowlist', issuer: { algorithms: ['RS256'] }, expect: denied(401, 'algorithm_not_allowed') },
  { name: 'a required typ', issuer: { typ: 'at+jwt' }, expect: denied(401, 'unsupported_token_header') },
];

describe('an authorizer does not inherit what another one verified', () => {
  it.each(OTHER_CONFIG)('$name', async (c) => {
    // Prepare
    const lenient = fixture();
    expect(verdict(await lenient.decide(VALID))).toEqual(ALLOWED);
    const strict = fixture(c.issuer);
    // Act
    const answer = await strict.decide(VALID);
    // Assess
    expect(verdict(answer)).toEqual(c.expect);
  });
});

// --- 7: bounded, and the differential property ----------------------------------------------------

describe('a bounded cache', () => {
  it('of 8 entries, after 100 tokens, still re-checks the key of the oldest and the newest', async () => {
    // Prepare
    const world = mutableWorld();
    const bounded = authorizerFor(world, { verifiedTokenCacheSize: 8 });
    const tokens = Array.from({ length: 100 }, (_, i) => sign(KEYS.es1, { jti: `bulk-${i}` }));
    const decide = async (i: number) =>
      verdict(summary(await bounded(bearerEvent(tokens[i] as string), world.clockMs)));
    for (let i = 0; i < tokens.length; i++) expect(await decide(i)).toEqual(ALLOWED);
    expect([await decide(0), await decide(99)]).toEqual([ALLOWED, ALLOWED]);
    // Act
    world.served.delete('es1');
    const answers = [await decide(0), await decide(92), await decide(99)];
    // Assess
    const unknownKey = denied(401, 'unknown_key');
    expect(answers).toEqual([unknownKey, unknownKey, unknownKey]);
  });
});

/** The tokens of the property: several keys, subjects, lifetimes, one without jti, and two fakes. */
const T0 = sign(KEYS.es1, { jti: 'j0', exp: NOW + 300 });
// biome-ignore format: one token per line
const PROPERTY_TOKENS: readonly string[] = [
  T0,
  sign(KEYS.es1, { jti: 'j1', iat: NOW - 30 }),
  sign(KEYS.es2, { sub: 'user-2', jti: 'j2', exp: NOW + 900 }),
  sign(KEYS.rs1, { sub: 'user-3', jti: 'j3', exp: NOW + 450 }),
  sign(KEYS.ed1, { sub: 'user-2', jti: undefined, iat: NOW }),
  sign(KEYS.es1, { sub: 'user-4', jti: 'j5', role: 'admin', amr: ['pwd', 'mfa'] }),
  sign(KEYS.es1, { jti: 'j6', nbf: NOW + 120, exp: NOW + 900 }),
  malleateEs256(T0),
  withSegment(T0, 2, b64u(signBytes('ES256', KEYS.impostor.privateKey, Buffer.from(segments(T0).slice(0, 2).join('.'))))),
];
type Lifetime = { readonly iat: number; readonly exp: number; readonly nbf?: number };
/** Instants around every token's exp, iat and nbf bounds, to the millisecond. */
const BOUNDARIES: readonly number[] = PROPERTY_TOKENS.flatMap((token) => {
  const { iat, exp, nbf } = JSON.parse(fromB64u(segments(token)[1]).toString('utf8')) as Lifetime;
  const edges = [
    at(exp + TOLERANCE, 999),
    at(exp + TOLERANCE + 1),
    at(iat - TOLERANCE),
    at(iat - TOLERANCE - 1, 999),
  ];
  return nbf === undefined ? edges : [...edges, at(nbf - TOLERANCE), at(nbf - TOLERANCE - 1, 999)];
});

type Step =
  | { kind: 'decide'; token: number; route: string }
  | { kind: 'advance'; ms: number }
  | { kind: 'clockTo'; ms: number }
  | { kind: 'removeKey' | 'addKey'; key: KeyName }
  | { kind: 'replaceKey'; from: KeyName; to: KeyName }
  | { kind: 'keysDown' | 'refreshServesAll' | 'revocationsDown' | 'async'; on: boolean }
  | { kind: 'revokeJti'; jti: string }
  | { kind: 'revokeSubject'; subject: string; revokedAt: number | 'now' }
  | { kind: 'clearRevocations' };

const keyName = fc.constantFrom<KeyName>('es1', 'es1Reparsed', 'es2', 'rs1', 'ed1', 'impostor');
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('decide' as const),
      // Mostly a few tokens, so a run revisits them after the world changed.
      token: fc.oneof({ weight: 3, arbitrary: fc.nat(2) }, fc.nat(PROPERTY_TOKENS.length - 1)),
      route: fc.constantFrom('/api/profile', '/api/profile', '/api/sensitive'),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('advance' as const),
      ms: fc.integer({ min: -90_000, max: 240_000 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('clockTo' as const), ms: fc.constantFrom(...BOUNDARIES) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constantFrom('removeKey' as const, 'addKey' as const), key: keyName }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('replaceKey' as const), from: keyName, to: keyName }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constantFrom(
        'keysDown' as const,
        'refreshServesAll' as const,
        'revocationsDown' as const,
        'async' as const,
      ),
      on: fc.boolean(),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('revokeJti' as const),
      jti: fc.constantFrom('j0', 'j1', 'j2', 'j3', 'j5', 'j6'),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('revokeSubject' as const),
      subject: fc.constantFrom('user-1', 'user-2', 'user-3', 'user-4'),
      revokedAt: fc.constantFrom<number | 'now'>(NOW - 61, NOW - 60, NOW - 31, NOW - 30, NOW, 'now'),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'clearRevocations' as const }) },
);

function apply(world: World, s: Exclude<Step, { kind: 'decide' }>): void {
  switch (s.kind) {
    case 'advance':
      world.clockMs += s.ms;
      return;
    case 'clockTo':
      world.clockMs = s.ms;
      return;
    case 'removeKey':
      world.served.delete(s.key);
      return;
    case 'addKey':
      world.served.add(s.key);
      return;
    case 'replaceKey':
      world.served.delete(s.from);
      world.served.add(s.to);
      return;
    case 'keysDown':
    case 'refreshServesAll':
    case 'revocationsDown':
    case 'async':
      world[s.kind] = s.on;
      return;
    case 'revokeJti':
      world.revokedJtis.add(s.jti);
      return;
    case 'revokeSubject':
      world.revokedSubjects.set(
        s.subject,
        s.revokedAt === 'now' ? Math.floor(world.clockMs / 1000) : s.revokedAt,
      );
      return;
    case 'clearRevocations':
      world.revokedJtis.clear();
      world.revokedSubjects.clear();
      return;
  }
}

describe('differential property', () => {
  it('for random interleavings of decisions and world changes, cached decisions equal uncached ones', async () => {
    // Prepare
    const seen = { revisits: 0, outcomesOnRevisit: new Map<string, number>() };
    // The default size, and a tiny one that evicts between revisits of the three hot tokens.
    const caches: CacheOption[] = [{}, { verifiedTokenCacheSize: 2 }];
    // Act + Assess
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 12, maxLength: 30 }), async (steps) => {
        const world = mutableWorld();
        const reference = authorizerFor(world, { verifiedTokenCacheSize: 0 });
        const cached = caches.map((cache) => authorizerFor(world, cache));
        const allowedOnce = new Set<number>();
        for (const s of steps) {
          if (s.kind !== 'decide') {
            apply(world, s);
            continue;
          }
          const event = bearerEvent(PROPERTY_TOKENS[s.token] as string, s.route);
          const expected = summary(await reference(event, world.clockMs));
          for (const authorize of cached)
            expect(summary(await authorize(event, world.clockMs))).toEqual(expected);
          if (allowedOnce.has(s.token)) {
            seen.revisits++;
            const key = `${expected.status} ${expected.reason}`;
            seen.outcomesOnRevisit.set(key, (seen.outcomesOnRevisit.get(key) ?? 0) + 1);
          }
          if (expected.effect === 'allow') allowedOnce.add(s.token);
        }
      }),
      { seed: 20_261_110, numRuns: 300 },
    );
    // The property is only as strong as the changes it saw after a token was allowed (cached).
    expect(seen.revisits).toBeGreaterThan(500);
    expect([...seen.outcomesOnRevisit.keys()]).toEqual(
      expect.arrayContaining([
        '200 allowed',
        '401 token_expired',
        '401 token_not_yet_valid',
        '401 unknown_key',
        '401 invalid_signature',
        '401 keys_unavailable',
        '401 token_revoked',
        '401 revocation_unavailable',
        '403 role_required',
      ]),
    );
  });
});

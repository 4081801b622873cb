/**
 * The verified-token cache (`verifiedTokenCacheSize`) may skip the signature check of a token it
 * has seen verify, and nothing else. Each case decides a token once (ALLOW, so it is cached),
 * changes the world — clock, keys, revocations, route — and decides the same string again; every
 * decision is also made by an authorizer built from the same deps with `verifiedTokenCacheSize: 0`
 * and the two must agree (effect, status, reason and the record's token facts). The tables name
 * the attacks; the differential property in `verified-token-cache.property.test.ts`, random
 * interleavings of decisions and world changes, is the main guarantee.
 */
import { describe, expect, it } from 'vitest';
import { restRequestEvent } from '../support/events.ts';
import {
  b64u,
  fromB64u,
  malleateEs256,
  segments,
  setUnusedBit,
  signBytes,
  withSegment,
} from '../support/forge.ts';
import {
  ALLOWED,
  at,
  authorizerFor,
  denied,
  fixture,
  KEYS,
  mutableWorld,
  sign,
  summary,
  TOLERANCE,
  type Verdict,
  verdict,
  type World,
} from '../support/token-cache-world.ts';
import { baseClaims, bearerEvent, ISSUER, NOW } from '../support/world.ts';

// baseClaims(): sub user-1, jti jti-1, iat NOW - 60, exp NOW + 600.
const IAT = NOW - 60;
const EXP = NOW + 600;
const VALID = sign(KEYS.es1);
const [H, P, S] = segments(VALID);
/** The same token with its ECDSA signature (r, s) re-encoded as (r, n − s). */
const TWIN = malleateEs256(VALID);
const P256_N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
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
  { name: 'subject revoked 30 s before iat (within the clock tolerance)', change: (w) => { w.revokedSubjects.set('user-1', IAT - 30); }, expect: denied(401, 'token_revoked') },
  { name: 'subject revoked 31 s before iat (beyond the clock tolerance)', change: (w) => { w.revokedSubjects.set('user-1', IAT - 31); }, expect: ALLOWED },
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

// --- 7: bounded -----------------------------------------------------------------------------------

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

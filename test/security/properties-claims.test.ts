/**
 * Random header maps and claim sets, each signed by the real key, against the contract oracle:
 * the authorizer ALLOWS exactly when the contract does. The generators mix valid values with
 * lookalikes, wrong types, duplicates and prototype-named members, so both sides get exercised.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forge } from '../support/forge.ts';
import {
  AUDIENCE,
  baseClaims,
  bearerEvent,
  createWorld,
  ISSUER,
  NOW,
  OTHER_ISSUER,
} from '../support/world.ts';
import { claimsAllowed, headerAllowed, type Members, objectText } from './contract-oracle.ts';

const PARAMS = { seed: 20_261_102, numRuns: 300 } as const;
const w = createWorld();
const es1 = { alg: 'ES256', key: w.keys.es1.privateKey };

/** The valid value three times in four, otherwise one of `others`. */
const mostly = <T>(valid: T, ...others: fc.Arbitrary<unknown>[]) =>
  fc.oneof(
    { arbitrary: fc.constant(valid), weight: 3 * others.length },
    ...others.map((arbitrary) => ({ arbitrary, weight: 1 })),
  );
const json = fc.jsonValue({ maxDepth: 2 });
const absent = fc.constant(undefined);
const time = (valid: number) =>
  mostly(
    valid,
    fc.integer({ min: NOW - 90_000, max: NOW + 90_000 }),
    fc.double(),
    fc.string({ maxLength: 12 }),
    absent,
    json,
  );

/** Extra members: duplicates of registered names, MFA/role claims, prototype names, noise. */
const extras = fc.array(
  fc.tuple(
    fc.constantFrom(
      'sub',
      'iss',
      'aud',
      'exp',
      'role',
      'amr',
      'mfa',
      'nonce',
      '__proto__',
      'constructor',
      'prototype',
      'x',
    ),
    json,
  ),
  { maxLength: 2 },
);

const claimMembers: fc.Arbitrary<Members> = fc
  .tuple(
    mostly(ISSUER, fc.constantFrom(OTHER_ISSUER, `${ISSUER}/`, ISSUER.toUpperCase()), absent, json),
    mostly('user-1', fc.string({ maxLength: 12 }), fc.integer(), absent, json),
    mostly(
      AUDIENCE,
      fc.constantFrom([AUDIENCE], ['x', AUDIENCE], [AUDIENCE, 1], [], 'other-api', `${AUDIENCE} `),
      absent,
      json,
    ),
    time(NOW + 600),
    time(NOW - 60),
    fc.oneof({ arbitrary: absent, weight: 3 }, { arbitrary: time(NOW), weight: 1 }),
    mostly('jti-1', fc.constantFrom('', 1, null), absent),
    extras,
  )
  .map(([iss, sub, aud, exp, iat, nbf, jti, more]) => [
    ['iss', iss],
    ['sub', sub],
    ['aud', aud],
    ['exp', exp],
    ['iat', iat],
    ['nbf', nbf],
    ['jti', jti],
    ...more,
  ]);

const headerMembers: fc.Arbitrary<Members> = fc
  .tuple(
    mostly('ES256', fc.constantFrom('none', 'HS256', 'es256', 'RS256', 'EdDSA', 'ES384'), absent, json),
    mostly('es-1', fc.constantFrom('es-2', '', 'rs-1', '../es-1'), absent, fc.integer()),
    mostly(
      'JWT',
      fc.constantFrom('jwt', 'at+jwt', 'application/at+jwt', 'JWE', 'jose', 'application/json'),
      absent,
      json,
    ),
    fc.array(
      fc.tuple(
        fc.constantFrom(
          'jku',
          'x5u',
          'jwk',
          'x5c',
          'zip',
          'b64',
          'crit',
          'cty',
          'alg',
          'kid',
          '__proto__',
          'nonce',
        ),
        json,
      ),
      { maxLength: 2 },
    ),
  )
  .map(([alg, kid, typ, more]) => [['alg', alg], ['kid', kid], ['typ', typ], ...more]);

async function allowed(header: Members | Record<string, unknown>, claims: Members | Record<string, unknown>) {
  const text = (m: Members | Record<string, unknown>) => (Array.isArray(m) ? objectText(m as Members) : m);
  const token = forge({ header: text(header) as string, claims: text(claims) as string, signer: es1 });
  const outcome = await w.default.decide(bearerEvent(token));
  // Every denial here is about the credential: GET /api/profile allows any verified principal.
  expect(outcome.decision.status).toBe(outcome.decision.effect === 'allow' ? 200 : 401);
  return { allow: outcome.decision.effect === 'allow', token };
}

describe('signed random tokens against the contract', () => {
  it('random claim sets: ALLOW exactly when the contract allows', async () => {
    let allowedCount = 0;
    await fc.assert(
      fc.asyncProperty(claimMembers, async (members) => {
        const { allow, token } = await allowed({ alg: 'ES256', typ: 'JWT', kid: 'es-1' }, members);
        expect(allow).toBe(claimsAllowed(members) && token.length <= 8192);
        if (allow) allowedCount++;
      }),
      PARAMS,
    );
    // Both outcomes must really occur, or the property proves nothing.
    expect(allowedCount).toBeGreaterThan(10);
    expect(allowedCount).toBeLessThan(PARAMS.numRuns - 10);
  });

  it('random header maps: ALLOW exactly when the contract allows', async () => {
    let allowedCount = 0;
    await fc.assert(
      fc.asyncProperty(headerMembers, async (members) => {
        const { allow } = await allowed(members, baseClaims());
        expect(allow).toBe(headerAllowed(members));
        if (allow) allowedCount++;
      }),
      PARAMS,
    );
    expect(allowedCount).toBeGreaterThan(10);
    expect(allowedCount).toBeLessThan(PARAMS.numRuns - 10);
  });
});

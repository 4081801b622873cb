/**
 * A subject revocation recorded at `revokedAt` covers every token of that subject with
 * `iat ≤ revokedAt + the issuer's clock tolerance`: the claims check accepts an `iat` up to the
 * tolerance in the future (a fast IdP clock), so a token stamped that far ahead — minted before
 * the revocation by the IdP's reckoning — must not escape it. A session issued more than the
 * tolerance after the revocation is a new one, and is allowed.
 */
import { describe, expect, it } from 'vitest';
import { indexRevocations } from '../../functions/core/revocation.ts';
import { bearerEvent, createWorld, ISSUER, NOW, verdict } from '../support/world.ts';

const world = createWorld();
const REVOKED_AT = NOW - 100;
const store = indexRevocations([
  { kind: 'subject', issuer: ISSUER, subject: 'user-1', revokedAt: REVOKED_AT },
]);

describe('subject revocation covers the issuer clock tolerance', () => {
  it.each([
    {
      name: 'issued long before the revocation',
      iat: REVOKED_AT - 3600,
      tolerance: undefined,
      revoked: true,
    },
    { name: 'issued at the revocation', iat: REVOKED_AT, tolerance: undefined, revoked: true },
    {
      name: 'stamped 1 s after (default tolerance 30 s)',
      iat: REVOKED_AT + 1,
      tolerance: undefined,
      revoked: true,
    },
    {
      name: 'stamped 30 s after (default tolerance 30 s)',
      iat: REVOKED_AT + 30,
      tolerance: undefined,
      revoked: true,
    },
    {
      name: 'issued 31 s after (default tolerance 30 s)',
      iat: REVOKED_AT + 31,
      tolerance: undefined,
      revoked: false,
    },
    { name: 'stamped 120 s after, tolerance 120 s', iat: REVOKED_AT + 120, tolerance: 120, revoked: true },
    { name: 'issued 121 s after, tolerance 120 s', iat: REVOKED_AT + 121, tolerance: 120, revoked: false },
    { name: 'issued 1 s after, tolerance 0', iat: REVOKED_AT + 1, tolerance: 0, revoked: false },
    { name: 'issued at the revocation, tolerance 0', iat: REVOKED_AT, tolerance: 0, revoked: true },
  ])('a token $name', async ({ iat, tolerance, revoked }) => {
    // Prepare
    const authorizer = world.authorizer({
      revocations: store,
      ...(tolerance === undefined ? {} : { issuerConfig: { clockToleranceSeconds: tolerance } }),
    });
    const token = world.token({ claims: { iat, exp: NOW + 600 } });

    // Act
    const outcome = await authorizer.decide(bearerEvent(token), NOW);

    // Assess
    expect(verdict(outcome)).toEqual(
      revoked
        ? { effect: 'deny', status: 401, reason: 'token_revoked' }
        : { effect: 'allow', status: 200, reason: 'allowed' },
    );
  });
});

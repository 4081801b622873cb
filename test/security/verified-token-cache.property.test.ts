/**
 * The main guarantee of the verified-token cache (`verifiedTokenCacheSize`): for random
 * interleavings of decisions and world changes — clock, keys, revocations, route, sync or async
 * answers — every cached authorizer decides as one built from the same deps with
 * `verifiedTokenCacheSize: 0` (effect, status, reason and the record's token facts). The named
 * attacks are in `verified-token-cache.test.ts`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { apply, PROPERTY_TOKENS, step } from '../support/token-cache-steps.ts';
import { authorizerFor, type CacheOption, mutableWorld, summary } from '../support/token-cache-world.ts';
import { bearerEvent } from '../support/world.ts';

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

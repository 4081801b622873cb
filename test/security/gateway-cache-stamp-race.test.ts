/**
 * The gateway's result cache must never keep an answer decided before the invalidation stamp
 * moved (a policy reload, a revocation, a key change), even when the decision was still in
 * flight when another request saw the new stamp and emptied the cache.
 */
import { describe, expect, it } from 'vitest';
import type { Authorizer } from '../../functions/core/authorizer.ts';
import { startGateway } from '../../functions/local/gateway.ts';
import { keySourceOf, testAuthorizer } from '../support/authorizer.ts';
import { forge } from '../support/forge.ts';
import { generateKey, jwksOf } from '../support/keys.ts';
import { AUDIENCE, ISSUER, NOW } from './gateway-harness.ts';

describe('gateway cache: an answer decided under an old stamp is not kept', () => {
  it('a decision in flight across a stamp change is answered but not cached', async () => {
    // Prepare: a real authorizer whose answer for /api/profile can be held back.
    const key = generateKey('ES256', 'race-1');
    const real = testAuthorizer({
      issuers: [
        { issuer: ISSUER, audience: AUDIENCE, algorithms: ['ES256'], keys: keySourceOf(jwksOf(key)) },
      ],
    });
    let release: () => void = () => {};
    let hold = true;
    let decided = 0;
    const authorize: Authorizer = async (event, nowMs) => {
      decided++;
      const outcome = await real.authorize(event, nowMs);
      if (hold) {
        hold = false;
        await new Promise<void>((resolve) => {
          release = resolve;
        });
      }
      return outcome;
    };
    let stamp = 'policy-A';
    const gateway = await startGateway({
      authorize,
      cacheTtlSeconds: 300,
      onRecord: () => {},
      clock: () => NOW * 1000,
      invalidationStamp: () => stamp,
    });
    const token = forge({
      header: { alg: 'ES256', typ: 'JWT', kid: key.kid },
      claims: { iss: ISSUER, aud: AUDIENCE, sub: 'user-1', iat: NOW - 60, exp: NOW + 600 },
      signer: { alg: 'ES256', key: key.privateKey },
    });
    const get = (path: string) =>
      fetch(`${gateway.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    try {
      // Act: the first decision is held; meanwhile the stamp moves and another request sees it.
      const first = get('/api/profile');
      await waitFor(() => decided === 1);
      stamp = 'policy-B';
      expect((await get('/api/other')).status).toBe(403);
      release();
      expect((await first).status).toBe(200);
      const again = await get('/api/profile');

      // Assess: the same request is decided again, not replayed from before the change.
      expect(again.status).toBe(200);
      expect(decided).toBe(3);
    } finally {
      await gateway.close();
    }
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * Stores and key sources may answer with any promise-like value, not only a native Promise (a
 * promise from another realm or library). An answer the authorizer failed to await would read as
 * "nothing revoked": every such answer must be awaited, so a revocation is never skipped.
 */
import { describe, expect, it } from 'vitest';
import type { KeySet } from '../../functions/core/jwt/key-set.ts';
import { parseJwks } from '../../functions/core/jwt/key-set.ts';
import type { KeySource } from '../../functions/core/keys.ts';
import type { RevocationFacts, RevocationStore } from '../../functions/core/revocation.ts';
import { NOW, testAuthorizer } from '../support/authorizer.ts';
import { restRequestEvent } from '../support/events.ts';
import { forge } from '../support/forge.ts';
import { generateKey, jwksOf } from '../support/keys.ts';

const ISS = 'https://idp.example.test';
const key = generateKey('ES256', 'k1');
const token = forge({
  header: { alg: 'ES256', typ: 'JWT', kid: 'k1' },
  claims: { iss: ISS, aud: 'zt-api', sub: 'alice', jti: 'j-1', iat: NOW, exp: NOW + 300, role: 'admin' },
  signer: { alg: 'ES256', key: key.privateKey },
});
const event = restRequestEvent(`Bearer ${token}`, { resource: '/api/profile' });

/** A promise-like value that is not a native Promise. */
const thenable = <T>(value: T): PromiseLike<T> => ({
  // biome-ignore lint/suspicious/noThenProperty: a thenable is exactly what this test needs.
  then: (onFulfilled, onRejected) => Promise.resolve(value).then(onFulfilled, onRejected),
});

const authorizerWith = (keys: KeySource, revocations?: RevocationStore) =>
  testAuthorizer({
    issuers: [{ issuer: ISS, audience: 'zt-api', algorithms: ['ES256'], keys }],
    revocations,
  });

describe('promise-like answers are awaited', () => {
  it.each([
    { name: 'a revoked jti', facts: { jtiRevoked: true, subjectRevokedAt: undefined } },
    { name: 'a revoked subject', facts: { jtiRevoked: false, subjectRevokedAt: NOW } },
  ])('a revocation store answering $name through a thenable denies', async ({ facts }) => {
    // Prepare
    const revocations = { lookup: () => thenable<RevocationFacts>(facts) } as unknown as RevocationStore;
    const keys = parseJwks(jwksOf(key)).keySet;
    const authorizer = authorizerWith({ current: () => keys, refresh: async () => undefined }, revocations);

    // Act
    const outcome = await authorizer.decide(event);

    // Assess
    expect(outcome.decision).toMatchObject({ effect: 'deny', status: 401, reason: 'token_revoked' });
  });

  it('a key source answering through a thenable still verifies, first time and cached', async () => {
    // Prepare
    const keys = parseJwks(jwksOf(key)).keySet;
    const authorizer = authorizerWith({
      current: () => thenable<KeySet>(keys) as unknown as Promise<KeySet>,
      refresh: async () => undefined,
    });

    // Act
    const first = await authorizer.decide(event);
    const second = await authorizer.decide(event);

    // Assess
    expect([first.decision.effect, second.decision.effect]).toEqual(['allow', 'allow']);
  });
});

import { describe, expect, it } from 'vitest';
import type { SigningKeyStore } from '../../functions/signing/types.ts';
import { createJwksEndpoint, type JwksEndpointDeps } from '../../functions/token-service/jwks-endpoint.ts';
import { StateKeyStore } from '../../functions/token-service/state-key-store.ts';
import { MemoryRotationStateStore } from '../../functions/workload-keys/state-store.ts';
import { GRACE, key, state, T0, TIMING } from '../key-rotation/helpers.ts';
import { proxyEvent } from '../support/apigw-http.ts';

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];
const logger = { info: () => undefined, warn: () => undefined };

/** A JWKS endpoint over a rotation state saved in a memory store, at `now`. */
async function endpointAt(
  now: number,
  keys = [
    key(1, 'retired', { retiredAt: T0 - GRACE - 1 }),
    key(2, 'retired', { retiredAt: T0 - 10 }),
    key(3, 'active'),
    key(4, 'next'),
    key(5, 'retired', { retiredAt: T0, compromisedAt: T0 }),
  ],
) {
  const store = new MemoryRotationStateStore();
  await store.save({ ...state(keys), version: 0 });
  const keyStore = new StateKeyStore({ store, rotationId: 'test', timing: TIMING, clock: () => now });
  return { keyStore, endpoint: createJwksEndpoint({ keys: keyStore, maxAgeSeconds: 300, logger }) };
}
const get = (method = 'GET') => proxyEvent({ method, path: '/.well-known/jwks.json' });

describe('GET /.well-known/jwks.json', () => {
  it('serves next, active and in-grace retired keys with a public max-age, nothing private', async () => {
    // Prepare
    const { endpoint, keyStore } = await endpointAt(T0);

    // Act
    const response = await endpoint(get());
    const body = JSON.parse(response.body) as { keys: Record<string, unknown>[] };

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.headers?.['cache-control']).toBe('public, max-age=300');
    expect(body.keys.map((k) => k.kid)).toEqual(['kid-4', 'kid-3', 'kid-2']);
    expect(body.keys.flatMap((k) => PRIVATE_MEMBERS.filter((m) => m in k))).toEqual([]);
    expect((await keyStore.listKeys()).map((k) => [k.kid, k.state, k.verifiesUntil])).toEqual([
      ['kid-2', 'retired', T0 - 10 + GRACE],
      ['kid-3', 'active', undefined],
      ['kid-4', 'next', undefined],
    ]);
  });

  it('drops a retired key the second its grace ends', async () => {
    const at = async (now: number) =>
      JSON.parse((await (await endpointAt(now)).endpoint(get())).body).keys.length;
    expect([await at(T0 - 10 + GRACE), await at(T0 - 10 + GRACE + 1)]).toEqual([3, 2]);
  });

  it('answers HEAD without a body', async () => {
    const response = await (await endpointAt(T0)).endpoint(get('HEAD'));
    expect([response.statusCode, response.body]).toEqual([200, '']);
  });

  it.each<[string, Partial<JwksEndpointDeps>, string, number, string]>([
    [
      'no key published yet',
      { keys: { listKeys: () => [], publicJwks: () => ({ keys: [] }) } },
      'GET',
      503,
      'jwks_unavailable',
    ],
    [
      'the state cannot be read',
      {
        keys: {
          listKeys: () => [],
          publicJwks: () => Promise.reject(new Error('throttled')),
        } as SigningKeyStore,
      },
      'GET',
      503,
      'jwks_unavailable',
    ],
    ['a POST', {}, 'POST', 405, 'method_not_allowed'],
  ])('refuses when %s, uncacheable', async (_name, deps, method, status, code) => {
    // Prepare
    const { keyStore } = await endpointAt(T0);
    const endpoint = createJwksEndpoint({ keys: keyStore, maxAgeSeconds: 300, logger, ...deps });

    // Act
    const response = await endpoint(get(method));

    // Assess
    expect(response.statusCode).toBe(status);
    expect(JSON.parse(response.body).error).toBe(code);
    expect(response.headers?.['cache-control']).toBe('no-store');
  });
});

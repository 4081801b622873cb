/**
 * The gateway's authorizer-result cache never outlives what it cached: an entry ends at the
 * earlier of `cacheTtlSeconds` and the token's `exp` + clock tolerance, a changed invalidation
 * stamp (keys, revocations, policy) drops every entry, a request with several Authorization
 * values is decided (401) without the cache being consulted, and an answer cached for one caller
 * address never answers another (policies may read `context.sourceIp`). Time is injected.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createPolicyEngine } from '../../functions/core/policy/engine.ts';
import { POLICY_DIR } from '../support/authorizer.ts';
import { type GatewayWorld, gatewayWorld, get, NOW, rawRequest } from './gateway-harness.ts';

const TOLERANCE = 30; // the issuer's default clockToleranceSeconds

let w: GatewayWorld | undefined;
afterEach(async () => {
  await w?.close();
  w = undefined;
});

/** Sends `GET path` with the given Authorization header lines; the status and cache use. */
async function ask(world: GatewayWorld, path: string, authorization: readonly string[], from?: string) {
  const head = get(path, undefined, authorization);
  const access = world.accessRecords().length;
  const response = await rawRequest(world.port, head, '', from);
  const record = world.accessRecords()[access];
  return { status: response?.status, cache: record?.authorizerCache };
}

describe('cache entry lifetime (injected clock)', () => {
  // biome-ignore format: one case per line keeps the table readable
  const cases: ReadonlyArray<{ name: string; ttl: number; exp: number; path: string; at: number; expected: [number, string] }> = [
    { name: 'within both bounds: served from cache', ttl: 300, exp: 600, path: '/api/profile', at: 299, expected: [200, 'hit'] },
    { name: 'TTL first: past the TTL, decided again', ttl: 300, exp: 3600, path: '/api/profile', at: 300, expected: [200, 'miss'] },
    { name: 'exp first: at exp + tolerance - 1 s still cached', ttl: 300, exp: 60, path: '/api/profile', at: 60 + TOLERANCE - 1, expected: [200, 'hit'] },
    { name: 'exp first: past exp + tolerance, the expired token is 401', ttl: 300, exp: 60, path: '/api/profile', at: 60 + TOLERANCE + 1, expected: [401, 'miss'] },
    { name: 'a cached 403 ends at exp + tolerance too', ttl: 300, exp: 60, path: '/api/sensitive', at: 60 + TOLERANCE + 1, expected: [401, 'miss'] },
  ];

  it.each(cases)('$name', async ({ ttl, exp, path, at, expected }) => {
    w = await gatewayWorld({ cacheTtlSeconds: ttl });
    const auth = [`Authorization: Bearer ${w.token({ iat: NOW - 10, exp: NOW + exp })}`];
    const first = await ask(w, path, auth);
    const second = await ask(w, path, auth);
    w.clock.ms = (NOW + at) * 1000;
    const later = await ask(w, path, auth);

    expect(first.cache).toBe('miss');
    expect(second).toEqual({ status: first.status, cache: 'hit' });
    expect([later.status, later.cache]).toEqual(expected);
  });
});

describe('invalidation', () => {
  it('a changed stamp (keys, revocations, policy revision) drops every cached answer', async () => {
    let stamp = 'a';
    w = await gatewayWorld({ invalidationStamp: () => stamp });
    const auth = [`Authorization: Bearer ${w.token()}`];
    await ask(w, '/api/profile', auth);
    const cached = await ask(w, '/api/profile', auth);
    stamp = 'b';
    const after = await ask(w, '/api/profile', auth);

    expect(cached.cache).toBe('hit');
    expect(after.cache).toBe('miss');
  });

  it('flushCache drops every cached answer', async () => {
    w = await gatewayWorld();
    const auth = [`Authorization: Bearer ${w.token()}`];
    await ask(w, '/api/profile', auth);
    w.gateway.flushCache();
    expect((await ask(w, '/api/profile', auth)).cache).toBe('miss');
  });
});

describe('several Authorization values: 401 before the cache is consulted', () => {
  // biome-ignore format: one case per line keeps the table readable
  const cases: ReadonlyArray<readonly [string, (good: string) => string[]]> = [
    ['the cached value, then another', (good) => [`Authorization: ${good}`, 'Authorization: Bearer other']],
    ['another, then the cached value', (good) => ['Authorization: Bearer other', `Authorization: ${good}`]],
    ['the cached value twice', (good) => [`Authorization: ${good}`, `Authorization: ${good}`]],
    ['two cases of the name', (good) => [`Authorization: ${good}`, `authorization: ${good}`]],
    ['upper-case name, then an empty value', (good) => [`AUTHORIZATION: ${good}`, 'Authorization:']],
  ];

  it.each(cases)('%s', async (_name, lines) => {
    w = await gatewayWorld();
    const good = `Bearer ${w.token()}`;
    const warmed = await ask(w, '/api/profile', [`Authorization: ${good}`]);
    const decisions = w.decisionRecords().length;
    const twice = await ask(w, '/api/profile', lines(good));

    expect(warmed.status).toBe(200);
    expect(twice).toEqual({ status: 401, cache: 'miss' });
    expect(w.decisionRecords().slice(decisions)).toMatchObject([{ reason: 'malformed_authorization' }]);
  });
});

describe('the caller address is part of the identity source', () => {
  // A network rule (policies/README.md): only callers from 127.0.0.1 may read /api/profile.
  const networkRule = () =>
    createPolicyEngine({
      schema: readFileSync(join(POLICY_DIR, 'schema.cedarschema'), 'utf8'),
      policies: {
        'net.cedar': `permit (principal, action == ZTA::Action::"GET", resource == ZTA::Route::"/api/profile")
when { context has sourceIp && context.sourceIp.isInRange(ip("127.0.0.1/32")) };`,
      },
    });

  it('an ALLOW cached for one address never answers the same token from another', async () => {
    w = await gatewayWorld({}, networkRule());
    const auth = [`Authorization: Bearer ${w.token()}`];
    const inside = await ask(w, '/api/profile', auth, '127.0.0.1');
    const outside = await ask(w, '/api/profile', auth, '127.0.0.2');
    const insideAgain = await ask(w, '/api/profile', auth, '127.0.0.1');

    expect(inside).toEqual({ status: 200, cache: 'miss' });
    expect(outside).toEqual({ status: 403, cache: 'miss' });
    expect(insideAgain).toEqual({ status: 200, cache: 'hit' });
  });
});

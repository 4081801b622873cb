/**
 * Issue 11, "key sets that never stall a request", and issue 10's bounded reads: a real HTTP
 * endpoint on 127.0.0.1 that hangs, fails or streams without end. No case measures time: a
 * request is shown not to wait by being decided while the server still holds the fetch open.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { parseAuthorizerConfig } from '../../../functions/core/config/authorizer-config.ts';
import { parseJwks } from '../../../functions/core/jwt/key-set.ts';
import { verifyToken } from '../../../functions/core/jwt/verify-token.ts';
import type { KeySource } from '../../../functions/core/keys.ts';
import { type RemoteJwksOptions, remoteKeySource } from '../../../functions/runtime/jwks-remote.ts';
import { eventually } from '../../support/eventually.ts';
import { es256Key, jwksOf, kidsOf, NOW, signEs256 } from '../helpers.ts';
import { type IdpBehaviour, startIdp, type TestIdp } from './jwks-server.ts';

const ISS = 'https://idp.example.test';
const MAX_AGE = 600;
const COOLDOWN = 30;
const MAX_STALE = 120;
const k1 = es256Key('k1');
const k2 = es256Key('k2');

let idp: TestIdp | undefined;
afterEach(async () => {
  await idp?.close();
  idp = undefined;
});

async function setup(initial: IdpBehaviour, over: Partial<RemoteJwksOptions> = {}) {
  idp = await startIdp(initial);
  const clock = { ms: NOW * 1000 };
  const source = remoteKeySource({
    uri: idp.uri,
    maxAgeSeconds: MAX_AGE,
    cooldownSeconds: COOLDOWN,
    timeoutMs: 2000,
    maxStaleSeconds: MAX_STALE,
    clock: () => clock.ms,
    ...over,
  });
  return { idp, source, clock, advance: (seconds: number) => (clock.ms += seconds * 1000) };
}

function issuers(source: KeySource) {
  const config = parseAuthorizerConfig(
    {
      issuers: [{ issuer: ISS, audience: 'zt-api', jwksUri: `${ISS}/jwks`, algorithms: ['ES256'] }],
      revocations: null,
    },
    { baseDir: '/', defaultPoliciesDir: '/' },
  );
  return new Map([[ISS, [{ config: config.issuers[0] as (typeof config.issuers)[number], keys: source }]]]);
}

const token = (key: typeof k1, now = NOW) =>
  signEs256({ iss: ISS, sub: 'alice', aud: 'zt-api', iat: now, exp: now + 300 }, key);
const outcome = (source: KeySource, key: typeof k1, now = NOW) =>
  verifyToken(token(key, now), issuers(source), 8192, now).then((r) => (r.ok ? 'ok' : r.reason));
const settle = (value: unknown) =>
  Promise.resolve(value).then(
    () => 'served',
    (error: Error) => error.message,
  );

describe('a hanging JWKS endpoint never holds up a request while usable keys are cached', () => {
  it('decides 100 concurrent requests on stale keys while the refresh is still pending', async () => {
    // Prepare
    // A fetch timeout far longer than the test, so the refresh is still open when it is asserted.
    const { idp, source, advance } = await setup(
      { kind: 'jwks', document: jwksOf(k1) },
      { prefetch: false, timeoutMs: 25_000 },
    );
    await source.current();
    idp.behave({ kind: 'hang' });
    advance(MAX_AGE + 1);

    // Act
    const decided = await Promise.all(
      Array.from({ length: 100 }, () => outcome(source, k1, NOW + MAX_AGE + 1)),
    );
    await eventually(() => idp.requests() === 2, 'the background refresh to reach the IdP');

    // Assess
    expect(new Set(decided)).toEqual(new Set(['ok']));
    expect(idp.pending()).toBe(1);
  });

  it('prefetches at construction, and a request with a snapshot is decided while that fetch hangs', async () => {
    // Prepare
    const { idp, source } = await setup(
      { kind: 'hang' },
      { snapshot: parseJwks(jwksOf(k1)).keySet, timeoutMs: 25_000 },
    );
    await eventually(() => idp.requests() === 1, 'the prefetch to reach the IdP');

    // Act
    const decided = await outcome(source, k1);

    // Assess
    expect(decided).toBe('ok');
    expect(idp.pending()).toBe(1);
  });
});

describe('a failing IdP with nothing cached', () => {
  it('records the failure when it happens, then retries after 1 s, 2 s, 4 s … up to the cooldown', async () => {
    // Prepare
    const { idp, source, advance } = await setup({ kind: 'status', status: 503 }, { prefetch: false });
    const attempts: number[] = [];

    // Act
    for (const wait of [0, 0.999, 0.001, 1.999, 0.001, 3.999, 0.001, 8, 16, 29.999, 0.001]) {
      advance(wait);
      await settle(source.current());
      attempts.push(idp.requests());
    }

    // Assess: a retry exactly when each backoff ends, never before; 8 s and 16 s, then 30 s (the cap)
    expect(attempts).toEqual([1, 1, 2, 2, 3, 3, 4, 5, 6, 6, 7]);
  });

  it('counts the backoff from the end of a slow failed fetch, not from its start', async () => {
    // Prepare: the IdP holds the answer (a JWKS with no usable key) while 10 s pass on the clock
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { idp, source, advance } = await setup(
      { kind: 'gated', document: { keys: [] }, gate },
      { prefetch: false, timeoutMs: 25_000 },
    );
    const first = settle(source.current());
    await eventually(() => idp.requests() === 1, 'the fetch to reach the IdP');
    advance(10);
    release();
    const failed = await first;

    // Act
    advance(0.999);
    await settle(source.current());
    const beforeBackoff = idp.requests();
    idp.behave({ kind: 'jwks', document: jwksOf(k1) });
    advance(0.001);
    const recovered = kidsOf(await source.current());

    // Assess
    expect(failed).toMatch(/no usable key/);
    expect(beforeBackoff).toBe(1);
    expect(recovered).toEqual(['k1']);
  });
});

describe('a jwksFile snapshot beside the URI', () => {
  it('serves the snapshot at cold start, then exactly what the IdP publishes', async () => {
    // Prepare: the snapshot has k1; the IdP has since rotated to k2 only
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { idp, source } = await setup(
      { kind: 'gated', document: jwksOf(k2), gate },
      { snapshot: parseJwks(jwksOf(k1)).keySet },
    );
    await eventually(() => idp.requests() === 1, 'the prefetch');

    // Act: k1 is decided while the fetch is held; k2 (unknown to the snapshot) joins the fetch
    const k1BeforeFetch = await outcome(source, k1);
    const stampBefore = source.stamp?.();
    const k2JoiningTheFetch = outcome(source, k2);
    release();
    const k2Outcome = await k2JoiningTheFetch;
    const k1AfterFetch = await outcome(source, k1);

    // Assess
    expect([k1BeforeFetch, k2Outcome, k1AfterFetch]).toEqual(['ok', 'ok', 'unknown_key']);
    expect([stampBefore, source.stamp?.()]).toEqual(['0', '1']);
    expect(idp.requests()).toBe(1);
  });

  it('ages like a fetched set when the IdP never answers: served for maxAge + maxStale, then fails closed', async () => {
    // Prepare
    const { source, advance } = await setup(
      { kind: 'status', status: 500 },
      { snapshot: parseJwks(jwksOf(k1)).keySet, prefetch: false },
    );

    // Act
    advance(MAX_AGE + MAX_STALE);
    const lastSecond = await outcome(source, k1, NOW + MAX_AGE + MAX_STALE);
    const stampBefore = source.stamp?.();
    advance(1);
    const beyond = await outcome(source, k1, NOW + MAX_AGE + MAX_STALE + 1);

    // Assess
    expect([lastSecond, beyond]).toEqual(['ok', 'keys_unavailable']);
    expect([stampBefore, source.stamp?.()]).toEqual(['0', '0:none']);
  });
});

describe('documents are read through a byte counter that stops at 512 KiB', () => {
  const HUGE = 300 * 1024 * 1024;
  it.each([
    { name: 'a declared Content-Length of 300 MiB', declare: true, error: /declares 314572800 bytes/ },
    { name: 'an undeclared 300 MiB body', declare: false, error: /larger than 524288 bytes/ },
  ])('refuses $name without reading it', async ({ declare, error }) => {
    // Prepare
    const { idp, source } = await setup({ kind: 'stream', totalBytes: HUGE, declare }, { prefetch: false });

    // Act
    const result = await settle(source.current());
    await eventually(() => idp.pending() === 0, 'the server to see the connection dropped');

    // Assess: what the server could push is bounded by socket buffers, nowhere near the body
    expect(result).toMatch(error);
    expect(idp.written()).toBeLessThan(64 * 1024 * 1024);
  });
});

describe('discovery', () => {
  const discover = async (document: (origin: string) => unknown) => {
    idp = await startIdp({ kind: 'jwks', document: jwksOf(k1) });
    idp.discovery(document(idp.origin));
    const discovered = remoteKeySource({
      discoveryIssuer: idp.origin,
      maxAgeSeconds: MAX_AGE,
      cooldownSeconds: COOLDOWN,
      timeoutMs: 2000,
      maxStaleSeconds: MAX_STALE,
      prefetch: false,
    });
    return settle(discovered.current());
  };

  it.each([
    {
      name: 'its own issuer and a loopback jwks_uri',
      doc: (o: string) => ({ issuer: o, jwks_uri: `${o}/jwks.json` }),
      expected: 'served',
    },
    {
      name: 'another issuer',
      doc: (o: string) => ({ issuer: `${o}/other`, jwks_uri: `${o}/jwks.json` }),
      expected: /names issuer/,
    },
    {
      name: 'the issuer with a trailing slash',
      doc: (o: string) => ({ issuer: `${o}/`, jwks_uri: `${o}/jwks.json` }),
      expected: /names issuer/,
    },
    {
      name: 'an http jwks_uri off loopback',
      doc: (o: string) => ({ issuer: o, jwks_uri: 'http://idp.example.test/jwks' }),
      expected: /must be https/,
    },
    { name: 'no jwks_uri', doc: (o: string) => ({ issuer: o }), expected: /no jwks_uri/ },
    { name: 'not an object', doc: () => ['x'], expected: /not a JSON object/ },
  ])('with a document naming $name: $expected', async ({ doc, expected }) => {
    // Act
    const result = await discover(doc);

    // Assess
    if (typeof expected === 'string') expect(result).toBe(expected);
    else expect(result).toMatch(expected);
  });
});

import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAuthorizerConfig } from '../../../functions/core/config/authorizer-config.ts';
import { verifyToken } from '../../../functions/core/jwt/verify-token.ts';
import type { KeySource } from '../../../functions/core/keys.ts';
import { remoteKeySource } from '../../../functions/runtime/jwks-remote.ts';
import { eventually } from '../../support/eventually.ts';
import { es256Key, jwksOf, kidsOf, NOW, signEs256 } from '../helpers.ts';
import { type IdpBehaviour, startIdp, type TestIdp } from './jwks-server.ts';

const ISS = 'https://idp.example.test';
const MAX_AGE = 600;
const COOLDOWN = 30;
const MAX_STALE = 120;
/** Fetch timeout for cases where the IdP never answers (others keep the 3 s default). */
const HANG_TIMEOUT_MS = 200;
const k1 = es256Key('k1');
const k2 = es256Key('k2');

let idp: TestIdp | undefined;
afterEach(async () => {
  await idp?.close();
  idp = undefined;
});

/** A started IdP, a remote key source on it, and the source's clock (epoch ms, moved by hand). */
async function setup(initial: IdpBehaviour, timeoutMs = 3000) {
  idp = await startIdp(initial);
  const clock = { ms: NOW * 1000 };
  const source = remoteKeySource({
    uri: idp.uri,
    maxAgeSeconds: MAX_AGE,
    cooldownSeconds: COOLDOWN,
    timeoutMs,
    maxStaleSeconds: MAX_STALE,
    clock: () => clock.ms,
    // These cases count fetches from the first request; prefetch has its own cases.
    prefetch: false,
  });
  return { idp, source, clock, advance: (seconds: number) => (clock.ms += seconds * 1000) };
}

/** The issuer as the authorizer sees it, its keys coming from `source`. */
function trusted(source: KeySource) {
  const config = parseAuthorizerConfig(
    {
      issuers: [
        { issuer: ISS, audience: 'zt-api', jwksUri: 'https://idp.example.test/jwks', algorithms: ['ES256'] },
      ],
      revocations: null,
    },
    { baseDir: '/', defaultPoliciesDir: '/' },
  );
  return new Map([[ISS, [{ config: config.issuers[0] as (typeof config.issuers)[number], keys: source }]]]);
}

const claims = (nowSeconds: number) => ({
  iss: ISS,
  sub: 'alice',
  aud: 'zt-api',
  iat: nowSeconds,
  exp: nowSeconds + 300,
});
/** A token naming a kid nobody published (its signature is never reached). */
const inventedKidToken = (nowSeconds: number) =>
  signEs256(claims(nowSeconds), k1, { kid: `invented-${randomUUID()}` });

describe('remoteKeySource over HTTP', () => {
  it('fetches once and serves the cache until maxAge, then refreshes it in the background', async () => {
    // Prepare
    const { idp, source, advance } = await setup({ kind: 'jwks', document: jwksOf(k1) });

    // Act
    for (let i = 0; i < 20; i++) await source.current();
    advance(MAX_AGE);
    const atMaxAge = idp.requests();
    advance(1);
    const after = await source.current();
    await eventually(() => idp.requests() === 2, 'the background refresh');

    // Assess
    expect(atMaxAge).toBe(1);
    expect(kidsOf(after)).toEqual(['k1']);
  });

  it('shares one fetch between concurrent first callers', async () => {
    // Prepare
    let release = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { idp, source } = await setup({ kind: 'gated', document: jwksOf(k1), gate });

    // Act
    const callers = Array.from({ length: 50 }, () => source.current());
    const refreshes = Array.from({ length: 50 }, () => source.refresh());
    release();
    const sets = await Promise.all(callers);
    await Promise.all(refreshes);

    // Assess
    expect(idp.requests()).toBe(1);
    expect(new Set(sets).size).toBe(1);
  });

  it('answers a flood of 1,000 unknown-kid refreshes with at most one fetch per cooldown', async () => {
    // Prepare
    const { idp, source, advance } = await setup({ kind: 'jwks', document: jwksOf(k1) });
    await source.current();
    const flood = () => Promise.all(Array.from({ length: 1000 }, () => source.refresh()));

    // Act
    await flood();
    const withinCooldown = idp.requests();
    advance(COOLDOWN);
    await flood();
    for (let i = 0; i < 1000; i++) await source.refresh();
    const afterOneCooldown = idp.requests();

    // Assess
    expect(withinCooldown).toBe(1);
    expect(afterOneCooldown).toBe(2);
  });

  it('turns 1,000 tokens with invented kids into at most one fetch per cooldown, each denied', async () => {
    // Prepare
    const { idp, source, advance } = await setup({ kind: 'jwks', document: jwksOf(k1) });
    const issuers = trusted(source);
    const decide = async () => {
      const reasons = new Set<string>();
      for (let i = 0; i < 1000; i++) {
        const result = await verifyToken(inventedKidToken(NOW), issuers, 8192, NOW);
        reasons.add(result.ok ? 'allowed' : result.reason);
      }
      return reasons;
    };

    // Act
    const first = await decide();
    advance(COOLDOWN);
    const second = await decide();

    // Assess
    expect([...first, ...second]).toEqual(['unknown_key', 'unknown_key']);
    expect(idp.requests()).toBe(2);
  });

  it('picks up a key added on the server once the cooldown has passed', async () => {
    // Prepare
    const { idp, source, advance } = await setup({ kind: 'jwks', document: jwksOf(k1) });
    const issuers = trusted(source);
    await source.current();
    idp.behave({ kind: 'jwks', document: jwksOf(k1, k2) });
    const token = signEs256(claims(NOW), k2);

    // Act
    const duringCooldown = await verifyToken(token, issuers, 8192, NOW);
    advance(COOLDOWN);
    const afterCooldown = await verifyToken(token, issuers, 8192, NOW + COOLDOWN);

    // Assess
    expect(duringCooldown).toMatchObject({ ok: false, reason: 'unknown_key' });
    expect(afterCooldown).toMatchObject({ ok: true, claims: { sub: 'alice' } });
    expect(kidsOf(await source.current())).toEqual(['k1', 'k2']);
    expect(idp.requests()).toBe(2);
  });

  it.each([
    { name: 'answers 500', behaviour: { kind: 'status', status: 500 } as const },
    { name: 'hangs', behaviour: { kind: 'hang' } as const },
  ])('serves stale keys only within maxStale when the IdP $name, then fails', async ({ behaviour }) => {
    // Prepare
    const { idp, source, advance } = await setup({ kind: 'jwks', document: jwksOf(k1) }, HANG_TIMEOUT_MS);
    await source.current();
    idp.behave(behaviour);

    // Act
    advance(MAX_AGE + 1);
    const justStale = kidsOf(await source.current());
    advance(MAX_STALE - 1);
    const lastStaleSecond = kidsOf(await source.current());
    advance(1);
    const beyond = await Promise.resolve(source.current()).then(
      () => 'served',
      (error: Error) => error.name,
    );

    // Assess
    expect([justStale, lastStaleSecond]).toEqual([['k1'], ['k1']]);
    expect(beyond).toBe(behaviour.kind === 'hang' ? 'TimeoutError' : 'Error');
  });

  it('asks a failing IdP at most once per cooldown while stale keys serve', async () => {
    // Prepare
    const { idp, source, advance } = await setup({ kind: 'jwks', document: jwksOf(k1) });
    const issuers = trusted(source);
    await source.current();
    idp.behave({ kind: 'status', status: 503 });
    advance(MAX_AGE + 1);

    // Act
    const reasons = new Set<string>();
    for (let i = 0; i < 1000; i++) {
      const result = await verifyToken(inventedKidToken(NOW), issuers, 8192, NOW);
      reasons.add(result.ok ? 'allowed' : result.reason);
    }
    const stale = kidsOf(await source.current());

    // Assess
    expect([...reasons]).toEqual(['unknown_key']);
    expect(stale).toEqual(['k1']);
    expect(idp.requests()).toBe(2);
  });

  it('asks an IdP that fails at cold start once, not once per caller, then again later', async () => {
    // Prepare
    const { idp, source, advance } = await setup({ kind: 'status', status: 500 });

    // Act
    const failures = await Promise.allSettled(Array.from({ length: 100 }, async () => source.current()));
    for (let i = 0; i < 100; i++) await Promise.resolve(source.current()).catch(() => undefined);
    const duringCooldown = idp.requests();
    idp.behave({ kind: 'jwks', document: jwksOf(k1) });
    advance(COOLDOWN);
    const recovered = kidsOf(await source.current());

    // Assess
    expect(failures.every((f) => f.status === 'rejected')).toBe(true);
    expect(duringCooldown).toBe(1);
    expect(recovered).toEqual(['k1']);
    expect(idp.requests()).toBe(2);
  });

  it.each([
    { name: 'a 500', behaviour: { kind: 'status', status: 500 }, error: /HTTP 500/ },
    { name: 'a 404', behaviour: { kind: 'status', status: 404 }, error: /HTTP 404/ },
    {
      name: 'a redirect',
      behaviour: { kind: 'redirect', location: 'http://127.0.0.1:1/jwks.json' },
      error: /fetch failed/,
    },
    { name: 'text that is not JSON', behaviour: { kind: 'text', body: '<html>' }, error: /JSON/ },
    {
      name: 'a JWKS without usable keys',
      behaviour: { kind: 'jwks', document: { keys: [] } },
      error: /no usable key/,
    },
    {
      name: 'a JWKS with a private key beside a public one',
      behaviour: { kind: 'jwks', document: { keys: [k2.publicJwk, { ...k1.publicJwk, d: 'AA' }] } },
      error: /keys\[1\]: contains private/,
    },
    {
      name: 'a JWKS with a private key',
      behaviour: { kind: 'jwks', document: { keys: [{ ...k1.publicJwk, d: 'AA' }] } },
      error: /private/,
    },
    {
      name: 'a body over 512 KiB',
      behaviour: { kind: 'text', body: `{"keys":[],"pad":"${'x'.repeat(600_000)}"}` },
      error: /larger than/,
    },
    { name: 'a body that never ends', behaviour: { kind: 'hang-body' }, error: /timeout/ },
  ] satisfies { name: string; behaviour: IdpBehaviour; error: RegExp }[])(
    'refuses $name with no keys cached',
    async ({ behaviour, error }) => {
      // Prepare
      const { source } = await setup(behaviour, behaviour.kind === 'hang-body' ? HANG_TIMEOUT_MS : 3000);

      // Act
      const result = Promise.resolve(source.current());

      // Assess
      await expect(result).rejects.toThrow(error);
    },
  );
});

import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { decodeProtectedHeader } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAuthorizerConfig } from '../../../functions/core/config/authorizer-config.ts';
import { verifyToken } from '../../../functions/core/jwt/verify-token.ts';
import { LocalKeyStore } from '../../../functions/runtime/local-key-store.ts';
import type { SigningKeyStore, TokenSigner } from '../../../functions/signing/types.ts';
import { kidsOf, NOW, tempDirs } from '../helpers.ts';

const ISS = 'https://zta.local';
const TTL = 600;
const GRACE = TTL + 30;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];
const dirs = tempDirs();
afterEach(dirs.cleanup);

/** A store in a fresh folder on a clock moved by hand, and a verifier trusting its key source. */
function setup() {
  const clock = { now: NOW };
  const keysDir = join(dirs.make(), '.zta', 'keys');
  const config = parseAuthorizerConfig(
    { localIssuer: { issuer: ISS, audience: 'zt-api', keysDir, maxTokenTtlSeconds: TTL }, revocations: null },
    { baseDir: '/', defaultPoliciesDir: '/' },
  );
  const local = config.localIssuer;
  const issuer = config.issuers[0];
  if (!local || !issuer) throw new Error('the local issuer was not configured');
  const store = new LocalKeyStore(local, () => clock.now);
  const keys = store.keySource();
  const issuers = new Map([[ISS, [{ config: issuer, keys }]]]);
  const mint = () =>
    store.sign({ iss: ISS, aud: 'zt-api', sub: 'alice', iat: clock.now, exp: clock.now + TTL });
  const verify = async (token: string) => {
    const result = await verifyToken(token, issuers, 8192, clock.now);
    return result.ok ? 'ok' : result.reason;
  };
  return { clock, keysDir, store, keys, mint, verify };
}

describe('LocalKeyStore', () => {
  it('creates the first key on demand, with private files', async () => {
    // Prepare
    const { keysDir, store } = setup();
    const before = { listed: store.list(), exists: existsSync(keysDir), active: store.activeKey() };

    // Act
    const active = await store.ensureActiveKey();
    const again = await store.ensureActiveKey();

    // Assess
    expect(before).toEqual({ listed: [], exists: false, active: undefined });
    expect(again.kid).toBe(active.kid);
    expect(store.list().map((k) => [k.kid, k.state])).toEqual([[active.kid, 'active']]);
    expect(statSync(join(keysDir, 'keys.json')).mode & 0o777).toBe(0o600);
    expect(statSync(keysDir).mode & 0o777).toBe(0o700);
    expect(
      JSON.parse(readFileSync(join(keysDir, 'jwks.json'), 'utf8')).keys.map((k: { kid: string }) => k.kid),
    ).toEqual([active.kid]);
  });

  it('never writes private members to jwks.json, through rotations and an emergency', async () => {
    // Prepare
    const { clock, keysDir, store } = setup();
    const jwksPath = join(keysDir, 'jwks.json');
    const leaks: string[] = [];
    const check = () => {
      const jwks = JSON.parse(readFileSync(jwksPath, 'utf8')) as { keys: Record<string, unknown>[] };
      for (const key of jwks.keys) leaks.push(...PRIVATE_MEMBERS.filter((m) => m in key));
      for (const key of store.publicJwks().keys) leaks.push(...PRIVATE_MEMBERS.filter((m) => m in key));
    };

    // Act
    await store.ensureActiveKey();
    check();
    clock.now += 10;
    await store.rotate({ emergency: false });
    check();
    await store.rotate({ emergency: true });
    check();

    // Assess
    expect(leaks).toEqual([]);
    expect(statSync(join(keysDir, 'keys.json')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(keysDir, 'keys.json'), 'utf8')).toContain('"d"');
  });

  it('keeps a rotated-out key verifying through its grace period, then drops it', async () => {
    // Prepare
    const { clock, store, keys, mint, verify } = setup();
    const old = await store.ensureActiveKey();
    const oldToken = await mint();

    // Act
    const { active, retired, dropped } = await store.rotate({ emergency: false });
    const newToken = await mint();
    const verdicts = [await verify(oldToken), await verify(newToken)];
    clock.now = NOW + GRACE;
    const atGraceEnd = kidsOf(await keys.current());
    clock.now = NOW + GRACE + 1;
    const afterGrace = kidsOf(await keys.current());

    // Assess
    expect(retired.map((k) => [k.kid, k.retiredAt])).toEqual([[old.kid, NOW]]);
    expect(dropped).toEqual([]);
    expect(verdicts).toEqual(['ok', 'ok']);
    expect(atGraceEnd).toEqual([old.kid, active.kid]);
    expect(afterGrace).toEqual([active.kid]);
  });

  it('drops the old key at once in an emergency rotation', async () => {
    // Prepare
    const { store, mint, verify } = setup();
    const old = await store.ensureActiveKey();
    const oldToken = await mint();
    const before = await verify(oldToken);

    // Act
    const { active, dropped } = await store.rotate({ emergency: true });
    const after = [await verify(oldToken), await verify(await mint())];

    // Assess
    expect(before).toBe('ok');
    expect(dropped).toEqual([old.kid]);
    expect(after).toEqual(['unknown_key', 'ok']);
    expect(store.list().map((k) => k.kid)).toEqual([active.kid]);
  });

  it("follows a rotation made by another process's store", async () => {
    // Prepare
    const { store, keys, mint, verify } = setup();
    const oldToken = await mint();
    await keys.current();
    const other = new LocalKeyStore(store.config, () => NOW);

    // Act
    const { active } = await other.rotate({ emergency: true });
    const verdict = await verify(oldToken);

    // Assess
    expect(verdict).toBe('unknown_key');
    expect(kidsOf(await keys.current())).toEqual([active.kid]);
  });

  it('pre-publishes a next key that verifies before it signs, and a rotation promotes it', async () => {
    // Prepare: the store is used only through the interfaces the KMS issuer implements too.
    const { clock, store, keys, mint, verify } = setup();
    const signer: TokenSigner = store;
    const published: SigningKeyStore = store;
    const first = await store.ensureActiveKey();

    // Act
    const next = await store.prepareNext();
    const again = await store.prepareNext();
    const whilePublished = {
      kids: kidsOf(await keys.current()),
      states: (await published.listKeys()).map((k) => k.state),
    };
    const signedBefore = await mint();
    clock.now += 60;
    const { active, retired } = await store.rotate({ emergency: false });
    const signedAfter = await signer.sign({
      iss: ISS,
      aud: 'zt-api',
      sub: 'bob',
      iat: clock.now,
      exp: clock.now + TTL,
    });

    // Assess
    expect(again.kid).toBe(next.kid);
    expect(whilePublished).toEqual({ kids: [first.kid, next.kid], states: ['active', 'next'] });
    expect(decodeProtectedHeader(signedBefore).kid).toBe(first.kid);
    expect(active.kid).toBe(next.kid);
    expect(retired.map((k) => k.kid)).toEqual([first.kid]);
    expect([await verify(signedBefore), await verify(signedAfter)]).toEqual(['ok', 'ok']);
    expect((await published.publicJwks()).keys.map((k) => k.kid)).toEqual([first.kid, next.kid]);
  });

  it('an emergency rotation stops every earlier key verifying at once: retired in grace and next too', async () => {
    // Prepare: a key retired by a normal rotation is still in its grace period, a next key is
    // published. All of them sit in the same keys.json as the compromised key.
    const { clock, store, mint, verify } = setup();
    const oldest = await mint();
    clock.now += 60;
    await store.rotate({ emergency: false });
    const previous = await mint();
    const next = await store.prepareNext();
    const before = [await verify(oldest), await verify(previous)];

    // Act
    const { active, dropped } = await store.rotate({ emergency: true });

    // Assess
    expect(before).toEqual(['ok', 'ok']);
    expect(dropped).toHaveLength(3);
    expect(dropped).toContain(next.kid);
    expect(active.kid).not.toBe(next.kid);
    expect([await verify(oldest), await verify(previous), await verify(await mint())]).toEqual([
      'unknown_key',
      'unknown_key',
      'ok',
    ]);
    expect(store.list().map((k) => k.kid)).toEqual([active.kid]);
  });

  it.each([
    { name: 'the active key, promoting the published next key', which: 'active' as const },
    { name: 'a retired key still in its grace period', which: 'retired' as const },
    { name: 'the published next key', which: 'next' as const },
  ])('retires one named key at once with kid: $name', async ({ which }) => {
    // Prepare
    const { clock, store, mint, verify } = setup();
    const retiredToken = await mint();
    const retired = store.activeKey();
    clock.now += 60;
    await store.rotate({ emergency: false });
    const activeToken = await mint();
    const active = store.activeKey();
    const next = await store.prepareNext();
    const kid = { active: active?.kid, retired: retired?.kid, next: next.kid }[which] as string;

    // Act
    const result = await store.rotate({ emergency: true, kid });

    // Assess
    expect(result.dropped).toEqual([kid]);
    expect(store.list().map((k) => k.kid)).not.toContain(kid);
    const verdicts = { retired: await verify(retiredToken), active: await verify(activeToken) };
    expect(verdicts).toEqual({
      retired: which === 'retired' ? 'unknown_key' : 'ok',
      active: which === 'active' ? 'unknown_key' : 'ok',
    });
    expect(result.active.kid).toBe(which === 'active' ? next.kid : active?.kid);
    expect(await verify(await mint())).toBe('ok');
  });

  it('refuses an unknown kid and changes nothing', async () => {
    const { store } = setup();
    const active = await store.ensureActiveKey();
    await expect(store.rotate({ emergency: true, kid: 'nope' })).rejects.toThrow(
      new RegExp(`no key "nope".*${active.kid}`),
    );
    expect(store.list().map((k) => k.kid)).toEqual([active.kid]);
  });
});

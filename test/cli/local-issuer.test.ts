import { readFileSync } from 'node:fs';
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, restEvent, runCli, type Workspace, workspace } from './harness.ts';

/** `zta token` and `zta keys`: the local issuer signs, rotates, and is trusted like any issuer. */
describe('local issuer: zta token and zta keys', () => {
  let ws: Workspace;
  beforeAll(() => {
    ws = workspace({ localIssuer: { issuer: 'https://zta.local', audience: 'zt-api', keysDir: './keys' } });
  });
  afterAll(() => ws.cleanup());

  const token = async (...args: string[]) => {
    const result = await runCli(['token', '--config', ws.config, ...args]);
    expect(result.code, result.stderr).toBe(0);
    return result.stdout.trim();
  };
  const decide = async (path: string, ...tokens: string[]) => {
    const stdin = tokens.map((t) => JSON.stringify(restEvent('GET', path, `Bearer ${t}`))).join('\n');
    const result = await runCli(['decide', '--config', ws.config], { stdin });
    return jsonLines(result.stdout).map((o) => `${o.status} ${o.reason}`);
  };

  it('mints tokens whose roles and MFA drive the policy decision', async () => {
    const withMfa = await token('--sub', 'alice', '--role', 'admin', '--mfa');
    const withoutMfa = await token('--sub', 'bob', '--role', 'admin');
    const plain = await token('--sub', 'carol', '--ttl', '60');

    expect(await decide('/api/sensitive', withMfa, withoutMfa, plain)).toEqual([
      '200 allowed',
      '403 mfa_required',
      '403 role_required',
    ]);
    expect(await decide('/api/profile', plain)).toEqual(['200 allowed']);
  });

  it('never writes private key material to the public JWKS', () => {
    const jwks = JSON.parse(readFileSync(`${ws.dir}/keys/jwks.json`, 'utf8'));
    expect(jwks.keys.length).toBeGreaterThan(0);
    for (const key of jwks.keys) expect(key).not.toHaveProperty('d');
  });

  it('rotation keeps old tokens valid; emergency rotation rejects them at once', async () => {
    const old = await token('--sub', 'alice');
    const prepared = await runCli(['keys', 'prepare', '--config', ws.config]);
    const rotated = await runCli(['keys', 'rotate', '--config', ws.config]);
    const fresh = await token('--sub', 'alice');

    expect(rotated.code).toBe(0);
    // The pre-published next key is the one the rotation makes active.
    expect(JSON.parse(rotated.stdout).active).toBe(JSON.parse(prepared.stdout).next);
    expect(decodeProtectedHeader(fresh).kid).toBe(JSON.parse(rotated.stdout).active);
    expect(await decide('/api/profile', old, fresh)).toEqual(['200 allowed', '200 allowed']);

    const listed = jsonLines((await runCli(['keys', 'list', '--config', ws.config])).stdout);
    expect(listed.map((k) => k.state).sort()).toEqual(['active', 'retired']);

    // An emergency stops every earlier key at once: the retired one still in grace too.
    const emergency = await runCli(['keys', 'rotate', '--config', ws.config, '--emergency']);
    expect(new Set(JSON.parse(emergency.stdout).dropped)).toEqual(
      new Set([decodeProtectedHeader(old).kid, decodeProtectedHeader(fresh).kid]),
    );
    expect(await decide('/api/profile', old, fresh)).toEqual(['401 unknown_key', '401 unknown_key']);
  });

  it('loses no key when 6 rotations run at once: every key a command reported is still published', async () => {
    // Prepare
    await token('--sub', 'alice');

    // Act
    const runs = await Promise.all(
      Array.from({ length: 6 }, () => runCli(['keys', 'rotate', '--config', ws.config])),
    );
    const listed = jsonLines((await runCli(['keys', 'list', '--config', ws.config])).stdout);

    // Assess
    expect(runs.map((r) => r.code)).toEqual(Array(6).fill(0));
    const reported = runs.map((r) => JSON.parse(r.stdout).active as string);
    const published = new Set(listed.map((k) => k.kid));
    for (const kid of reported) expect(published).toContain(kid);
    expect(new Set(reported).size).toBe(6);
    expect(listed.filter((k) => k.state === 'active')).toHaveLength(1);
  });

  it('retires one named key at once with --kid, keeping the others', async () => {
    const old = await token('--sub', 'alice');
    await runCli(['keys', 'rotate', '--config', ws.config]);
    const fresh = await token('--sub', 'alice');
    const retired = await runCli([
      'keys',
      'rotate',
      '--config',
      ws.config,
      '--kid',
      String(decodeProtectedHeader(old).kid),
    ]);
    const unknown = await runCli(['keys', 'rotate', '--config', ws.config, '--kid', 'no-such-kid']);
    expect(JSON.parse(retired.stdout).dropped).toEqual([decodeProtectedHeader(old).kid]);
    expect(await decide('/api/profile', old, fresh)).toEqual(['401 unknown_key', '200 allowed']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no key "no-such-kid"/);
  });

  it.each([
    [['--sub', 'a', '--ttl', '999999'], /--ttl/],
    [['--role', 'admin'], /--sub/],
  ])('refuses bad token requests %j', async (args, message) => {
    const result = await runCli(['token', '--config', ws.config, ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});

import { existsSync, readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ISSUER, jsonLines, restEvent, runCli, type Workspace, workspace } from './harness.ts';

describe('zta revoke', () => {
  let ws: Workspace;
  const now = 1_800_000_000;
  beforeEach(() => {
    ws = workspace();
  });
  afterEach(() => ws.cleanup());

  const decideProfile = async (...tokens: string[]) => {
    const stdin = tokens
      .map((t) => JSON.stringify(restEvent('GET', '/api/profile', `Bearer ${t}`)))
      .join('\n');
    const result = await runCli(['decide', '--config', ws.config, '--now', String(now + 100)], { stdin });
    return jsonLines(result.stdout).map((o) => `${o.status} ${o.reason}`);
  };

  it('revokes one jti for every issuer; other tokens of the subject keep working', async () => {
    const revoked = await ws.sign({ jti: 'tok-1' }, now);
    const other = await ws.sign({ jti: 'tok-2' }, now);

    const result = await runCli([
      'revoke',
      '--config',
      ws.config,
      '--jti',
      'tok-1',
      '--at',
      String(now + 50),
    ]);

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ kind: 'jti', jti: 'tok-1', revokedAt: now + 50 });
    expect(JSON.parse(result.stdout).issuer).toBeUndefined();
    expect(await decideProfile(revoked, other)).toEqual(['401 token_revoked', '200 allowed']);
  });

  it('revokes a subject: tokens issued at or before the time are denied, later ones allowed', async () => {
    const before = await ws.sign({}, now);
    const atTime = await ws.sign({}, now + 10);
    const after = await ws.sign({}, now + 11);

    const result = await runCli([
      'revoke',
      '--config',
      ws.config,
      '--sub',
      'alice',
      '--at',
      String(now + 10),
    ]);

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ kind: 'subject', issuer: ISSUER, subject: 'alice' });
    expect(await decideProfile(before, atTime, after)).toEqual([
      '401 token_revoked',
      '401 token_revoked',
      '200 allowed',
    ]);
  });

  it('keeps every record when revocations accumulate', async () => {
    for (const jti of ['a', 'b', 'c']) await runCli(['revoke', '--config', ws.config, '--jti', jti]);
    const stored = JSON.parse(readFileSync(`${ws.dir}/revocations.json`, 'utf8'));
    expect(stored.revocations.map((r: { jti: string }) => r.jti)).toEqual(['a', 'b', 'c']);
  });

  it('denies everything while the store is corrupt, with a clear reason', async () => {
    const token = await ws.sign({}, now);
    ws.write('revocations.json', '{ not json');
    expect(await decideProfile(token)).toEqual(['401 revocation_unavailable']);
  });

  it.each([
    ['an unconfigured --iss', ['--jti', 'x', '--iss', 'https://evil.example'], /not a configured issuer/],
    ['both --jti and --sub', ['--jti', 'x', '--sub', 'alice'], /exactly one/],
    ['neither --jti nor --sub', [], /exactly one/],
    ['a bad --at', ['--jti', 'x', '--at', '-5'], /--at/],
    ['an empty --jti', ['--jti', ''], /must not be empty/],
  ])('exits 2 and records nothing for %s', async (_name, args, message) => {
    const result = await runCli(['revoke', '--config', ws.config, ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(existsSync(`${ws.dir}/revocations.json`)).toBe(false);
  });

  it('needs --iss with --sub when several issuers are configured', async () => {
    const multi = ws.write('multi.json', {
      issuers: [
        { issuer: ISSUER, audience: 'zt-api', jwksFile: './jwks.json', algorithms: ['ES256'] },
        {
          issuer: 'https://other.example',
          audience: 'zt-api',
          jwksFile: './jwks.json',
          algorithms: ['ES256'],
        },
      ],
      revocations: { file: './revocations.json' },
    });
    const without = await runCli(['revoke', '--config', multi, '--sub', 'alice']);
    const withIss = await runCli([
      'revoke',
      '--config',
      multi,
      '--sub',
      'alice',
      '--iss',
      'https://other.example',
    ]);

    expect(without.code).toBe(2);
    expect(withIss.code).toBe(0);
    expect(JSON.parse(withIss.stdout)).toMatchObject({ issuer: 'https://other.example' });
  });
});

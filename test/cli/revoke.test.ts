import { existsSync, readFileSync, rmSync } from 'node:fs';
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

  it('revokes a subject: tokens issued up to the time plus the clock tolerance are denied, later ones allowed', async () => {
    const before = await ws.sign({}, now);
    const atTime = await ws.sign({}, now + 10);
    const withinTolerance = await ws.sign({}, now + 40);
    const after = await ws.sign({}, now + 41);

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
    expect(await decideProfile(before, atTime, withinTolerance, after)).toEqual([
      '401 token_revoked',
      '401 token_revoked',
      '401 token_revoked',
      '200 allowed',
    ]);
  });

  it('keeps every record when revocations accumulate; a repeated revoke is unchanged, not a duplicate', async () => {
    const outcomes: unknown[] = [];
    for (const jti of ['a', 'b', 'c', 'a']) {
      const result = await runCli(['revoke', '--config', ws.config, '--jti', jti]);
      outcomes.push(JSON.parse(result.stdout).outcome);
    }
    const stored = JSON.parse(readFileSync(`${ws.dir}/revocations.json`, 'utf8'));
    expect(outcomes).toEqual(['revoked', 'revoked', 'revoked', 'unchanged']);
    expect(stored.revocations.map((r: { jti: string }) => r.jti)).toEqual(['a', 'b', 'c']);
    expect(stored.audit.map((e: { actor: string }) => e.actor)).toEqual(
      Array(4).fill(expect.stringMatching(/^cli:.+@.+$/)),
    );
  });

  it.each([
    { name: 'missing', text: undefined, decided: /does not exist/ },
    { name: 'empty', text: '', decided: /is empty/ },
    { name: 'whitespace only', text: ' \n', decided: /is empty/ },
    { name: 'corrupt', text: '{ not json', decided: /not valid JSON/ },
  ])(
    'with a $name store: every decision denies, revoke exits 2 and leaves the file as it was',
    async ({ text, decided }) => {
      // Prepare
      const token = await ws.sign({}, now);
      const path = `${ws.dir}/revocations.json`;
      if (text === undefined) rmSync(path);
      else ws.write('revocations.json', text);

      // Act
      const decisions = await runCli(['decide', '--config', ws.config, '--now', String(now + 100)], {
        stdin: JSON.stringify(restEvent('GET', '/api/profile', `Bearer ${token}`)),
      });
      const revoked = await runCli(['revoke', '--config', ws.config, '--jti', 'x']);

      // Assess
      expect(jsonLines(decisions.stdout).map((o) => o.reason)).toEqual(['revocation_unavailable']);
      expect(decisions.stderr).toMatch(decided);
      expect(revoked.code).toBe(2);
      expect(revoked.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(/^zta revoke: revocation store .+/),
      ]);
      if (text === undefined) expect(existsSync(path)).toBe(false);
      else expect(readFileSync(path, 'utf8')).toBe(text);
    },
  );

  it('undoes a revocation in a file store, audited, and lists and shows it', async () => {
    // Prepare
    const token = await ws.sign({}, now);
    await runCli([
      'revoke',
      '--config',
      ws.config,
      '--sub',
      'alice',
      '--at',
      String(now + 5),
      '--reason',
      'stolen laptop',
    ]);
    const listed = await runCli(['revocations', 'list', '--config', ws.config]);
    const whileRevoked = await decideProfile(token);

    // Act
    const undo = await runCli([
      'revoke',
      '--config',
      ws.config,
      '--sub',
      'alice',
      '--undo',
      '--reason',
      'found it',
    ]);
    const history = await runCli(['revocations', 'history', '--config', ws.config, '--sub', 'alice']);

    // Assess
    expect(jsonLines(listed.stdout)).toEqual([
      expect.objectContaining({ kind: 'subject', issuer: ISSUER, subject: 'alice', revokedAt: now + 5 }),
    ]);
    expect(whileRevoked).toEqual(['401 token_revoked']);
    expect(JSON.parse(undo.stdout)).toMatchObject({ outcome: 'unrevoked', reason: 'found it' });
    expect(await decideProfile(token)).toEqual(['200 allowed']);
    expect(jsonLines(history.stdout).map((e) => [e.action, e.outcome, e.reason])).toEqual([
      ['revoke', 'revoked', 'stolen laptop'],
      ['unrevoke', 'unrevoked', 'found it'],
    ]);
  });

  it('revocations init creates an empty store once, and never replaces one', async () => {
    const path = `${ws.dir}/revocations.json`;
    rmSync(path);
    const first = await runCli(['revocations', 'init', '--config', ws.config]);
    await runCli(['revoke', '--config', ws.config, '--jti', 'kept']);
    const second = await runCli(['revocations', 'init', '--config', ws.config]);
    expect(first.code).toBe(0);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(/exists already: nothing was changed/);
    expect(JSON.parse(readFileSync(path, 'utf8')).revocations).toEqual([
      expect.objectContaining({ jti: 'kept' }),
    ]);
  });

  it.each([
    ['an unconfigured --iss', ['--jti', 'x', '--iss', 'https://evil.example'], /not a configured issuer/],
    ['both --jti and --sub', ['--jti', 'x', '--sub', 'alice'], /exactly one/],
    ['neither --jti nor --sub', [], /exactly one/],
    ['a bad --at', ['--jti', 'x', '--at', '-5'], /--at/],
    ['an empty --jti', ['--jti', ''], /must not be empty/],
  ])('exits 2 and records nothing for %s', async (_name, args, message) => {
    const before = readFileSync(`${ws.dir}/revocations.json`, 'utf8');
    const result = await runCli(['revoke', '--config', ws.config, ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(readFileSync(`${ws.dir}/revocations.json`, 'utf8')).toBe(before);
  });

  it('takes the one issuer for --sub when several entries share its iss', async () => {
    const entries = ws.write('entries.json', {
      issuers: [
        { issuer: ISSUER, audience: 'zt-api', jwksFile: './jwks.json', algorithms: ['ES256'] },
        { issuer: ISSUER, audience: 'bff', jwksFile: './jwks.json', algorithms: ['ES256'] },
      ],
      revocations: { file: './revocations.json' },
    });
    const result = await runCli(['revoke', '--config', entries, '--sub', 'alice']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ kind: 'subject', issuer: ISSUER, subject: 'alice' });
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

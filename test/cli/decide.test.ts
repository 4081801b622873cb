import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, restEvent, runCli, type Workspace, workspace } from './harness.ts';

describe('zta decide', () => {
  let ws: Workspace;
  let admin: string;
  let adminNoMfa: string;
  const now = 1_800_000_000;

  beforeAll(async () => {
    ws = workspace();
    admin = await ws.sign({ role: 'admin', amr: ['pwd', 'mfa'] }, now);
    adminNoMfa = await ws.sign({ role: 'admin' }, now);
  });
  afterAll(() => ws.cleanup());

  it('decides JSON Lines from stdin in order, skipping blank lines, one result per event', async () => {
    const lines = [
      JSON.stringify(restEvent('GET', '/api/sensitive', `Bearer ${admin}`)),
      '',
      JSON.stringify(restEvent('GET', '/api/sensitive', `Bearer ${adminNoMfa}`)),
      'this is not json',
      JSON.stringify({ hello: 'world' }),
      JSON.stringify(restEvent('GET', '/api/profile', 'Bearer not.a.token')),
      '   ',
    ];
    const result = await runCli(['decide', '--config', ws.config, '--now', String(now)], {
      stdin: lines.join('\n'),
    });

    expect(result.code).toBe(0);
    const out = jsonLines(result.stdout);
    expect(out.map((o) => [o.decision, o.status, o.reason])).toEqual([
      ['ALLOW', 200, 'allowed'],
      ['DENY', 403, 'mfa_required'],
      ['DENY', 401, 'malformed_event'],
      ['DENY', 401, 'malformed_event'],
      ['DENY', 401, 'malformed_token'],
    ]);
    // Decision records go to stderr, never the token.
    const records = jsonLines(result.stderr);
    expect(records).toHaveLength(5);
    expect(records[0]).toMatchObject({ schema: 'zta.decision/v1', decision: 'ALLOW', subject: 'alice' });
    expect(result.stderr).not.toContain(admin.split('.')[2]);
  });

  it('decides one --event file, evaluating at --now', async () => {
    const event = ws.write('event.json', restEvent('GET', '/api/profile', `Bearer ${admin}`));

    const inTime = await runCli([
      'decide',
      '--config',
      ws.config,
      '--event',
      event,
      '--now',
      String(now + 60),
    ]);
    const late = await runCli([
      'decide',
      '--config',
      ws.config,
      '--event',
      event,
      '--now',
      String(now + 631),
    ]);

    expect(jsonLines(inTime.stdout)).toMatchObject([{ decision: 'ALLOW', status: 200 }]);
    expect(jsonLines(late.stdout)).toMatchObject([
      { decision: 'DENY', status: 401, reason: 'token_expired' },
    ]);
  });

  it('writes decision records to --log instead of stderr', async () => {
    const log = `${ws.dir}/decisions.log`;
    const result = await runCli(['decide', '--config', ws.config, '--now', String(now), '--log', log], {
      stdin: JSON.stringify(restEvent('GET', '/api/profile', `Bearer ${admin}`)),
    });
    const { readFileSync } = await import('node:fs');

    expect(result.stderr).toBe('');
    expect(jsonLines(readFileSync(log, 'utf8'))).toMatchObject([
      { decision: 'ALLOW', route: '/api/profile' },
    ]);
  });

  it('prints nothing and exits 0 on empty input', async () => {
    const result = await runCli(['decide', '--config', ws.config], { stdin: '' });
    expect(result).toMatchObject({ code: 0, stdout: '' });
  });

  it.each([
    [
      'a missing --event file',
      (w: Workspace) => ['--config', w.config, '--event', `${w.dir}/nope.json`],
      /cannot read --event/,
    ],
    ['no --config', () => [], /--config/],
    [
      'a missing config',
      (w: Workspace) => ['--config', `${w.dir}/missing.json`],
      /missing\.json: no such file/,
    ],
    ['a bad --now', (w: Workspace) => ['--config', w.config, '--now', 'yesterday'], /--now/],
    [
      'HS256 in the allowlist',
      (w: Workspace) => [
        '--config',
        w.write('hs.json', {
          issuers: [
            { issuer: 'https://i', audience: 'a', jwksFile: './jwks.json', algorithms: ['ES256', 'HS256'] },
          ],
          revocations: null,
        }),
      ],
      /issuers\[0\]\.algorithms\[1\]/,
    ],
    [
      'no audience',
      (w: Workspace) => [
        '--config',
        w.write('noaud.json', {
          issuers: [{ issuer: 'https://i', jwksFile: './jwks.json', algorithms: ['ES256'] }],
          revocations: null,
        }),
      ],
      /issuers\[0\]\.audience/,
    ],
    [
      'an unreadable JWKS',
      (w: Workspace) => [
        '--config',
        w.write('nojwks.json', {
          issuers: [
            { issuer: 'https://i', audience: 'a', jwksFile: './missing-jwks.json', algorithms: ['ES256'] },
          ],
          revocations: null,
        }),
      ],
      /missing-jwks\.json/,
    ],
  ])('exits 2 with a one-line message for %s', async (_name, args, message) => {
    const result = await runCli(['decide', ...args(ws)], { stdin: '' });

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
  });
});

/**
 * `zta explain` as a user runs it: every step in order, the exact Cedar request, the policies the
 * request satisfied with file and line, the final reason; never the token or its signature.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ISSUER, jsonLines, restEvent, runCli, type Workspace, workspace } from './harness.ts';

let ws: Workspace;
beforeAll(() => {
  ws = workspace();
});
afterAll(() => ws.cleanup());

const explain = (event: unknown, ...flags: string[]) =>
  runCli(['explain', '--config', ws.config, ...flags], { stdin: JSON.stringify(event) });

describe('zta explain', () => {
  it('walks an allowed request step by step, naming the key, the Cedar request and the satisfied policy', async () => {
    // Prepare
    const token = await ws.sign({ role: 'admin', amr: ['mfa'], jti: 'j-1' });

    // Act
    const result = await explain(restEvent('GET', '/api/sensitive', `Bearer ${token}`));

    // Assess
    expect(result.code).toBe(0);
    const steps = result.stdout
      .split('\n')
      .map((l) => /^\s*\d+\. (\S+)/.exec(l)?.[1])
      .filter(Boolean);
    expect(steps).toEqual([
      'event',
      'credential',
      'header',
      'issuer',
      'key',
      'signature',
      'claims',
      'revocation',
      'identity',
      'policy',
    ]);
    expect(result.stdout).toContain('kid k1 (EC P-256), verified as ES256');
    expect(result.stdout).toContain(`"principal":{"type":"ZTA::User","id":"${ISSUER}|alice"}`);
    expect(result.stdout).toMatch(/satisfied: permit sensitive\.admin-with-mfa \(sensitive\.cedar:5\)/);
    expect(result.stdout).toMatch(/=> ALLOW 200 allowed\n?$/);
    for (const part of [token, token.split('.')[2] as string]) expect(result.stdout).not.toContain(part);
  });

  it.each([
    {
      name: 'a policy denial shows the forbid that decided it',
      claims: { role: 'admin' },
      expect: [
        /satisfied: forbid sensitive\.require-mfa \(sensitive\.cedar:\d+\)/,
        /=> DENY 403 mfa_required/,
      ],
    },
    {
      name: 'a tampered token stops at the signature',
      claims: {},
      tamper: true,
      expect: [/signature\s+INVALID/, /=> DENY 401 invalid_signature/],
    },
  ])('$name', async (c) => {
    let token = await ws.sign(c.claims);
    if (c.tamper) token = `${token.slice(0, -6)}${token.endsWith('AAAAAA') ? 'BBBBBB' : 'AAAAAA'}`;
    const result = await explain(restEvent('GET', '/api/sensitive', `Bearer ${token}`));
    expect(result.code).toBe(0);
    for (const pattern of c.expect) expect(result.stdout).toMatch(pattern);
    expect(result.stdout).not.toContain(token.split('.')[2] as string);
  });

  it('prints the steps and the decision as JSON with --json', async () => {
    const token = await ws.sign({});
    const result = await explain(restEvent('GET', '/api/profile', `Bearer ${token}`), '--json');
    const [out] = jsonLines(result.stdout);
    expect(out?.decision).toMatchObject({ decision: 'ALLOW', status: 200, reason: 'allowed' });
    expect(((out?.steps ?? []) as { step: string }[]).map((s) => s.step).at(-1)).toBe('policy');
    expect(result.stdout).not.toContain(token);
  });
});

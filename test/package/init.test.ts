/**
 * `zta init`: what a team gets in its own repository, that it works as written (validate,
 * token, decide on the scaffold), and that it never replaces or adds to what is already there.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jsonLines, restEvent, runCli } from '../cli/harness.ts';

const REPO_POLICIES = resolve(import.meta.dirname, '../../policies');
const root = mkdtempSync(join(tmpdir(), 'zta-init-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Every file under `dir`, relative, sorted. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

describe('zta init', () => {
  const dir = join(root, 'team', 'orders');

  it('scaffolds policies, scenarios, an issuer config and an empty revocation store, and prints next steps', async () => {
    const result = await runCli(['init', '--dir', dir]);

    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/Next steps/);
    expect(tree(dir)).toEqual([
      'policies/orders.cedar',
      'policies/scenarios/orders.json',
      'policies/schema.cedarschema',
      'revocations.json',
      'zta.config.json',
    ]);
    // The schema is the suite's own contract, copied as it is.
    expect(readFileSync(join(dir, 'policies', 'schema.cedarschema'), 'utf8')).toBe(
      readFileSync(join(REPO_POLICIES, 'schema.cedarschema'), 'utf8'),
    );
    // A valid empty document: a missing or empty revocation file denies everything.
    expect(JSON.parse(readFileSync(join(dir, 'revocations.json'), 'utf8'))).toEqual({
      version: 1,
      revocations: [],
      audit: [],
    });
  });

  it('writes policies whose scenarios pass', async () => {
    const result = await runCli(['validate'], { cwd: dir });

    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toMatch(/^5 passed, 0 failed$/m);
  });

  it('writes a config that decides requests with dev tokens as the example policy says', async () => {
    const config = join(dir, 'zta.config.json');
    const mint = async (...args: string[]) =>
      (await runCli(['token', '--config', config, ...args])).stdout.trim();
    const reader = await mint('--sub', 'alice', '--role', 'orders-reader');
    const writer = await mint('--sub', 'bob', '--role', 'orders-writer');
    const events = [
      restEvent('GET', '/orders', `Bearer ${reader}`),
      restEvent('POST', '/orders', `Bearer ${writer}`),
      restEvent('GET', '/orders', `Bearer ${writer}`),
    ];

    const decided = await runCli(['decide', '--config', config], {
      stdin: events.map((e) => JSON.stringify(e)).join('\n'),
    });

    expect(jsonLines(decided.stdout).map((d) => `${d.status} ${d.reason}`)).toEqual([
      '200 allowed',
      '403 mfa_required',
      '403 policy_denied',
    ]);
  });

  it.each([
    ['an existing file', ['zta.config.json'], /zta\.config\.json already exists; nothing was written/],
    [
      'a policy folder with files',
      ['policies/mine.cedar'],
      /policies already holds files; nothing was written/,
    ],
  ])('refuses %s: exit 2, one line, the folder left as it was', async (_name, existing, message) => {
    const target = mkdtempSync(join(root, 'taken-'));
    for (const file of existing) {
      mkdirSync(join(target, file, '..'), { recursive: true });
      writeFileSync(join(target, file), 'theirs');
    }

    const result = await runCli(['init'], { cwd: target });

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(tree(target)).toEqual(existing);
    for (const file of existing) expect(readFileSync(join(target, file), 'utf8')).toBe('theirs');
  });

  it('refuses to write inside node_modules', async () => {
    const target = join(root, 'app', 'node_modules', 'some-package');

    const result = await runCli(['init', '--dir', target]);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^zta init: refusing to write inside node_modules/);
    expect(readdirSync(root)).not.toContain('app');
  });
});

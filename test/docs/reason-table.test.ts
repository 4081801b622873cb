/**
 * The README's table from each deny reason to the code that decides it stays complete and true:
 * every reason of the closed set has exactly one row, every file a row names exists, and at least
 * one of them spells the reason code.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CREDENTIAL_REASONS, POLICY_REASONS } from '../../functions/core/reasons.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const readme = readFileSync(resolve(ROOT, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('### Every deny reason'));
const rows = new Map(
  [...section.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \| .* \| (.*) \|$/gm)].map((m) => [
    m[1] as string,
    {
      status: Number(m[2]),
      files: [...(m[3] as string).matchAll(/`([^`]+\.(?:ts|cedar))`/g)].map((f) => f[1] as string),
    },
  ]),
);

describe('README: every deny reason and the code that decides it', () => {
  it.each([
    ...CREDENTIAL_REASONS.map((reason) => ({ reason, status: 401 })),
    ...POLICY_REASONS.map((reason) => ({ reason, status: 403 })),
  ])('$reason has one true row', ({ reason, status }) => {
    const row = rows.get(reason);
    expect(row, `README has no row for ${reason}`).toBeDefined();
    expect(row?.status).toBe(status);
    const files = row?.files ?? [];
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(existsSync(resolve(ROOT, file)), file).toBe(true);
    const spelt = files.some(
      (file) =>
        readFileSync(resolve(ROOT, file), 'utf8').includes(`'${reason}'`) ||
        readFileSync(resolve(ROOT, file), 'utf8').includes(`"${reason}"`),
    );
    expect(spelt, `none of ${files.join(', ')} spells ${reason}`).toBe(true);
  });

  it('has no row for a reason outside the closed set', () => {
    const known = new Set<string>([...CREDENTIAL_REASONS, ...POLICY_REASONS]);
    expect([...rows.keys()].filter((r) => !known.has(r))).toEqual([]);
  });
});

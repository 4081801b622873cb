import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { policyFolderStamp, watchPolicyDir } from '../../../functions/runtime/policy-watch.ts';
import { until } from '../../security/gateway-harness.ts';

describe('policy folder watch', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'zta-watch-'));
    mkdirSync(join(dir, 'scenarios'));
    writeFileSync(join(dir, 'schema.cedarschema'), 'namespace ZTA {}');
    writeFileSync(join(dir, 'a.cedar'), 'permit (principal, action, resource);');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  // What a set is read from moves the stamp; scenarios and other files decide nothing.
  it.each([
    [
      'a policy file rewritten',
      () => writeFileSync(join(dir, 'a.cedar'), 'forbid (principal, action, resource);'),
      true,
    ],
    ['a policy file added', () => writeFileSync(join(dir, 'b.cedar'), ''), true],
    ['a policy file deleted', () => rmSync(join(dir, 'a.cedar')), true],
    ['the schema rewritten', () => writeFileSync(join(dir, 'schema.cedarschema'), 'namespace ZTA { }'), true],
    ['the folder removed', () => rmSync(dir, { recursive: true }), true],
    ['a scenario file written', () => writeFileSync(join(dir, 'scenarios', 'x.json'), '[]'), false],
    ['a README written', () => writeFileSync(join(dir, 'README.md'), '# policies'), false],
  ])('%s: stamp moves = %s', (_what, change, moves) => {
    const before = policyFolderStamp(dir);
    change();
    expect(policyFolderStamp(dir) !== before).toBe(moves);
  });

  it('without fs.watch, the periodic comparison alone sees an edit', async () => {
    let changes = 0;
    const watch = watchPolicyDir(dir, { watch: false, intervalMs: 50, onChange: () => void changes++ });
    try {
      writeFileSync(join(dir, 'a.cedar'), 'forbid (principal, action, resource);');
      await until(() => changes > 0, 'the change to be seen');
    } finally {
      watch.close();
    }
  });
});

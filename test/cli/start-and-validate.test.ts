import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, ZTA } from './harness.ts';

describe('npm start (zta start)', () => {
  it('prints curl commands that really give 200, 403 and 401', async () => {
    const child = spawn(process.execPath, [ZTA, 'start', '--port', '0'], {
      cwd: resolve(import.meta.dirname, '../..'),
    });
    try {
      let out = '';
      await new Promise<void>((done, fail) => {
        child.stdout.on('data', (d) => {
          out += d;
          if (out.includes('Press Ctrl-C')) done();
        });
        child.on('exit', (code) => fail(new Error(`start exited ${code}: ${out}`)));
      });
      const commands = out.split('\n').filter((l) => l.startsWith('curl '));
      const statuses = [];
      for (const command of commands) {
        const match = /-H "Authorization: (.+)" (http:\S+)$/.exec(command);
        if (!match?.[1] || !match[2]) throw new Error(`unexpected curl line: ${command}`);
        statuses.push((await fetch(match[2], { headers: { authorization: match[1] } })).status);
      }
      expect(statuses).toEqual([200, 403, 401]);
    } finally {
      child.kill('SIGTERM');
    }
  });
});

describe('zta validate', () => {
  it('passes on the repository policies and their scenarios', async () => {
    const result = await runCli(['validate']);
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toMatch(/PASS scenarios\//);
    expect(result.stdout).not.toMatch(/^FAIL/m);
  });

  it.each([
    ['a policy that does not parse', 'broken.cedar', 'permit (principal, action, resource) when { ;'],
    [
      'a policy the schema refuses',
      'typo.cedar',
      'permit (principal, action, resource) when { context.mfaa };',
    ],
  ])('exits 1 for %s and names the file', async (_name, file, text) => {
    const dir = mkdtempSync(join(tmpdir(), 'zta-policies-'));
    try {
      cpSync(resolve(import.meta.dirname, '../../policies'), dir, { recursive: true });
      writeFileSync(join(dir, file), text);
      const result = await runCli(['validate', '--policies', dir]);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain(file);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

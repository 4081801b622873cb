import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { until } from '../security/gateway-harness.ts';
import { runCli, stopProcess, ZTA } from './harness.ts';

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
      await stopProcess(child);
    }
  });
});

describe('npm start: where to look', () => {
  it('prints the console, decisions log, events file and policies, and each is live', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'zta-start-'));
    const child = spawn(process.execPath, [ZTA, 'start', '--port', '0'], { cwd });
    try {
      let out = '';
      await new Promise<void>((done, fail) => {
        child.stdout.on('data', (d) => {
          out += d;
          if (out.includes('Press Ctrl-C')) done();
        });
        child.on('exit', (code) => fail(new Error(`start exited ${code}: ${out}`)));
      });
      const consoleUrl = /^ {2}console {5}(http:\/\/127\.0\.0\.1:\d+\/_zta\/)/m.exec(out)?.[1];
      expect(out).toMatch(/^ {2}decisions {3}tail -f \.zta\/decisions\.log$/m);
      expect(out).toMatch(/^ {2}events {6}tail -f \.zta\/events\.jsonl /m);
      expect(out).toMatch(/^ {2}policies {4}\S+policies {3}\(edits reload on save/m);
      expect((await fetch(consoleUrl as string)).headers.get('content-type')).toBe(
        'text/html; charset=utf-8',
      );

      const allowed = /^curl -i -H "Authorization: (.+)" (http:\S+)$/m.exec(out);
      const status = (
        await fetch(allowed?.[2] as string, { headers: { authorization: allowed?.[1] as string } })
      ).status;
      expect(status).toBe(200);
      const events = join(cwd, '.zta', 'events.jsonl');
      await until(
        () =>
          existsSync(events) &&
          readFileSync(events, 'utf8').includes('"detail-type":"Authorization Decision"'),
        'the decision on the event stream',
      );
      expect(readFileSync(join(cwd, '.zta', 'decisions.log'), 'utf8')).toContain('"decision":"ALLOW"');
    } finally {
      await stopProcess(child);
      rmSync(cwd, { recursive: true, force: true });
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

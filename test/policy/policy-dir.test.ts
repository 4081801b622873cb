import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readPolicySource, validatePolicyDir } from '../../functions/runtime/policy-dir.ts';
import { POLICY_DIR, SCHEMA } from './helpers.ts';

const root = mkdtempSync(join(tmpdir(), 'zta-policy-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let count = 0;
/** A fresh folder holding `files` (relative path → text). */
function folder(files: Record<string, string>): string {
  const dir = join(root, `case-${count++}`);
  mkdirSync(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** A copy of the shipped folder with `changes` applied. */
function shippedWith(changes: Record<string, string>): string {
  const dir = join(root, `case-${count++}`);
  cpSync(POLICY_DIR, dir, { recursive: true });
  for (const [name, text] of Object.entries(changes)) writeFileSync(join(dir, name), text);
  return dir;
}

const ok = 'permit (principal, action, resource);';

describe('readPolicySource', () => {
  it('reads the schema and top-level .cedar files only', () => {
    const dir = folder({
      'schema.cedarschema': SCHEMA,
      'b.cedar': ok,
      'a.cedar': ok,
      'infra/x.cedar': 'not cedar',
      'notes.md': '',
    });
    expect(readPolicySource(dir)).toEqual({ schema: SCHEMA, policies: { 'a.cedar': ok, 'b.cedar': ok } });
  });

  it.each<[string, () => string, RegExp]>([
    [
      'a missing folder',
      () => join(root, 'nope'),
      /^policy folder .*nope: does not exist or is not a folder$/,
    ],
    ['a file, not a folder', () => join(folder({ f: '' }), 'f'), /does not exist or is not a folder/],
    ['no schema', () => folder({ 'a.cedar': ok }), /: no schema\.cedarschema; /],
    ['no policies', () => folder({ 'schema.cedarschema': SCHEMA }), /: no \*\.cedar files; /],
  ])('refuses %s', (_, dir, message) => {
    expect(() => readPolicySource(dir())).toThrow(message);
  });
});

describe('validatePolicyDir', () => {
  it('passes the shipped folder', () => {
    const report = validatePolicyDir(POLICY_DIR);
    expect(report).toMatchObject({ ok: true, errors: [], revision: expect.stringMatching(/^[0-9a-f]{16}$/) });
    expect(report.policyIds).toContain('sensitive.require-mfa');
    expect(report.scenarios.length).toBeGreaterThan(30);
    expect(
      report.scenarios.every((scenario) => scenario.passed && scenario.file.startsWith('scenarios/')),
    ).toBe(true);
  });

  it('reports a policy that does not load, without throwing', () => {
    const report = validatePolicyDir(
      shippedWith({ 'extra.cedar': '@reason("nope") forbid (principal, action, resource);' }),
    );
    expect(report).toMatchObject({ ok: false, policyIds: [], scenarios: [] });
    expect(report.revision).toBeUndefined();
    expect(report.errors).toEqual([
      expect.stringMatching(/^extra\.cedar:1: policy "extra\.1" has @reason\("nope"\)/),
    ]);
  });

  it('reports a scenario that fails', () => {
    const report = validatePolicyDir(shippedWith({ 'profile.cedar': '// profile access withdrawn\n' }));
    expect(report.ok).toBe(false);
    expect(report.errors).toEqual([]);
    expect(report.scenarios.find((s) => !s.passed)).toMatchObject({
      file: 'scenarios/profile.json',
      expected: { decision: 'allow' },
      actual: { decision: 'deny', reason: 'policy_denied' },
    });
  });

  it('reports a malformed scenario file by name and keeps running the others', () => {
    const dir = shippedWith({ 'scenarios/zz-typo.json': '{ "scenarios": [ { "name": "t" } ] }' });
    const report = validatePolicyDir(dir);
    expect(report.ok).toBe(false);
    expect(report.errors).toEqual([
      expect.stringMatching(/^scenarios\/zz-typo\.json: scenarios\[0\]\.request: expected an object/),
    ]);
    expect(report.scenarios.length).toBeGreaterThan(30);
  });

  it('reports a missing folder', () => {
    expect(validatePolicyDir(join(root, 'absent'))).toMatchObject({
      ok: false,
      errors: [expect.stringMatching(/does not exist/)],
    });
  });

  it('is fine without scenarios', () => {
    expect(validatePolicyDir(folder({ 'schema.cedarschema': SCHEMA, 'a.cedar': ok }))).toMatchObject({
      ok: true,
      scenarios: [],
    });
  });
});

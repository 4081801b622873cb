/**
 * Writes to the local revocation store go through one writer with the DynamoDB table's
 * semantics: idempotent per request, one record in force per target, every call audited, and a
 * store that cannot be read is never replaced.
 */
import { spawn } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RevocationAudit, RevocationTarget } from '../../../functions/core/revocation-writer.ts';
import { createEmptyRevocationStore } from '../../../functions/runtime/revocation-document.ts';
import { RevocationFileStore } from '../../../functions/runtime/revocation-file-store.ts';
import { FileRevocationWriter } from '../../../functions/runtime/revocation-file-writer.ts';
import { NOW, tempDirs } from '../helpers.ts';

const ISS = 'https://idp.example.test';
const dirs = tempDirs();
afterEach(dirs.cleanup);

const SUBJECT: RevocationTarget = { kind: 'subject', issuer: ISS, subject: 'alice' };
const JTI: RevocationTarget = { kind: 'jti', jti: 'jti-1' };
const audit = (requestId: string, over: Partial<RevocationAudit> = {}): RevocationAudit => ({
  actor: 'cli:ops@host',
  reason: 'test',
  requestId,
  trigger: 'manual',
  ...over,
});

function emptyStore(): { path: string; writer: FileRevocationWriter; store: RevocationFileStore } {
  const path = join(dirs.make(), 'state', 'revocations.json');
  createEmptyRevocationStore(path);
  return {
    path,
    writer: new FileRevocationWriter(path, () => (NOW + 5) * 1000),
    store: new RevocationFileStore(path),
  };
}

describe('FileRevocationWriter: revoke', () => {
  it('is idempotent per request, moves a subject revocation only later, and audits every new request', async () => {
    // Prepare
    const { writer, store } = emptyStore();

    // Act
    const outcomes = [
      (await writer.revoke(SUBJECT, 100, audit('r1'))).outcome,
      (await writer.revoke(SUBJECT, 120, audit('r1'))).outcome, // a retry of r1
      (await writer.revoke(SUBJECT, 90, audit('r2'))).outcome, // earlier: covers nothing more
      (await writer.revoke(SUBJECT, 100, audit('r3'))).outcome, // equal
      (await writer.revoke(SUBJECT, 130, audit('r4'))).outcome, // later: covers more
      (await writer.revoke(SUBJECT, 10, audit('r1'))).outcome, // a late retry of r1
    ];

    // Assess
    expect(outcomes).toEqual(['revoked', 'revoked', 'unchanged', 'unchanged', 'revoked', 'unchanged']);
    expect(store.records()).toEqual([
      expect.objectContaining({ ...SUBJECT, revokedAt: 130, requestId: 'r4', revokedBy: 'cli:ops@host' }),
    ]);
    const history = await writer.history(SUBJECT);
    expect(history.map((e) => [e.requestId, e.outcome])).toEqual([
      ['r1', 'revoked'],
      ['r2', 'unchanged'],
      ['r3', 'unchanged'],
      ['r4', 'revoked'],
    ]);
    expect(history[0]).toMatchObject({
      action: 'revoke',
      actor: 'cli:ops@host',
      at: NOW + 5,
      revokedAt: 100,
    });
  });

  it('a jti already revoked is unchanged, not a second record', async () => {
    const { writer, store } = emptyStore();
    const first = await writer.revoke(JTI, 100, audit('a'));
    const second = await writer.revoke(JTI, 200, audit('b'));
    expect([first.outcome, second.outcome]).toEqual(['revoked', 'unchanged']);
    expect(second.record.revokedAt).toBe(100);
    expect(store.records()).toHaveLength(1);
  });

  it('keeps the retention it was given, and lists only what is in force', async () => {
    const { writer } = emptyStore();
    await writer.revoke(SUBJECT, 100, audit('a'), { expiresAt: 200 });
    await writer.revoke(JTI, 100, audit('b'));
    expect((await writer.list(150)).map((r) => r.kind)).toEqual(['subject', 'jti']);
    expect((await writer.list(200)).map((r) => r.kind)).toEqual(['jti']);
  });

  it('writes a private file', async () => {
    const { path, writer } = emptyStore();
    await writer.revoke(JTI, 100, audit('a'));
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });
});

describe('FileRevocationWriter: undo', () => {
  it('lifts a revocation with an audit entry; a new token of the subject is then allowed again', async () => {
    // Prepare
    const { writer, store } = emptyStore();
    await writer.revoke(SUBJECT, 100, audit('r1'));

    // Act
    const lifted = await writer.unrevoke(SUBJECT, 150, audit('u1', { reason: 'false alarm' }));
    const retried = await writer.unrevoke(SUBJECT, 150, audit('u1'));
    const again = await writer.unrevoke(SUBJECT, 160, audit('u2'));

    // Assess
    expect([lifted.outcome, retried.outcome, again.outcome]).toEqual(['unrevoked', 'unrevoked', 'unchanged']);
    expect(store.lookup({ issuer: ISS, subject: 'alice', jti: undefined }).subjectRevokedAt).toBeUndefined();
    expect((await writer.history(SUBJECT)).map((e) => [e.action, e.outcome, e.reason])).toEqual([
      ['revoke', 'revoked', 'test'],
      ['unrevoke', 'unrevoked', 'false alarm'],
      ['unrevoke', 'unchanged', 'test'],
    ]);
  });

  it('a late retry of the revoking request does not revoke again after an undo', async () => {
    const { writer, store } = emptyStore();
    await writer.revoke(SUBJECT, 100, audit('r1'));
    await writer.unrevoke(SUBJECT, 150, audit('u1'));
    expect((await writer.revoke(SUBJECT, 100, audit('r1'))).outcome).toBe('unchanged');
    expect(store.records()).toEqual([]);
  });
});

describe('FileRevocationWriter: a store it cannot read is never replaced', () => {
  it.each([
    { name: 'missing', text: undefined, message: /does not exist/ },
    { name: 'empty', text: '', message: /is empty/ },
    { name: 'whitespace only', text: '  \n', message: /is empty/ },
    { name: 'corrupt', text: '{"version":1,"revocations":[oops', message: /not valid JSON/ },
    {
      name: 'holding a bad record',
      text: '{"version":1,"revocations":[{"kind":"jti"}]}',
      message: /revocations\[0\]/,
    },
  ])('refuses to revoke or undo in a $name store and leaves it as it was', async ({ text, message }) => {
    // Prepare
    const path = join(dirs.make(), 'revocations.json');
    if (text !== undefined) writeFileSync(path, text);
    const writer = new FileRevocationWriter(path);

    // Act + Assess
    await expect(writer.revoke(JTI, 100, audit('a'))).rejects.toThrow(message);
    await expect(writer.unrevoke(JTI, 100, audit('b'))).rejects.toThrow(message);
    if (text === undefined) expect(() => statSync(path)).toThrow();
    else expect(readFileSync(path, 'utf8')).toBe(text);
  });
});

describe('FileRevocationWriter: concurrent writers', () => {
  it('loses nothing when 4 processes revoke 25 jtis each at the same time', async () => {
    // Prepare
    const { path } = emptyStore();
    const child = join(import.meta.dirname, 'append-revocations.child.ts');
    const run = (tag: string) =>
      new Promise<number | null>((resolve, reject) => {
        const proc = spawn(process.execPath, ['--import', 'tsx', child, path, tag, '25'], {
          stdio: 'inherit',
        });
        proc.on('error', reject);
        proc.on('exit', resolve);
      });

    // Act
    const codes = await Promise.all(['p1', 'p2', 'p3', 'p4'].map(run));
    const records = new RevocationFileStore(path).records();

    // Assess
    expect(codes).toEqual([0, 0, 0, 0]);
    const jtis = records.map((r) => (r.kind === 'jti' ? r.jti : ''));
    expect(new Set(jtis).size).toBe(100);
    for (const tag of ['p1', 'p2', 'p3', 'p4']) {
      expect(jtis.filter((j) => j.startsWith(`${tag}-`))).toEqual(
        Array.from({ length: 25 }, (_, i) => `${tag}-${i}`),
      );
    }
  }, 120_000);
});

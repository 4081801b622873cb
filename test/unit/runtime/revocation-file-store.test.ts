import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RevocationRecord } from '../../../functions/core/revocation.ts';
import { RevocationFileStore } from '../../../functions/runtime/revocation-file-store.ts';
import { NOW, tempDirs } from '../helpers.ts';

const ISS = 'https://idp.example.test';
const dirs = tempDirs();
afterEach(dirs.cleanup);

const storePath = () => join(dirs.make(), 'state', 'revocations.json');
const fileOf = (records: unknown[]) => JSON.stringify({ version: 1, revocations: records });
const JTI: RevocationRecord = { kind: 'jti', jti: 'jti-1', revokedAt: NOW };
const query = { issuer: ISS, subject: 'alice', jti: 'jti-1' };
const NOTHING = { jtiRevoked: false, subjectRevokedAt: undefined };

/** Whether lookup throws, and with what; otherwise its answer. */
function lookupOutcome(store: RevocationFileStore): unknown {
  try {
    return store.lookup(query);
  } catch (error) {
    return { threw: (error as Error).message };
  }
}

describe('RevocationFileStore: reading', () => {
  it.each([
    { name: 'a missing file', text: undefined },
    { name: 'an empty file', text: '' },
    { name: 'a file of blank lines', text: '\n  \n' },
    { name: 'a file with an empty list', text: fileOf([]) },
  ])('treats $name as an empty store', ({ text }) => {
    // Prepare
    const path = join(dirs.make(), 'revocations.json');
    if (text !== undefined) writeFileSync(path, text);

    // Act
    const facts = new RevocationFileStore(path).lookup(query);

    // Assess
    expect(facts).toEqual(NOTHING);
  });

  it.each([
    { name: 'not JSON', text: '{"version":1,"revocations":[', message: /is not valid JSON/ },
    { name: 'JSON null', text: 'null', message: /expected \{ "revocations": \[\.\.\.\] \}/ },
    { name: 'without a list', text: '{"version":1}', message: /expected/ },
    {
      name: 'a record of unknown kind',
      text: fileOf([JTI, { kind: 'token', revokedAt: NOW }]),
      message: /revocations\[1\] is not a valid/,
    },
    {
      name: 'a jti record without jti',
      text: fileOf([{ kind: 'jti', revokedAt: NOW }]),
      message: /revocations\[0\]/,
    },
    {
      name: 'a subject record without issuer',
      text: fileOf([{ kind: 'subject', subject: 'a', revokedAt: NOW }]),
      message: /revocations\[0\]/,
    },
    {
      name: 'a revocation time as a string',
      text: fileOf([{ ...JTI, revokedAt: String(NOW) }]),
      message: /revocations\[0\]/,
    },
  ])('fails every lookup while the file is corrupt ($name), until it is repaired', ({ text, message }) => {
    // Prepare
    const path = join(dirs.make(), 'revocations.json');
    writeFileSync(path, text);
    const store = new RevocationFileStore(path);

    // Act
    const whileCorrupt = [lookupOutcome(store), lookupOutcome(store), lookupOutcome(store)];
    writeFileSync(path, fileOf([JTI]));
    const repaired = lookupOutcome(store);

    // Assess
    for (const outcome of whileCorrupt) expect(outcome).toEqual({ threw: expect.stringMatching(message) });
    expect(() => store.records()).not.toThrow();
    expect(repaired).toEqual({ jtiRevoked: true, subjectRevokedAt: undefined });
  });

  it('fails lookups when the path cannot be read as a file', () => {
    // Prepare
    const path = join(dirs.make(), 'revocations.json');
    mkdirSync(path);

    // Act
    const outcome = lookupOutcome(new RevocationFileStore(path));

    // Assess
    expect(outcome).toEqual({ threw: expect.stringMatching(/cannot be read: EISDIR/) });
  });

  it.each([
    {
      name: 'appended through another store instance',
      change: (path: string) => new RevocationFileStore(path).append(JTI),
    },
    {
      name: 'written in place by another writer',
      change: (path: string) => writeFileSync(path, fileOf([JTI])),
    },
  ])('sees a revocation $name on the next lookup', ({ change }) => {
    // Prepare
    const path = join(dirs.make(), 'revocations.json');
    writeFileSync(path, fileOf([]));
    const store = new RevocationFileStore(path);
    const before = store.lookup(query);

    // Act
    change(path);
    const after = store.lookup(query);

    // Assess
    expect(before).toEqual(NOTHING);
    expect(after).toEqual({ jtiRevoked: true, subjectRevokedAt: undefined });
  });

  it('sees a revocation removed by another writer', () => {
    // Prepare
    const path = storePath();
    const store = new RevocationFileStore(path);
    store.append({ kind: 'subject', issuer: ISS, subject: 'alice', revokedAt: NOW });
    const before = store.lookup(query);

    // Act
    writeFileSync(path, fileOf([]));
    const after = store.lookup(query);

    // Assess
    expect([before.subjectRevokedAt, after.subjectRevokedAt]).toEqual([NOW, undefined]);
  });
});

describe('RevocationFileStore: writing', () => {
  it('creates the folder and a private file, and keeps earlier records', () => {
    // Prepare
    const path = storePath();
    const store = new RevocationFileStore(path);
    const second: RevocationRecord = {
      kind: 'subject',
      issuer: ISS,
      subject: 'alice',
      revokedAt: NOW + 1,
      reason: 'left',
    };

    // Act
    const returned = [store.append(JTI), store.append(second)];

    // Assess
    expect(returned).toEqual([JTI, second]);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ version: 1, revocations: [JTI, second] });
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('refuses to append to a corrupt file rather than overwrite it', () => {
    // Prepare
    const path = join(dirs.make(), 'revocations.json');
    writeFileSync(path, '{"revocations": [oops');

    // Act + Assess
    expect(() => new RevocationFileStore(path).append(JTI)).toThrow(/not valid JSON/);
    expect(readFileSync(path, 'utf8')).toBe('{"revocations": [oops');
  });

  it('loses nothing when 4 processes append 25 records each at the same time', async () => {
    // Prepare
    const path = storePath();
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
    expect(records).toHaveLength(100);
    const jtis = new Set(records.map((r) => (r.kind === 'jti' ? r.jti : '')));
    expect(jtis.size).toBe(100);
    for (const tag of ['p1', 'p2', 'p3', 'p4']) {
      const own = records.filter((r) => r.kind === 'jti' && r.jti.startsWith(`${tag}-`));
      expect(own.map((r) => (r.kind === 'jti' ? r.jti : ''))).toEqual(
        Array.from({ length: 25 }, (_, i) => `${tag}-${i}`),
      );
    }
  }, 60_000);
});

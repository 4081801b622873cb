/**
 * The local revocation store's contract (functions/runtime/revocation-document.ts): only a valid
 * document is a store. Missing, empty, truncated or corrupt — at start or while running — every
 * lookup fails (the authorizer denies `revocation_unavailable`) with a message naming the file and
 * the fix, until a valid document is back; nothing is read as "no revocations".
 */
import { mkdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { RevocationRecord } from '../../../functions/core/revocation.ts';
import { createEmptyRevocationStore } from '../../../functions/runtime/revocation-document.ts';
import { RevocationFileStore } from '../../../functions/runtime/revocation-file-store.ts';
import { NOW, tempDirs } from '../helpers.ts';

const ISS = 'https://idp.example.test';
const dirs = tempDirs();
afterEach(dirs.cleanup);

const fileOf = (records: unknown[]) => JSON.stringify({ version: 1, revocations: records });
const JTI: RevocationRecord = { kind: 'jti', jti: 'jti-1', revokedAt: NOW };
const query = { issuer: ISS, subject: 'alice', jti: 'jti-1' };
const NOTHING = { jtiRevoked: false, subjectRevokedAt: undefined };
const REVOKED = { jtiRevoked: true, subjectRevokedAt: undefined };

/** Whether lookup throws, and with what; otherwise its answer. */
function lookupOutcome(store: RevocationFileStore): unknown {
  try {
    return store.lookup(query);
  } catch (error) {
    return { threw: (error as Error).message, name: (error as Error).name };
  }
}

const failing = (message: RegExp) => ({
  threw: expect.stringMatching(message),
  name: 'RevocationUnavailable',
});

describe('RevocationFileStore: only a valid document is a store', () => {
  it.each([
    {
      name: 'a missing file',
      text: undefined,
      message: /does not exist: create an empty one with "zta revocations init/,
    },
    { name: 'an empty file', text: '', message: /is empty, so the revocations it held are unknown/ },
    { name: 'a file of blank lines', text: '\n  \n', message: /is empty/ },
    { name: 'not JSON', text: '{"version":1,"revocations":[', message: /is not valid JSON/ },
    { name: 'JSON null', text: 'null', message: /expected \{ "version": 1, "revocations": \[\.\.\.\] \}/ },
    { name: 'no version', text: '{"revocations":[]}', message: /expected \{ "version": 1/ },
    { name: 'without a list', text: '{"version":1}', message: /expected/ },
    {
      name: 'an audit that is not a list',
      text: '{"version":1,"revocations":[],"audit":{}}',
      message: /"audit"/,
    },
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
  ])('fails every lookup for $name, naming the file, until a valid document is back', ({ text, message }) => {
    // Prepare
    const path = join(dirs.make(), 'revocations.json');
    if (text !== undefined) writeFileSync(path, text);
    const store = new RevocationFileStore(path);

    // Act
    const whileBad = [lookupOutcome(store), lookupOutcome(store)];
    writeFileSync(path, fileOf([JTI]));
    const repaired = lookupOutcome(store);

    // Assess
    for (const outcome of whileBad) {
      expect(outcome).toEqual(failing(message));
      expect((outcome as { threw: string }).threw).toContain(path);
    }
    expect(repaired).toEqual(REVOKED);
  });

  it('answers "nothing revoked" for a valid empty document', () => {
    const path = join(dirs.make(), 'revocations.json');
    createEmptyRevocationStore(path);
    expect(new RevocationFileStore(path).lookup(query)).toEqual(NOTHING);
  });

  it.each([
    { name: 'is deleted', change: (path: string) => rmSync(path) },
    { name: 'is truncated to nothing', change: (path: string) => truncateSync(path, 0) },
    { name: 'is truncated mid-document', change: (path: string) => truncateSync(path, 20) },
    { name: 'is replaced by whitespace', change: (path: string) => writeFileSync(path, '   \n') },
  ])(
    'fails closed when a valid store $name while the process runs, and recovers without restart',
    ({ change }) => {
      // Prepare
      const path = join(dirs.make(), 'revocations.json');
      writeFileSync(path, fileOf([JTI]));
      const store = new RevocationFileStore(path);
      const before = lookupOutcome(store);

      // Act
      change(path);
      const during = lookupOutcome(store);
      writeFileSync(path, fileOf([JTI]));
      const after = lookupOutcome(store);

      // Assess
      expect(before).toEqual(REVOKED);
      expect(during).toEqual(failing(/revocation store/));
      expect(after).toEqual(REVOKED);
    },
  );

  it('fails lookups when the path cannot be read as a file', () => {
    const path = join(dirs.make(), 'revocations.json');
    mkdirSync(path);
    expect(lookupOutcome(new RevocationFileStore(path))).toEqual(failing(/cannot be read: EISDIR/));
  });

  it('sees a revocation written by another writer on the next lookup, and its removal', () => {
    // Prepare
    const path = join(dirs.make(), 'revocations.json');
    writeFileSync(path, fileOf([]));
    const store = new RevocationFileStore(path);

    // Act
    const before = store.lookup(query);
    writeFileSync(path, fileOf([{ kind: 'subject', issuer: ISS, subject: 'alice', revokedAt: NOW }]));
    const revoked = store.lookup(query);
    writeFileSync(path, fileOf([]));
    const lifted = store.lookup(query);

    // Assess
    expect([before, revoked.subjectRevokedAt, lifted]).toEqual([NOTHING, NOW, NOTHING]);
  });
});

describe('createEmptyRevocationStore', () => {
  it('creates the folder and a private, valid, empty store', () => {
    const path = join(dirs.make(), 'nested', 'revocations.json');
    createEmptyRevocationStore(path);
    expect(new RevocationFileStore(path).records()).toEqual([]);
  });

  it.each([
    { name: 'a valid store', text: fileOf([JTI]) },
    { name: 'an empty file', text: '' },
    { name: 'a corrupt file', text: '{ oops' },
  ])('never replaces $name', ({ text }) => {
    const path = join(dirs.make(), 'revocations.json');
    writeFileSync(path, text);
    expect(() => createEmptyRevocationStore(path)).toThrow(/exists already: nothing was changed/);
    expect(readFileSync(path, 'utf8')).toBe(text);
  });
});

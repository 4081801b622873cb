import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname } from 'node:path';
import {
  indexRevocations,
  type RevocationFacts,
  type RevocationQuery,
  type RevocationRecord,
  type RevocationStore,
} from '../core/revocation.ts';
import { fileStamp } from './jwks-file.ts';

/**
 * The local revocation store: one JSON file, `{ "version": 1, "revocations": [ ... ] }`.
 *
 * Reads: a missing or empty file is an empty store; a file that cannot be read or parsed makes
 * every lookup throw (the authorizer then denies) until it is repaired. The file is re-indexed
 * whenever it changes, so `zta revoke` in another process takes effect on the next request.
 * Writes: read-modify-write under a lock file, then an atomic rename, so two concurrent
 * `revoke` calls cannot lose each other's record and a reader never sees half a file.
 */
export class RevocationFileStore implements RevocationStore {
  private stamp: string | undefined;
  private index: RevocationStore = indexRevocations([]);
  private failure: Error | undefined;

  constructor(readonly path: string) {}

  lookup(query: RevocationQuery): RevocationFacts {
    this.reloadIfChanged();
    if (this.failure) throw this.failure;
    return this.index.lookup(query) as RevocationFacts;
  }

  /** Every record in the file (throws when the file is corrupt). */
  records(): RevocationRecord[] {
    return readRecords(this.path);
  }

  /** Appends one record durably and returns it. */
  append(record: RevocationRecord): RevocationRecord {
    mkdirSync(dirname(this.path), { recursive: true });
    withLock(`${this.path}.lock`, () => {
      const records = readRecords(this.path);
      records.push(record);
      const temp = `${this.path}.${process.pid}.tmp`;
      writeFileSync(temp, `${JSON.stringify({ version: 1, revocations: records }, null, 2)}\n`, {
        mode: 0o600,
      });
      renameSync(temp, this.path);
    });
    return record;
  }

  private reloadIfChanged(): void {
    const stamp = fileStamp(this.path);
    if (stamp === this.stamp) return;
    try {
      this.index = indexRevocations(readRecords(this.path));
      this.failure = undefined;
    } catch (error) {
      this.failure = error as Error;
    }
    this.stamp = stamp;
  }
}

function readRecords(path: string): RevocationRecord[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new Error(`revocation store ${path} cannot be read: ${(error as NodeJS.ErrnoException).code}`);
  }
  if (text.trim() === '') return [];
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new Error(`revocation store ${path} is not valid JSON`);
  }
  const list = (document as { revocations?: unknown } | null)?.revocations;
  if (!Array.isArray(list)) throw new Error(`revocation store ${path}: expected { "revocations": [...] }`);
  return list.map((item, i) => checkRecord(item, `${path}: revocations[${i}]`));
}

/** Validates one stored record; a corrupt record makes the whole store unusable (fail closed). */
export function checkRecord(item: unknown, where: string): RevocationRecord {
  const r = item as Record<string, unknown> | null;
  const text = (v: unknown) => typeof v === 'string' && v !== '';
  const okTime = typeof r?.revokedAt === 'number' && Number.isFinite(r.revokedAt);
  if (r && okTime && r.kind === 'jti' && text(r.jti) && (r.issuer === undefined || text(r.issuer))) {
    return r as unknown as RevocationRecord;
  }
  if (r && okTime && r.kind === 'subject' && text(r.issuer) && text(r.subject)) {
    return r as unknown as RevocationRecord;
  }
  throw new Error(`${where} is not a valid revocation record`);
}

const LOCK_WAIT_MS = 5000;
const STALE_LOCK_MS = 30_000;

function withLock(lockPath: string, action: () => void): void {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      closeSync(openSync(lockPath, 'wx'));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A writer that crashed leaves its lock behind; one older than any write is abandoned.
      if (Date.now() - lockAge(lockPath) > STALE_LOCK_MS) rmSync(lockPath, { force: true });
      if (Date.now() > deadline) throw new Error(`revocation store is locked by another writer: ${lockPath}`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
  try {
    action();
  } finally {
    rmSync(lockPath, { force: true });
  }
}

function lockAge(lockPath: string): number {
  try {
    return statSync(lockPath).mtimeMs;
  } catch {
    return Date.now();
  }
}

import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { type RevocationRecord, RevocationUnavailable } from '../core/revocation.ts';
import type { AuditEntry, RevocationTarget } from '../core/revocation-writer.ts';

/**
 * The local revocation store's file: `{ "version": 1, "revocations": [...], "audit": [...] }`.
 * `revocations` holds what is in force (one record per target), `audit` every revoke and
 * un-revoke ever asked for. A reader that knows only `revocations` (an older `zta`) still reads
 * exactly what is in force.
 *
 * Only a valid document is a store. A missing, empty or whitespace-only file is NOT an empty
 * store: `rm revocations.json` or a truncation would otherwise un-revoke everyone, silently.
 * Every such problem throws `RevocationUnavailable` naming the file and the fix; the authorizer
 * then denies (`revocation_unavailable`) and writers refuse to touch the file.
 */
export interface RevocationDocument {
  readonly version: 1;
  readonly revocations: StoredRevocation[];
  readonly audit: StoredAuditEntry[];
}

/** A record in force, with what the writer keeps for idempotency and retention. */
export type StoredRevocation = RevocationRecord & {
  readonly trigger?: 'auto' | 'manual';
  /** The request that put this revocation in force (a repeat of it is recognised). */
  readonly requestId?: string;
  /** When the record may be forgotten (subject revocations), epoch seconds. */
  readonly expiresAt?: number;
};

export type StoredAuditEntry = AuditEntry & { readonly target: RevocationTarget };

const INIT_HINT = 'zta revocations init --config <your config file>';

/** The document an empty store holds. */
export const emptyDocument = (): RevocationDocument => ({ version: 1, revocations: [], audit: [] });

/** Reads and validates the store at `path`; throws `RevocationUnavailable` for anything else. */
export function readRevocationDocument(path: string): RevocationDocument {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new RevocationUnavailable(
        `revocation store ${path} does not exist: create an empty one with "${INIT_HINT}" ` +
          '(or set "revocations": null to run without revocation checks)',
      );
    }
    throw new RevocationUnavailable(`revocation store ${path} cannot be read: ${code ?? String(error)}`);
  }
  if (text.trim() === '') {
    throw new RevocationUnavailable(
      `revocation store ${path} is empty, so the revocations it held are unknown: restore it from a ` +
        `backup, or delete it and run "${INIT_HINT}" to start again with none`,
    );
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new RevocationUnavailable(`revocation store ${path} is not valid JSON: repair or restore it`);
  }
  const doc = document as { version?: unknown; revocations?: unknown; audit?: unknown } | null;
  if (typeof doc !== 'object' || doc === null || doc.version !== 1 || !Array.isArray(doc.revocations)) {
    throw new RevocationUnavailable(
      `revocation store ${path}: expected { "version": 1, "revocations": [...] }: repair or restore it`,
    );
  }
  if (doc.audit !== undefined && !Array.isArray(doc.audit)) {
    throw new RevocationUnavailable(
      `revocation store ${path}: "audit" must be an array: repair or restore it`,
    );
  }
  return {
    version: 1,
    revocations: doc.revocations.map((item, i) => checkRecord(item, `${path}: revocations[${i}]`)),
    audit: (doc.audit ?? []) as StoredAuditEntry[],
  };
}

/** Validates one stored record; a corrupt record makes the whole store unusable (fail closed). */
export function checkRecord(item: unknown, where: string): StoredRevocation {
  const r = item as Record<string, unknown> | null;
  const text = (v: unknown) => typeof v === 'string' && v !== '';
  const okTime = typeof r?.revokedAt === 'number' && Number.isFinite(r.revokedAt);
  if (r && okTime && r.kind === 'jti' && text(r.jti) && (r.issuer === undefined || text(r.issuer))) {
    return r as unknown as StoredRevocation;
  }
  if (r && okTime && r.kind === 'subject' && text(r.issuer) && text(r.subject)) {
    return r as unknown as StoredRevocation;
  }
  throw new RevocationUnavailable(`${where} is not a valid revocation record: repair or restore the store`);
}

/** Replaces the file with `document` atomically (temp file + rename), private to the user. */
export function writeRevocationDocument(path: string, document: RevocationDocument): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(document, null, 2)}\n`, { mode: 0o600 });
  renameSync(temp, path);
}

/**
 * Creates an empty store at `path` (and its folder). Refuses when anything exists there: a file
 * that is there may hold revocations, even if it cannot be read.
 */
export function createEmptyRevocationStore(path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  try {
    writeFileSync(path, `${JSON.stringify(emptyDocument(), null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new Error(`${path} exists already: nothing was changed (a store is never replaced)`);
    }
    throw error;
  }
}

import type { RevocationRecord } from '../core/revocation.ts';
import {
  type AuditEntry,
  type RevocationAudit,
  type RevocationLedger,
  type RevocationTarget,
  type RevokeResult,
  recordFor,
} from '../core/revocation-writer.ts';
import { withFileLock } from './file-lock.ts';
import {
  type RevocationDocument,
  readRevocationDocument,
  type StoredAuditEntry,
  type StoredRevocation,
  writeRevocationDocument,
} from './revocation-document.ts';

/**
 * `RevocationLedger` over the local revocation file, with the DynamoDB table's semantics:
 * - one record in force per target; a subject revocation may move later (it then covers more
 *   tokens), never earlier; a jti revocation already in force is `unchanged`;
 * - idempotent per request id: a repeat of the request that put a revocation in force reports
 *   `revoked` again, any other repeat is `unchanged`, and neither adds an audit entry;
 * - every call is audited in the file (`audit`), un-revocations included;
 * - a store that is not a valid document is never written (the read throws first), and every
 *   write is a read-modify-write under the store's lock file, then an atomic rename.
 */
export class FileRevocationWriter implements RevocationLedger {
  constructor(
    readonly path: string,
    /** Wall clock for audit entries (`at`: when the request was made). */
    private readonly now: () => number = Date.now,
  ) {}

  revoke(
    target: RevocationTarget,
    revokedAt: number,
    audit: RevocationAudit,
    options: { readonly expiresAt?: number } = {},
  ): Promise<RevokeResult> {
    return this.update((doc) => {
      const index = doc.revocations.findIndex((r) => sameTarget(r, target));
      const current = index < 0 ? undefined : doc.revocations[index];
      const inForce =
        current !== undefined && (current.expiresAt === undefined || current.expiresAt > revokedAt);
      if (inForce && current.requestId === audit.requestId) return { outcome: 'revoked', record: current };
      if (seen(doc, target, 'revoke', audit.requestId)) {
        return { outcome: 'unchanged', record: current ?? recordFor(target, revokedAt, audit) };
      }
      let result: RevokeResult;
      if (inForce && (current.kind === 'jti' || current.revokedAt >= revokedAt)) {
        result = { outcome: 'unchanged', record: current };
      } else {
        const record: StoredRevocation = {
          ...recordFor(target, revokedAt, audit),
          trigger: audit.trigger,
          requestId: audit.requestId,
          ...(options.expiresAt === undefined ? {} : { expiresAt: options.expiresAt }),
        };
        if (index < 0) doc.revocations.push(record);
        else doc.revocations[index] = record;
        result = { outcome: 'revoked', record };
      }
      doc.audit.push(this.entry('revoke', target, audit, result.outcome, result.record.revokedAt));
      return result;
    });
  }

  unrevoke(
    target: RevocationTarget,
    _atSeconds: number,
    audit: RevocationAudit,
  ): Promise<{ readonly outcome: 'unrevoked' | 'unchanged' }> {
    return this.update((doc) => {
      const earlier = doc.audit.find((e) => isEntry(e, target, 'unrevoke', audit.requestId));
      if (earlier) return { outcome: earlier.outcome === 'unrevoked' ? 'unrevoked' : 'unchanged' };
      const index = doc.revocations.findIndex((r) => sameTarget(r, target));
      const outcome = index < 0 ? 'unchanged' : 'unrevoked';
      if (index >= 0) doc.revocations.splice(index, 1);
      doc.audit.push(this.entry('unrevoke', target, audit, outcome));
      return { outcome };
    });
  }

  async list(nowSeconds: number): Promise<RevocationRecord[]> {
    return readRevocationDocument(this.path).revocations.filter(
      (r) => r.expiresAt === undefined || r.expiresAt > nowSeconds,
    );
  }

  async history(target: RevocationTarget): Promise<AuditEntry[]> {
    return readRevocationDocument(this.path)
      .audit.filter((e) => sameTargetOf(e.target, target))
      .map(({ target: _target, ...entry }) => entry);
  }

  /** Read (failing on anything but a valid document), change, write back, under the lock. */
  private update<T>(change: (doc: RevocationDocument) => T): Promise<T> {
    return withFileLock(this.path, () => {
      const doc = readRevocationDocument(this.path);
      const before = JSON.stringify(doc);
      const result = change(doc);
      if (JSON.stringify(doc) !== before) writeRevocationDocument(this.path, doc);
      return result;
    });
  }

  private entry(
    action: AuditEntry['action'],
    target: RevocationTarget,
    audit: RevocationAudit,
    outcome: string,
    revokedAt?: number,
  ): StoredAuditEntry {
    return {
      action,
      target,
      actor: audit.actor,
      reason: audit.reason,
      trigger: audit.trigger,
      requestId: audit.requestId,
      at: Math.floor(this.now() / 1000),
      outcome,
      ...(revokedAt === undefined ? {} : { revokedAt }),
    };
  }
}

function seen(doc: RevocationDocument, target: RevocationTarget, action: string, requestId: string): boolean {
  return doc.audit.some((e) => isEntry(e, target, action, requestId));
}

function isEntry(e: StoredAuditEntry, target: RevocationTarget, action: string, requestId: string): boolean {
  return e.action === action && e.requestId === requestId && sameTargetOf(e.target, target);
}

function sameTarget(record: RevocationRecord, target: RevocationTarget): boolean {
  if (target.kind === 'subject') {
    return record.kind === 'subject' && record.issuer === target.issuer && record.subject === target.subject;
  }
  return record.kind === 'jti' && record.jti === target.jti && record.issuer === target.issuer;
}

function sameTargetOf(a: RevocationTarget | undefined, b: RevocationTarget): boolean {
  if (!a || a.kind !== b.kind || a.issuer !== b.issuer) return false;
  return a.kind === 'subject' ? a.subject === (b as typeof a).subject : a.jti === (b as typeof a).jti;
}

import type { RevocationRecord } from '../core/revocation.ts';
import {
  type RevocationAudit,
  type RevocationTarget,
  type RevocationWriter,
  type RevokeResult,
  recordFor,
} from '../core/revocation-writer.ts';
import type { RevocationFileStore } from './revocation-file-store.ts';

/**
 * `RevocationWriter` over the local revocation file (`zta serve`'s auto-revocation). Records
 * carry the audit trail (`revokedBy`, `reason`, `trigger`, `requestId`) in the file itself.
 * Idempotent like the table: a subject already revoked at or after the time, a jti already
 * revoked, or a request already recorded is `unchanged`, nothing appended. Un-revoking is not
 * offered: the file is append-only by design (edit it by hand, or use the DynamoDB store).
 */
export class FileRevocationWriter implements RevocationWriter {
  constructor(private readonly store: RevocationFileStore) {}

  async revoke(target: RevocationTarget, revokedAt: number, audit: RevocationAudit): Promise<RevokeResult> {
    const existing = this.store.records().filter((r) => sameTarget(r, target));
    const repeat = existing.find((r) => (r as { requestId?: string }).requestId === audit.requestId);
    if (repeat) return { outcome: 'revoked', record: repeat };
    const covering = existing
      .filter((r) => r.kind === 'jti' || r.revokedAt >= revokedAt)
      .sort((a, b) => b.revokedAt - a.revokedAt)[0];
    if (covering) return { outcome: 'unchanged', record: covering };
    const record = {
      ...recordFor(target, revokedAt, audit),
      trigger: audit.trigger,
      requestId: audit.requestId,
    };
    this.store.append(record as RevocationRecord);
    return { outcome: 'revoked', record };
  }

  async unrevoke(): Promise<never> {
    throw new Error(
      'the local revocation file is append-only: un-revoke by editing it, or use a DynamoDB store',
    );
  }
}

function sameTarget(record: RevocationRecord, target: RevocationTarget): boolean {
  if (target.kind === 'subject') {
    return record.kind === 'subject' && record.issuer === target.issuer && record.subject === target.subject;
  }
  return record.kind === 'jti' && record.jti === target.jti && record.issuer === target.issuer;
}

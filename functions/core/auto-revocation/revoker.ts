/**
 * The revoker: what happens to a principal suspected of compromise (or revoked by hand), as a
 * function of its ports. In order: write the revocation (idempotent, audited), flush the
 * authorizer caches of the protected stages so a cached ALLOW does not outlive it, then emit
 * `Credential Revoked` and notify humans.
 *
 * Error semantics: a revocation that cannot be written throws before anything is announced
 * (nothing claims a revocation that did not happen). Cache flush, event and notification
 * failures do not undo the revocation; they are returned as `failures`, and the caller (the
 * Lambda handler) then fails the invocation so the platform retries: the retry's write is a
 * no-op (same `requestId`), the flush and announcements are repeated (at least once).
 */
import {
  type CredentialRevokedDetail,
  credentialRevokedEvent,
  type SuiteEvent,
  type SuspectedCompromiseDetail,
} from '../events/schema.ts';
import {
  AUTO_REVOCATION_ACTOR,
  type RevocationAudit,
  type RevocationTarget,
  type RevocationWriter,
  revokeThrough,
} from '../revocation-writer.ts';

export interface CacheFlushResult {
  /** `apiId/stage` (or `local` for the local gateway). */
  readonly stage: string;
  readonly ok: boolean;
  readonly error?: string;
}

export interface RevokerPorts {
  readonly revocations: RevocationWriter;
  /** Flushes every protected stage's authorizer cache; one result per stage. */
  readonly flushCaches: () => Promise<readonly CacheFlushResult[]>;
  readonly publish: (event: SuiteEvent) => Promise<void>;
  readonly notify: (notice: { readonly subject: string; readonly message: string }) => Promise<void>;
}

export interface RevokerOptions {
  /** How long a subject revocation is kept (see `subjectRetentionSeconds`). */
  readonly subjectRetentionSeconds: number;
}

export interface RevocationReport {
  readonly detail: CredentialRevokedDetail;
  /** What did not work after the revocation was written; empty when everything did. */
  readonly failures: readonly string[];
}

export interface Revoker {
  /** Revokes every token of the alert's principal issued at or before now. */
  onSuspectedCompromise(alert: SuspectedCompromiseDetail, nowMs: number): Promise<RevocationReport>;
  /** A manual revocation (admin route): same flush and announcements. */
  revoke(target: RevocationTarget, audit: RevocationAudit, nowMs: number): Promise<RevocationReport>;
}

export function createRevoker(ports: RevokerPorts, options: RevokerOptions): Revoker {
  async function apply(target: RevocationTarget, audit: RevocationAudit, nowMs: number) {
    const revokedAt = Math.floor(nowMs / 1000);
    const written = await revokeThrough(
      ports.revocations,
      target,
      revokedAt,
      audit,
      options.subjectRetentionSeconds,
    );

    let flushed: readonly CacheFlushResult[];
    try {
      flushed = await ports.flushCaches();
    } catch (error) {
      flushed = [{ stage: '*', ok: false, error: message(error) }];
    }
    const record = written.record;
    const detail: CredentialRevokedDetail = {
      version: 1,
      revocationId: audit.requestId,
      trigger: audit.trigger,
      kind: record.kind,
      ...(record.issuer === undefined ? {} : { issuer: record.issuer }),
      ...(record.kind === 'subject' ? { subject: record.subject } : { jti: record.jti }),
      revokedAt: record.revokedAt,
      revokedBy: record.revokedBy ?? audit.actor,
      reason: record.reason ?? audit.reason,
      outcome: written.outcome,
      cacheFlush: flushed.map(({ stage, ok }) => ({ stage, ok })),
    };
    const failures = flushed
      .filter((f) => !f.ok)
      .map((f) => `cache flush ${f.stage}: ${f.error ?? 'failed'}`);
    const announced = await Promise.allSettled([
      ports.publish(credentialRevokedEvent(detail)),
      ports.notify(notice(detail)),
    ]);
    announced.forEach((r, i) => {
      if (r.status === 'rejected')
        failures.push(`${i === 0 ? 'event' : 'notification'}: ${message(r.reason)}`);
    });
    return { detail, failures };
  }

  return {
    onSuspectedCompromise(alert, nowMs) {
      const audit: RevocationAudit = {
        actor: AUTO_REVOCATION_ACTOR,
        reason: `${alert.denials} policy denials in ${alert.windowSeconds} s (threshold ${alert.threshold}), last decision ${alert.decisionId}`,
        requestId: alert.alertId,
        trigger: 'auto',
      };
      return apply({ kind: 'subject', issuer: alert.issuer, subject: alert.subject }, audit, nowMs);
    },
    revoke: apply,
  };
}

function notice(detail: CredentialRevokedDetail): { subject: string; message: string } {
  const who =
    detail.kind === 'subject' ? `subject ${detail.subject} of ${detail.issuer}` : `token jti ${detail.jti}`;
  const lines = [
    `${detail.trigger === 'auto' ? 'Automatic' : 'Manual'} revocation: ${who}.`,
    detail.kind === 'subject'
      ? `Every token issued at or before ${new Date(detail.revokedAt * 1000).toISOString()} (plus the issuer's clock tolerance) is refused.`
      : 'That token is refused.',
    `Reason: ${detail.reason}`,
    `By: ${detail.revokedBy}; outcome: ${detail.outcome}; revocation id: ${detail.revocationId}`,
    `Authorizer caches flushed: ${detail.cacheFlush.map((f) => `${f.stage} ${f.ok ? 'ok' : 'FAILED'}`).join(', ') || 'none configured'}`,
  ];
  // SNS subjects are at most 100 printable ASCII characters.
  const subject = `zta: credential revoked (${detail.trigger})`.replace(/[^\x20-\x7e]/g, '?').slice(0, 100);
  return { subject, message: lines.join('\n') };
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Writing revocations, the other half of `RevocationStore`: one interface for the DynamoDB
 * table (Lambda revoker, admin route, `zta revoke --env`) and the local file (`zta serve`'s
 * auto-revocation), so the revoker core does not know where revocations live.
 *
 * Semantics every implementation keeps:
 * - idempotent: repeating a request (same `requestId`) never moves a revocation and reports
 *   the same outcome; an equal or later subject revocation already in place is `unchanged`;
 * - audited: every call leaves who (`actor`), why (`reason`), when and how (`trigger`);
 * - fail loudly: a write that cannot be made throws, it is never reported as done.
 */
import type { RevocationRecord } from './revocation.ts';

/** What to revoke: one token by `jti` (optionally of one issuer), or every token of a subject. */
export type RevocationTarget =
  | { readonly kind: 'jti'; readonly jti: string; readonly issuer?: string }
  | { readonly kind: 'subject'; readonly issuer: string; readonly subject: string };

/** Who asked, why, and the request's idempotency key. */
export interface RevocationAudit {
  /** An IAM ARN, `cli:<user>`, or `zta:auto-revocation`. */
  readonly actor: string;
  readonly reason: string;
  /** Alert id (automatic) or a fresh id per manual request; repeats of one request share it. */
  readonly requestId: string;
  readonly trigger: 'auto' | 'manual';
}

export interface RevokeResult {
  readonly outcome: 'revoked' | 'unchanged';
  /** The revocation now in force for the target. */
  readonly record: RevocationRecord;
}

export interface RevocationWriter {
  /**
   * Revokes `target` at `revokedAt` (epoch seconds). `expiresAt` (epoch seconds) is when the
   * record may be forgotten: after every token it can match has expired.
   */
  revoke(
    target: RevocationTarget,
    revokedAt: number,
    audit: RevocationAudit,
    options?: { readonly expiresAt?: number },
  ): Promise<RevokeResult>;
  /** Lifts a revocation; `unchanged` when none was in force. */
  unrevoke(
    target: RevocationTarget,
    atSeconds: number,
    audit: RevocationAudit,
  ): Promise<{ readonly outcome: 'unrevoked' | 'unchanged' }>;
}

/** The record a target becomes when revoked at `revokedAt` by `audit`. */
export function recordFor(
  target: RevocationTarget,
  revokedAt: number,
  audit: RevocationAudit,
): RevocationRecord {
  const who = { revokedAt, revokedBy: audit.actor, reason: audit.reason };
  return target.kind === 'jti'
    ? {
        kind: 'jti',
        jti: target.jti,
        ...(target.issuer === undefined ? {} : { issuer: target.issuer }),
        ...who,
      }
    : { kind: 'subject', issuer: target.issuer, subject: target.subject, ...who };
}

/**
 * How long a subject revocation must be kept: every token it can match was issued at or
 * before `revokedAt`, so it is dead `maxLifetime + clockTolerance` later. Beyond that the
 * record changes no decision and may expire (`margin` absorbs clock differences).
 */
export function subjectRetentionSeconds(
  issuers: readonly { readonly maxLifetimeSeconds: number; readonly clockToleranceSeconds: number }[],
  margin = 300,
): number {
  const longest = Math.max(0, ...issuers.map((i) => i.maxLifetimeSeconds + i.clockToleranceSeconds));
  return longest + margin;
}

/**
 * Writing revocations, the other half of `RevocationStore`: one interface for the DynamoDB
 * table and the local file, and one path every entry point records through (`revokeThrough`):
 * `zta revoke --config` / `--env`, `zta serve`'s auto-revoker, the admin route and the AWS
 * revoker. The revoker core does not know where revocations live.
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

/** One audit entry: who did what to which target, why, when, and what came of it. */
export interface AuditEntry {
  readonly action: 'revoke' | 'unrevoke';
  readonly actor: string;
  readonly reason: string;
  readonly trigger: 'auto' | 'manual';
  readonly requestId: string;
  /** When the request was made (epoch seconds, the writer's clock). */
  readonly at: number;
  readonly outcome: string;
  readonly revokedAt?: number;
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

/** A writer that can also say what is in force and what happened: what operators look at. */
export interface RevocationLedger extends RevocationWriter {
  /** Revocations in force at `nowSeconds`. */
  list(nowSeconds: number): Promise<RevocationRecord[]>;
  /** Every audit entry of a target, oldest first. */
  history(target: RevocationTarget): Promise<AuditEntry[]>;
}

/** The actor of a revocation made by the `zta` CLI, whatever the store. */
export const cliActor = (user: string, host: string): string => `cli:${user}@${host}`;

/** The actor of a revocation made by spike detection, in AWS and in `zta serve`. */
export const AUTO_REVOCATION_ACTOR = 'zta:auto-revocation';

/**
 * How long a subject revocation is kept when the issuers are not known: beyond the longest token
 * lifetime the config allows (30 days) plus twice the largest clock tolerance (300 s each way).
 */
export const MAX_SUBJECT_RETENTION_SECONDS = 31 * 86_400;

/**
 * Records `target` as revoked at `revokedAt` through `writer`: the one path every entry point
 * takes, so idempotency, audit and retention are the same everywhere. A subject revocation may
 * be forgotten `retentionSeconds` later; a jti revocation is kept.
 */
export function revokeThrough(
  writer: RevocationWriter,
  target: RevocationTarget,
  revokedAt: number,
  audit: RevocationAudit,
  retentionSeconds: number,
): Promise<RevokeResult> {
  const expiresAt = target.kind === 'subject' ? revokedAt + retentionSeconds : undefined;
  return writer.revoke(target, revokedAt, audit, expiresAt === undefined ? {} : { expiresAt });
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
 * How long a subject revocation must be kept: every token it can match was issued at or before
 * `revokedAt + clockTolerance`, lives at most `maxLifetime`, and is accepted up to
 * `clockTolerance` past its `exp`. Beyond that the record changes no decision and may expire
 * (`margin` absorbs clock differences). Without issuers, `MAX_SUBJECT_RETENTION_SECONDS`.
 */
export function subjectRetentionSeconds(
  issuers: readonly { readonly maxLifetimeSeconds: number; readonly clockToleranceSeconds: number }[],
  margin = 300,
): number {
  if (issuers.length === 0) return MAX_SUBJECT_RETENTION_SECONDS;
  const longest = Math.max(...issuers.map((i) => i.maxLifetimeSeconds + 2 * i.clockToleranceSeconds));
  return longest + margin;
}

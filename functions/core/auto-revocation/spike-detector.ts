/**
 * Per-principal denial-spike detection: a pure function of (decision, counters, now).
 *
 * Only a policy denial (403) of a token whose signature and claims verified counts: a 401 names
 * a `sub` the caller merely wrote into a token, so counting it would let anyone lock a victim
 * out by flooding forged tokens with the victim's `sub`. Denials are counted per principal
 * (`iss` + `sub`) in a sliding window of `windowSeconds`, in buckets of `bucketSeconds` (one
 * second for windows up to a minute); the count is idempotent per `decisionId`, so a decision
 * delivered twice counts once. Crossing `denyThreshold` yields one `Principal Suspected
 * Compromise` per principal per window — the store's alert claim is atomic, so concurrent
 * detectors cannot both alert, and it belongs to the crossing decision, so a retried delivery
 * of that decision raises the same alert (same `alertId`) again rather than losing it.
 *
 * Error semantics: a store failure throws (the caller's platform retries the event); a decision
 * older than the window is ignored (a late replay must not revoke someone today).
 */
import type { AuthorizationDecisionDetail, SuspectedCompromiseDetail } from '../events/schema.ts';

/** Atomic, idempotent denial counters (DynamoDB in AWS, memory locally). */
export interface DenialCounterStore {
  /**
   * Counts `decisionId` once in the bucket starting at `bucketStart`, then returns the sum of
   * the principal's buckets from `fromBucket` to `bucketStart` that are still live at `at`.
   * `counted` is false when the decision had been counted before.
   */
  addDenial(input: {
    readonly principal: string;
    readonly decisionId: string;
    readonly bucketStart: number;
    readonly fromBucket: number;
    readonly at: number;
    /** Epoch seconds after which the bucket can no longer fall in any window (its TTL). */
    readonly expiresAt: number;
  }): Promise<{ readonly counted: boolean; readonly total: number }>;
  /**
   * Claims the principal's alert for `decisionId` until `until`: true when no claim is live at
   * `at`, or the live claim is this decision's own (a retry of the same decision re-emits).
   */
  claimAlert(input: {
    readonly principal: string;
    readonly decisionId: string;
    readonly at: number;
    readonly until: number;
  }): Promise<boolean>;
}

export interface SpikeDetectorOptions {
  readonly denyThreshold: number;
  readonly windowSeconds: number;
  readonly counters: DenialCounterStore;
}

export interface SpikeDetector {
  /** Counts one decision; returns the alert when this decision crossed the threshold. */
  observe(decision: AuthorizationDecisionDetail, nowMs: number): Promise<SuspectedCompromiseDetail | null>;
}

/** Whether a decision is evidence against its principal: a 403 for a verified token. */
export function countsTowardsSpike(
  d: Pick<AuthorizationDecisionDetail, 'status' | 'claimsVerified' | 'issuer' | 'subject'>,
): d is typeof d & { issuer: string; subject: string } {
  return d.status === 403 && d.claimsVerified === true && !!d.issuer && !!d.subject;
}

/** Bucket width for a window: one second up to a minute, then 1/60 of the window. */
export function bucketSeconds(windowSeconds: number): number {
  return Math.max(1, Math.ceil(windowSeconds / 60));
}

/** The principal key counters and alerts are kept under (unambiguous for any iss/sub). */
export const principalKey = (issuer: string, subject: string): string => JSON.stringify([issuer, subject]);

export function createSpikeDetector(options: SpikeDetectorOptions): SpikeDetector {
  const { denyThreshold, windowSeconds, counters } = options;
  if (!Number.isInteger(denyThreshold) || denyThreshold < 1) throw new TypeError('denyThreshold must be ≥ 1');
  if (!Number.isInteger(windowSeconds) || windowSeconds < 1) throw new TypeError('windowSeconds must be ≥ 1');
  const size = bucketSeconds(windowSeconds);
  const buckets = Math.ceil(windowSeconds / size);

  return {
    async observe(decision, nowMs) {
      if (!countsTowardsSpike(decision)) return null;
      const now = Math.floor(nowMs / 1000);
      const decidedMs = Date.parse(decision.time);
      if (!Number.isFinite(decidedMs)) return null;
      // A decision "from the future" (clock skew between producers) counts as now.
      const at = Math.min(Math.floor(decidedMs / 1000), now);
      if (at <= now - windowSeconds) return null;

      const principal = principalKey(decision.issuer, decision.subject);
      const bucketStart = at - (at % size);
      const { total } = await counters.addDenial({
        principal,
        decisionId: decision.decisionId,
        bucketStart,
        fromBucket: bucketStart - (buckets - 1) * size,
        at,
        // Late enough that no window a live decision can fall in has lost the bucket.
        expiresAt: bucketStart + 2 * windowSeconds + size,
      });
      if (total < denyThreshold) return null;
      // Claimed even when this delivery was a duplicate: if the first delivery crashed after
      // counting, its retry must still be able to raise (or re-raise) the alert.
      const decisionId = decision.decisionId;
      if (!(await counters.claimAlert({ principal, decisionId, at, until: at + windowSeconds }))) return null;
      return {
        version: 1,
        // Derived from the crossing decision, so a re-raised alert keeps its id (revoker idempotency).
        alertId: `spike:${decisionId}`,
        issuer: decision.issuer,
        subject: decision.subject,
        denials: total,
        threshold: denyThreshold,
        windowSeconds,
        detectedAt: new Date(at * 1000).toISOString(),
        decisionId: decision.decisionId,
      };
    },
  };
}

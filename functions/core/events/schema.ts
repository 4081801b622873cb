/**
 * The suite's event schema (documented in docs/events.md), shared by the EventBridge
 * producers and the local in-process bus: one closed union of three detail-types, each from
 * its own `source`, each detail carrying `version: 1`.
 *
 * One source per producer is a security choice, not cosmetics: IAM can pin a role to the
 * source it may put (`events:source`), so the forwarder (which carries request-derived data)
 * cannot forge the `Principal Suspected Compromise` events that make the revoker act.
 */
import type { DecisionRecord } from '../decision-record.ts';

export const SOURCES = Object.freeze({
  authorizer: 'zta.authorizer',
  spikeDetector: 'zta.spike-detector',
  revoker: 'zta.revoker',
} as const);

export const DETAIL_TYPES = Object.freeze({
  decision: 'Authorization Decision',
  suspectedCompromise: 'Principal Suspected Compromise',
  credentialRevoked: 'Credential Revoked',
} as const);

/** Bumped on any incompatible change of a detail; additive fields keep the version. */
export const DETAIL_VERSION = 1;

/** `Authorization Decision`: the decision record (docs/decision-log.md) without `schema`. */
export type AuthorizationDecisionDetail = { readonly version: 1 } & Omit<DecisionRecord, 'schema'>;

/** `Principal Suspected Compromise`: a verified principal crossed the policy-denial threshold. */
export interface SuspectedCompromiseDetail {
  readonly version: 1;
  /** Unique per alert; the revoker's idempotency key. */
  readonly alertId: string;
  readonly issuer: string;
  readonly subject: string;
  /** Policy denials (403, verified token) counted in the window when the threshold was crossed. */
  readonly denials: number;
  readonly threshold: number;
  readonly windowSeconds: number;
  /** ISO-8601 time of the decision that crossed the threshold. */
  readonly detectedAt: string;
  /** The decision that crossed the threshold. */
  readonly decisionId: string;
}

/** `Credential Revoked`: a revocation was written (or found already in place). */
export interface CredentialRevokedDetail {
  readonly version: 1;
  /** The alert id (automatic) or request id (manual): duplicates of one revocation share it. */
  readonly revocationId: string;
  readonly trigger: 'auto' | 'manual';
  readonly kind: 'subject' | 'jti';
  readonly issuer?: string;
  readonly subject?: string;
  readonly jti?: string;
  /** Epoch seconds: every token of the subject with iat ≤ it + the issuer's clock tolerance is refused. */
  readonly revokedAt: number;
  readonly revokedBy: string;
  readonly reason: string;
  /** `unchanged`: an equal or later revocation was already in place (idempotent replay). */
  readonly outcome: 'revoked' | 'unchanged';
  /** One entry per protected stage whose authorizer cache was flushed (`apiId/stage`). */
  readonly cacheFlush: readonly { readonly stage: string; readonly ok: boolean }[];
}

/** Every event the suite emits, as a closed union on `detailType`. */
export type SuiteEvent =
  | {
      readonly source: typeof SOURCES.authorizer;
      readonly detailType: typeof DETAIL_TYPES.decision;
      readonly detail: AuthorizationDecisionDetail;
    }
  | {
      readonly source: typeof SOURCES.spikeDetector;
      readonly detailType: typeof DETAIL_TYPES.suspectedCompromise;
      readonly detail: SuspectedCompromiseDetail;
    }
  | {
      readonly source: typeof SOURCES.revoker;
      readonly detailType: typeof DETAIL_TYPES.credentialRevoked;
      readonly detail: CredentialRevokedDetail;
    };

/** The `Authorization Decision` event for one decision record. */
export function decisionEvent(record: DecisionRecord): SuiteEvent {
  const { schema: _schema, ...fields } = record;
  return {
    source: SOURCES.authorizer,
    detailType: DETAIL_TYPES.decision,
    detail: { version: DETAIL_VERSION, ...fields },
  };
}

export function suspectedCompromiseEvent(detail: SuspectedCompromiseDetail): SuiteEvent {
  return { source: SOURCES.spikeDetector, detailType: DETAIL_TYPES.suspectedCompromise, detail };
}

export function credentialRevokedEvent(detail: CredentialRevokedDetail): SuiteEvent {
  return { source: SOURCES.revoker, detailType: DETAIL_TYPES.credentialRevoked, detail };
}

/** Time of an event for its envelope: the decision or detection time, else `fallbackMs`. */
export function eventTime(event: SuiteEvent, fallbackMs: number): Date {
  const iso =
    event.detailType === DETAIL_TYPES.decision
      ? event.detail.time
      : event.detailType === DETAIL_TYPES.suspectedCompromise
        ? event.detail.detectedAt
        : undefined;
  const ms = iso === undefined ? Number.NaN : Date.parse(iso);
  return new Date(Number.isFinite(ms) ? ms : fallbackMs);
}

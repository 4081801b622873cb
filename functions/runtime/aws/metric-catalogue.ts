/**
 * Every EMF metric the suite's Lambdas (other than the authorizer, see
 * `functions/authorizer/observe.ts`) emit, by service: the one definition the handlers count
 * against, the CDK dashboards and alarms read (`lib/pipeline-monitoring.ts`), and the docs
 * list. All are counts, in the namespace `POWERTOOLS_METRICS_NAMESPACE` with the dimension
 * `service` (`POWERTOOLS_SERVICE_NAME`).
 *
 * Dimensions other than `service` take values from a closed set written here — never a
 * subject, issuer, path, audience or anything else a caller chooses: CloudWatch bills per
 * dimension combination, and an attacker would pick them.
 */

/** The suite's EMF namespace (the authorizer's default too). */
export const DEFAULT_METRICS_NAMESPACE = 'ZeroTrustAuthorizer';

/** Error codes of the token service (`functions/token-service/http.ts`), as `Reason` values. */
export const TOKEN_REFUSAL_REASONS = [
  'invalid_request',
  'missing_caller_identity',
  'unsupported_principal',
  'unknown_workload',
  'audience_not_allowed',
  'not_found',
  'method_not_allowed',
  'payload_too_large',
  'signing_unavailable',
  'internal_error',
] as const;

/** Rotation actions that change something (`functions/key-rotation/planner.ts`), as `Action` values. */
export const ROTATION_ACTIONS = [
  'create-next',
  'activate',
  'repair-alias',
  'mark-compromised',
  'remove',
] as const;

interface MetricSpec {
  /** What one unit counts (docs and dashboards). */
  readonly counts: string;
  /** The one dimension besides `service`, with its closed set of values. */
  readonly dimension?: { readonly name: string; readonly values: readonly string[] };
}

export const FUNCTION_METRICS = {
  'zta-decision-forwarder': {
    DecisionsPublished: { counts: 'decision events the bus accepted' },
    DecisionsRetried: {
      counts: 'decision events sent again (an entry PutEvents reported failed, or a call the SDK retried)',
    },
    DecisionsDeadLettered: {
      counts: 'decision records sent to the dead-letter queue (refused, failed after retries, invalid)',
    },
    DuplicateDecisionsSkipped: { counts: 'decision records already published (a redelivered batch)' },
    PublishedLedgerFailures: {
      counts: 'published-decisions table reads or writes that failed (duplicates possible, nothing lost)',
    },
  },
  'zta-spike-detector': {
    DenialsCounted: { counts: 'verified policy denials counted against their principal' },
    SpikeAlerts: { counts: 'Principal Suspected Compromise alerts raised' },
    EventsRefused: { counts: 'events refused: not an Authorization Decision, or an invalid detail' },
  },
  'zta-revoker': {
    Revocations: { counts: 'revocations written (or found already in force) for an alert' },
    CacheFlushes: { counts: 'protected stages whose authorizer cache was flushed' },
    CacheFlushFailures: { counts: 'protected stages whose authorizer cache could not be flushed' },
    AnnouncementFailures: { counts: 'Credential Revoked events or SNS notices that failed' },
    RevocationFailures: { counts: 'revocations that could not be written (the delivery is retried)' },
    EventsRefused: { counts: 'alerts refused: wrong source or detail-type, or an invalid detail' },
  },
  'zta-revocation-admin': {
    Revocations: { counts: 'manual revocations written (or found already in force)' },
    Unrevocations: { counts: 'manual un-revocations that lifted a revocation in force' },
    CacheFlushes: { counts: 'protected stages whose authorizer cache was flushed' },
    CacheFlushFailures: { counts: 'protected stages whose authorizer cache could not be flushed' },
    AnnouncementFailures: { counts: 'Credential Revoked events or SNS notices that failed' },
    RevocationFailures: { counts: 'requests the revocation store could not serve (answered 500)' },
    RequestsRefused: { counts: 'requests refused before the store (4xx: no IAM identity, bad body)' },
  },
  'zta-token-service': {
    TokensIssued: { counts: 'workload tokens signed and returned' },
    TokenRefusals: {
      counts: 'token requests refused, by error code (signing_unavailable: KMS could not sign)',
      dimension: { name: 'Reason', values: TOKEN_REFUSAL_REASONS },
    },
  },
  'zta-token-jwks': {
    JwksServed: { counts: 'JWKS documents served' },
    JwksUnavailable: { counts: 'JWKS requests answered 503 (state unreadable, or no key yet)' },
  },
  'zta-key-rotation': {
    RotationSteps: {
      counts: 'rotation steps performed, by action',
      dimension: { name: 'Action', values: ROTATION_ACTIONS },
    },
    Rotations: { counts: 'keys activated (a new key signs from now on)' },
    EmergencyRotations: { counts: 'keys retired at once as compromised' },
    RotationRefusals: { counts: 'runs the planner refused (e.g. an emergency without an active key)' },
    RotationFailures: { counts: 'runs that failed (the next run resumes)' },
  },
} as const satisfies Record<string, Record<string, MetricSpec>>;

export type MeteredService = keyof typeof FUNCTION_METRICS;
export type MetricOf<S extends MeteredService> = keyof (typeof FUNCTION_METRICS)[S] & string;

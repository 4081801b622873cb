import { ConfiguredRetryStrategy } from '@smithy/util-retry';
import { backoffMs } from './retry.ts';

/** Static credentials (tests against local stand-ins); Lambda uses its role's. */
export interface StaticCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Where an AWS client talks to; all optional, the SDK's defaults (Lambda's env) otherwise. */
export interface ClientPlacement {
  readonly region?: string | undefined;
  /** A local stand-in (dynalite, a protocol double); never set in Lambda. */
  readonly endpoint?: string | undefined;
  readonly credentials?: StaticCredentials | undefined;
  /**
   * The jitter source of the SDK's backoff: a fraction in [0, 1).
   * @default Math.random (tests pass `() => 0`: a retry then waits 0 ms)
   */
  readonly jitter?: (() => number) | undefined;
}

/**
 * How an SDK client retries a whole call that failed for a reason the SDK's standard mode
 * classifies as worth retrying (throttling, 500/502/503/504, timeouts, connection errors, a
 * corrected clock skew), with full-jitter exponential backoff: the wait before retry n is
 * uniform in [0, min(maxDelayMs, baseDelayMs·2ⁿ⁻¹)). The SDK's retry quota still applies, so a
 * failing service is not hammered by every container at once.
 */
export interface SdkRetry {
  /** Attempts per call, the first included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/**
 * The retry profiles, decided per client by who waits for the answer (docs/events.md, *Delivery*):
 * - `authorizer`: the revocation read on the request path. API Gateway and the caller wait, so
 *   one quick retry (≤ 25 ms apart) and then the decision denies (`revocation_unavailable`):
 *   a slow allow is worse than a fast, fail-closed deny that the client can retry.
 * - `request`: a caller waits for a synchronous answer (token endpoint's KMS `Sign`, the JWKS
 *   read, the admin route): three attempts within about half a second of backoff.
 * - `pipeline`: asynchronous work nobody waits on (forwarder, spike detector, revoker,
 *   rotation): four attempts up to 2 s apart; after that the platform redelivers anyway.
 */
export const SDK_RETRIES = Object.freeze({
  authorizer: Object.freeze({ maxAttempts: 2, baseDelayMs: 25, maxDelayMs: 25 }),
  request: Object.freeze({ maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 400 }),
  pipeline: Object.freeze({ maxAttempts: 4, baseDelayMs: 100, maxDelayMs: 2000 }),
} satisfies Record<string, SdkRetry>);

/**
 * Client settings shared by every adapter: short timeouts (an authorizer has seconds, not
 * minutes) and the SDK's own standard retry mode for whole calls. With `retry`, the backoff is
 * the profile's; with only `maxAttempts` (or nothing: 3), the SDK's default backoff. What the
 * SDK does not retry — entries a `PutEvents` answer reports failed, `UnprocessedItems` — is
 * retried by the adapter that reads the answer (`retry.ts`).
 */
export function clientConfig(
  placement: ClientPlacement,
  options: {
    retry?: SdkRetry;
    maxAttempts?: number;
    requestTimeoutMs?: number;
    connectionTimeoutMs?: number;
  } = {},
) {
  const { retry } = options;
  const jitter = placement.jitter ?? Math.random;
  const maxAttempts = retry?.maxAttempts ?? options.maxAttempts ?? 3;
  return {
    ...(placement.region ? { region: placement.region } : {}),
    ...(placement.endpoint ? { endpoint: placement.endpoint } : {}),
    // A copy: the SDK annotates the credentials object it is given (and a frozen one throws).
    ...(placement.credentials ? { credentials: { ...placement.credentials } } : {}),
    maxAttempts,
    ...(retry
      ? {
          retryStrategy: new ConfiguredRetryStrategy(maxAttempts, (attempt: number) =>
            backoffMs(attempt, retry.baseDelayMs, retry.maxDelayMs, jitter),
          ),
        }
      : {}),
    requestHandler: {
      requestTimeout: options.requestTimeoutMs ?? 2000,
      connectionTimeout: options.connectionTimeoutMs ?? 1000,
    },
  };
}

export type AwsService = 'dynamodb' | 'events' | 'sqs' | 'sns' | 'apigateway' | 'kms';

/**
 * What a handler factory accepts besides its environment: nothing in Lambda; in tests, local
 * endpoints per service, static credentials, and the SDK's jitter source.
 */
export interface AwsWiring {
  readonly region?: string;
  readonly endpoints?: Partial<Record<AwsService, string>>;
  readonly credentials?: StaticCredentials;
  /** @default Math.random (see `ClientPlacement.jitter`) */
  readonly jitter?: () => number;
}

export function placementFor(service: AwsService, wiring: AwsWiring = {}): ClientPlacement {
  return {
    region: wiring.region,
    endpoint: wiring.endpoints?.[service],
    credentials: wiring.credentials,
    jitter: wiring.jitter,
  };
}

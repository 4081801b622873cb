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
}

/**
 * Client settings shared by every adapter: short timeouts (an authorizer has seconds, not
 * minutes) and the SDK's retries turned off by default, so each adapter owns its retry
 * policy in one visible place instead of two layers multiplying each other.
 */
export function clientConfig(
  placement: ClientPlacement,
  options: { maxAttempts?: number; requestTimeoutMs?: number; connectionTimeoutMs?: number } = {},
) {
  return {
    ...(placement.region ? { region: placement.region } : {}),
    ...(placement.endpoint ? { endpoint: placement.endpoint } : {}),
    // A copy: the SDK annotates the credentials object it is given (and a frozen one throws).
    ...(placement.credentials ? { credentials: { ...placement.credentials } } : {}),
    maxAttempts: options.maxAttempts ?? 1,
    requestHandler: {
      requestTimeout: options.requestTimeoutMs ?? 2000,
      connectionTimeout: options.connectionTimeoutMs ?? 1000,
    },
  };
}

/** Whether an AWS SDK error is worth retrying: throttling, 5xx, timeouts, connection errors. */
export function isRetryable(error: unknown): boolean {
  const e = error as { name?: string; $fault?: string; $retryable?: unknown; code?: string } | null;
  if (!e || typeof e !== 'object') return false;
  if (e.$retryable) return true;
  if (e.$fault === 'server') return true;
  if (
    /Throttl|TooManyRequests|RequestLimitExceeded|ProvisionedThroughputExceeded|ServiceUnavailable|InternalFailure|InternalServerError|TimeoutError/.test(
      e.name ?? '',
    )
  ) {
    return true;
  }
  return ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN'].includes(
    e.code ?? '',
  );
}

/** Full-jitter exponential backoff: attempt 1 → [0, base), attempt n → [0, min(cap, base·2ⁿ⁻¹)). */
export function backoffMs(
  attempt: number,
  baseMs: number,
  capMs: number,
  random: () => number = Math.random,
) {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** (attempt - 1)));
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export type AwsService = 'dynamodb' | 'events' | 'sqs' | 'sns' | 'apigateway';

/**
 * What a handler factory accepts besides its environment: nothing in Lambda; in tests, local
 * endpoints per service, static credentials, and a retry policy with an injected sleep.
 */
export interface AwsWiring {
  readonly region?: string;
  readonly endpoints?: Partial<Record<AwsService, string>>;
  readonly credentials?: StaticCredentials;
}

export function placementFor(service: AwsService, wiring: AwsWiring = {}): ClientPlacement {
  return { region: wiring.region, endpoint: wiring.endpoints?.[service], credentials: wiring.credentials };
}

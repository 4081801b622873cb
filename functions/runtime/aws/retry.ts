/**
 * The one hand-written retry loop, for what the SDK cannot retry because the call itself
 * succeeded: entries a `PutEvents` answer reports failed, `UnprocessedItems` /
 * `UnprocessedKeys` of a DynamoDB batch. Whole-call failures are the SDK's (`client-config.ts`),
 * so the two layers never multiply each other.
 */

/** A bound and a backoff for re-sending what an answer left unprocessed. */
export interface RetryPolicy {
  /** Sends per item, the first included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** @default real timers (tests inject a recorder) */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default Math.random */
  readonly random?: () => number;
}

export const DEFAULT_RETRY: RetryPolicy = Object.freeze({
  maxAttempts: 5,
  baseDelayMs: 100,
  maxDelayMs: 2000,
});

/**
 * Full-jitter exponential backoff: retry 1 waits in [0, base), retry n in
 * [0, min(cap, base·2ⁿ⁻¹)). Jitter spreads the retries of many containers hit by the same
 * throttling, instead of having them come back in lockstep.
 */
export function backoffMs(
  attempt: number,
  baseMs: number,
  capMs: number,
  random: () => number = Math.random,
): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** (attempt - 1)));
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface UntilProcessed<T> {
  /** What is still unprocessed after the last send. */
  readonly left: readonly T[];
  /** Items sent again after a first send (the retries, counted per item). */
  readonly resent: number;
}

/**
 * Sends `items`, then whatever each answer left unprocessed, until nothing is left or every
 * item had `maxAttempts` sends, waiting a full-jitter backoff before each re-send. `send`
 * returns the unprocessed part of what it was given; a throw (the SDK gave up on the whole
 * call) propagates.
 */
export async function untilProcessed<T>(
  items: readonly T[],
  send: (items: readonly T[]) => Promise<readonly T[]>,
  policy: RetryPolicy = DEFAULT_RETRY,
): Promise<UntilProcessed<T>> {
  const wait = policy.sleep ?? sleep;
  let left = items;
  let resent = 0;
  for (let attempt = 1; left.length > 0 && attempt <= policy.maxAttempts; attempt++) {
    if (attempt > 1) {
      await wait(backoffMs(attempt - 1, policy.baseDelayMs, policy.maxDelayMs, policy.random));
      resent += left.length;
    }
    left = await send(left);
  }
  return { left, resent };
}

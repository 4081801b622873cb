import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { eventTime, type SuiteEvent } from '../../core/events/schema.ts';
import { backoffMs, isRetryable, sleep } from './client-config.ts';

/** EventBridge `PutEvents` limits: entries per call, bytes per call, bytes per entry. */
export const PUT_EVENTS_LIMITS = Object.freeze({
  maxEntries: 10,
  maxRequestBytes: 256 * 1024,
  maxEntryBytes: 256 * 1024,
});

/** Per-entry error codes a retry cannot fix: they go to the dead-letter queue at once. */
const PERMANENT_CODES = new Set([
  'MalformedDetail',
  'InvalidArgument',
  'ValidationException',
  'AccessDeniedException',
  'NotAuthorizedForSourceException',
  'NotAuthorizedForDetailTypeException',
  'EntryTooLarge',
]);

export interface RetryPolicy {
  /** Attempts per entry, the first included. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** @default real timers (tests inject a recorder) */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export const DEFAULT_RETRY: RetryPolicy = Object.freeze({
  maxAttempts: 5,
  baseDelayMs: 100,
  maxDelayMs: 2000,
});

export interface FailedEntry {
  readonly entry: PutEventsRequestEntry;
  readonly errorCode: string;
  readonly errorMessage: string;
}

export interface PutEventsOutcome {
  readonly published: readonly PutEventsRequestEntry[];
  readonly failed: readonly FailedEntry[];
  /** `PutEvents` calls made, retries included. */
  readonly calls: number;
}

/** The `PutEvents` entry for a suite event on `busName`. */
export function toEntry(event: SuiteEvent, busName: string, nowMs: number): PutEventsRequestEntry {
  return {
    EventBusName: busName,
    Source: event.source,
    DetailType: event.detailType,
    Detail: JSON.stringify(event.detail),
    Time: eventTime(event, nowMs),
  };
}

/** An entry's size as EventBridge counts it against the limits. */
export function entrySize(entry: PutEventsRequestEntry): number {
  const bytes = (v: string | undefined) => (v === undefined ? 0 : Buffer.byteLength(v, 'utf8'));
  return (
    (entry.Time ? 14 : 0) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    (entry.Resources ?? []).reduce((sum, r) => sum + bytes(r), 0)
  );
}

/** Greedy batches within both limits, in order; entries too large for any request apart. */
export function toBatches(entries: readonly PutEventsRequestEntry[], limits = PUT_EVENTS_LIMITS) {
  const batches: PutEventsRequestEntry[][] = [];
  const oversized: PutEventsRequestEntry[] = [];
  let current: PutEventsRequestEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = entrySize(entry);
    if (size > limits.maxEntryBytes || size > limits.maxRequestBytes) {
      oversized.push(entry);
      continue;
    }
    if (current.length === limits.maxEntries || bytes + size > limits.maxRequestBytes) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return { batches, oversized };
}

/**
 * Publishes every entry, in batches within the limits, retrying what failed — entries
 * reported failed in a partial answer (`FailedEntryCount`) and whole calls that failed for a
 * retryable reason (throttling, 5xx, network) — with capped, jittered exponential backoff.
 * Never throws: what is still failing after `maxAttempts`, or failed permanently, is returned
 * in `failed` for the caller to dead-letter.
 */
export async function putEventsReliably(
  client: EventBridgeClient,
  entries: readonly PutEventsRequestEntry[],
  policy: RetryPolicy = DEFAULT_RETRY,
): Promise<PutEventsOutcome> {
  const wait = policy.sleep ?? sleep;
  const published: PutEventsRequestEntry[] = [];
  const { batches: first, oversized } = toBatches(entries);
  const failed: FailedEntry[] = oversized.map((entry) => ({
    entry,
    errorCode: 'EntryTooLarge',
    errorMessage: `entry of ${entrySize(entry)} bytes exceeds PutEvents' ${PUT_EVENTS_LIMITS.maxEntryBytes}`,
  }));
  let pending = first.flat();
  let calls = 0;
  for (let attempt = 1; pending.length > 0; attempt++) {
    if (attempt > 1) await wait(backoffMs(attempt - 1, policy.baseDelayMs, policy.maxDelayMs, policy.random));
    const last = attempt >= policy.maxAttempts;
    const retry: PutEventsRequestEntry[] = [];
    const fail = (entry: PutEventsRequestEntry, errorCode: string, errorMessage: string) => {
      if (!last && !PERMANENT_CODES.has(errorCode)) retry.push(entry);
      else failed.push({ entry, errorCode, errorMessage });
    };
    for (const batch of toBatches(pending).batches) {
      calls++;
      try {
        const answer = await client.send(new PutEventsCommand({ Entries: batch }));
        batch.forEach((entry, i) => {
          const result = answer.Entries?.[i];
          if (result?.EventId && !result.ErrorCode) published.push(entry);
          else
            fail(entry, result?.ErrorCode ?? 'MissingResult', result?.ErrorMessage ?? 'no result for entry');
        });
      } catch (error) {
        const name = (error as Error)?.name ?? 'Error';
        const text = (error as Error)?.message ?? String(error);
        for (const entry of batch) {
          if (isRetryable(error)) fail(entry, name, text);
          else failed.push({ entry, errorCode: name, errorMessage: text });
        }
      }
    }
    pending = retry;
  }
  return { published, failed, calls };
}

/** Publishes one event or throws (the caller's platform then retries the invocation). */
export async function publishOrThrow(
  client: EventBridgeClient,
  entry: PutEventsRequestEntry,
  policy: RetryPolicy = DEFAULT_RETRY,
): Promise<void> {
  const { failed } = await putEventsReliably(client, [entry], policy);
  const failure = failed[0];
  if (failure) throw new Error(`PutEvents failed: ${failure.errorCode}: ${failure.errorMessage}`);
}

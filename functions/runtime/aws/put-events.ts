import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { eventTime, type SuiteEvent } from '../../core/events/schema.ts';
import { DEFAULT_RETRY, type RetryPolicy, untilProcessed } from './retry.ts';

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

export interface FailedEntry {
  readonly entry: PutEventsRequestEntry;
  readonly errorCode: string;
  readonly errorMessage: string;
}

export interface PutEventsOutcome {
  readonly published: readonly PutEventsRequestEntry[];
  readonly failed: readonly FailedEntry[];
  /** `PutEvents` calls made by this loop (the SDK's own retries of a call not counted). */
  readonly calls: number;
  /**
   * Entries sent again: after the answer reported them failed (this loop), or in a whole call
   * the SDK retried (`$metadata.attempts`).
   */
  readonly retried: number;
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
 * Publishes every entry, in batches within the limits. A whole call that fails is retried by
 * the SDK (standard mode, `client-config.ts`); entries an answer reports failed
 * (`FailedEntryCount`) are re-sent here, with full-jitter backoff, at most `maxAttempts` times
 * each. Never throws: what failed permanently, what is still failing after the bound, and the
 * entries of a call the SDK gave up on are returned in `failed` for the caller to dead-letter.
 */
export async function putEventsReliably(
  client: EventBridgeClient,
  entries: readonly PutEventsRequestEntry[],
  policy: RetryPolicy = DEFAULT_RETRY,
): Promise<PutEventsOutcome> {
  const published: PutEventsRequestEntry[] = [];
  const { batches, oversized } = toBatches(entries);
  const failed: FailedEntry[] = oversized.map((entry) => ({
    entry,
    errorCode: 'EntryTooLarge',
    errorMessage: `entry of ${entrySize(entry)} bytes exceeds PutEvents' ${PUT_EVENTS_LIMITS.maxEntryBytes}`,
  }));
  const lastFailure = new Map<PutEventsRequestEntry, FailedEntry>();
  let calls = 0;
  let retriedBySdk = 0;
  const sendAll = async (pending: readonly PutEventsRequestEntry[]) => {
    const again: PutEventsRequestEntry[] = [];
    for (const batch of toBatches(pending).batches) {
      calls++;
      try {
        const answer = await client.send(new PutEventsCommand({ Entries: batch }));
        retriedBySdk += ((answer.$metadata.attempts ?? 1) - 1) * batch.length;
        for (const [i, entry] of batch.entries()) {
          const result = answer.Entries?.[i];
          if (result?.EventId && !result.ErrorCode) {
            published.push(entry);
            continue;
          }
          const failure = {
            entry,
            errorCode: result?.ErrorCode ?? 'MissingResult',
            errorMessage: result?.ErrorMessage ?? 'no result for entry',
          };
          if (PERMANENT_CODES.has(failure.errorCode)) failed.push(failure);
          else {
            lastFailure.set(entry, failure);
            again.push(entry);
          }
        }
      } catch (error) {
        // The SDK already retried it if it was worth it: these entries are dead-lettered.
        const e = error as { name?: string; message?: string; $metadata?: { attempts?: number } };
        retriedBySdk += ((e?.$metadata?.attempts ?? 1) - 1) * batch.length;
        for (const entry of batch) {
          failed.push({ entry, errorCode: e?.name ?? 'Error', errorMessage: e?.message ?? String(error) });
        }
      }
    }
    return again;
  };
  const { left, resent } = await untilProcessed(batches.flat(), sendAll, policy);
  for (const entry of left) {
    failed.push(lastFailure.get(entry) ?? { entry, errorCode: 'MissingResult', errorMessage: 'unsent' });
  }
  return { published, failed, calls, retried: resent + retriedBySdk };
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

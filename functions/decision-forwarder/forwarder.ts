/**
 * The decision forwarder: CloudWatch Logs subscription batches in, `Authorization Decision`
 * events on the suite's bus out.
 *
 * Delivery semantics: at least once, nothing silently dropped. Every decision record in a
 * batch is either published (`PutEvents`, retried per entry and per call), or sent to the
 * dead-letter queue with the reason (failed after retries, refused permanently, too large, an
 * invalid record, an undecodable batch). If the dead-letter queue itself refuses, the
 * invocation fails and CloudWatch Logs / Lambda redeliver the batch. Duplicates: a batch
 * delivered again is filtered against the published-decisions table (see
 * `PublishedDecisions`); a rare duplicate that slips through carries the same `decisionId`,
 * on which every consumer is idempotent.
 */
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { decisionEvent } from '../core/events/schema.ts';
import type { DeadLetter } from '../runtime/aws/dead-letter-queue.ts';
import { type PutEventsOutcome, toEntry } from '../runtime/aws/put-events.ts';
import { decisionRecordsIn, decodeLogsEvent } from './log-batch.ts';

export interface PublishedLedger {
  published(ids: readonly string[], nowSeconds: number): Promise<Set<string>>;
  markPublished(ids: readonly string[], nowSeconds: number): Promise<number>;
}

export interface ForwarderPorts {
  readonly busName: string;
  readonly publish: (entries: readonly PutEventsRequestEntry[]) => Promise<PutEventsOutcome>;
  readonly deadLetter: (letter: DeadLetter, nowMs: number) => Promise<number>;
  /** `null`: no duplicate filtering (consumers' idempotency only). */
  readonly ledger: PublishedLedger | null;
  /** Problems that do not lose data (ledger unavailable): logged by the handler. */
  readonly warn?: (message: string, detail: Record<string, unknown>) => void;
  /** @default Date.now */
  readonly now?: () => number;
}

export interface ForwardReport {
  readonly logEvents: number;
  readonly decisions: number;
  readonly duplicates: number;
  readonly published: number;
  /** Entries sent again (see `PutEventsOutcome.retried`). */
  readonly retried: number;
  readonly deadLettered: number;
  readonly otherLines: number;
  /** Reads or writes of the published-decisions table that failed (duplicates possible). */
  readonly ledgerFailures: number;
}

export function createForwarder(ports: ForwarderPorts): (event: unknown) => Promise<ForwardReport> {
  const now = ports.now ?? Date.now;
  const warn = ports.warn ?? (() => {});

  return async (event) => {
    const nowMs = now();
    const report = {
      logEvents: 0,
      decisions: 0,
      duplicates: 0,
      published: 0,
      retried: 0,
      deadLettered: 0,
      otherLines: 0,
      ledgerFailures: 0,
    };
    const decoded = decodeLogsEvent(event);
    if (!decoded.ok) {
      await ports.deadLetter(
        { reason: decoded.problem, context: {}, payload: JSON.stringify(event) ?? '' },
        nowMs,
      );
      return { ...report, deadLettered: 1 };
    }
    const data = decoded.value;
    const context = { logGroup: data.logGroup, logStream: data.logStream };
    if (data.messageType === 'CONTROL_MESSAGE') return report;
    const { records, invalid, otherLines } = decisionRecordsIn(data);
    Object.assign(report, { logEvents: data.logEvents.length, decisions: records.length, otherLines });

    const unique = [...new Map(records.map((r) => [r.decisionId, r])).values()];
    const nowSeconds = Math.floor(nowMs / 1000);
    let already = new Set<string>();
    if (ports.ledger) {
      try {
        already = await ports.ledger.published(
          unique.map((r) => r.decisionId),
          nowSeconds,
        );
      } catch (error) {
        // Unknown is treated as unpublished: a possible duplicate, never a loss.
        report.ledgerFailures++;
        warn('published-decisions table unreadable; publishing without duplicate filter', {
          error: String(error),
        });
      }
    }
    const fresh = unique.filter((r) => !already.has(r.decisionId));
    report.duplicates = records.length - fresh.length;

    const idOf = new Map<PutEventsRequestEntry, string>();
    const entries = fresh.map((record) => {
      const entry = toEntry(decisionEvent(record), ports.busName, nowMs);
      idOf.set(entry, record.decisionId);
      return entry;
    });
    const outcome =
      entries.length > 0 ? await ports.publish(entries) : { published: [], failed: [], calls: 0, retried: 0 };
    report.published = outcome.published.length;
    report.retried = outcome.retried;

    if (ports.ledger && outcome.published.length > 0) {
      const ids = outcome.published.map((e) => idOf.get(e)).filter((id): id is string => id !== undefined);
      try {
        const unmarked = await ports.ledger.markPublished(ids, nowSeconds);
        if (unmarked > 0) report.ledgerFailures++;
        if (unmarked > 0) warn('some published decisions could not be marked', { unmarked });
      } catch (error) {
        report.ledgerFailures++;
        warn('published-decisions table unwritable; a redelivery may publish twice', {
          error: String(error),
        });
      }
    }

    if (outcome.failed.length > 0) {
      await ports.deadLetter(
        { reason: 'PutEvents did not accept these entries', context, entries: outcome.failed },
        nowMs,
      );
      report.deadLettered += outcome.failed.length;
    }
    if (invalid.length > 0) {
      await ports.deadLetter(
        {
          reason: `invalid decision records: ${invalid.map((i) => i.problem).join('; ')}`.slice(0, 2000),
          context,
          payload: JSON.stringify(invalid),
        },
        nowMs,
      );
      report.deadLettered += invalid.length;
    }
    return report;
  };
}

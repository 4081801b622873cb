import { gunzipSync } from 'node:zlib';
import type { DecisionRecord } from '../core/decision-record.ts';
import { decisionRecordFrom, type Parsed } from '../core/events/parse.ts';

/** A CloudWatch Logs subscription batch, decoded. */
export interface LogsData {
  readonly messageType: string;
  readonly logGroup: string;
  readonly logStream: string;
  readonly logEvents: readonly {
    readonly id: string;
    readonly timestamp: number;
    readonly message: string;
  }[];
}

/** Far above what CloudWatch Logs delivers (1 MB compressed batches); a zip bomb stops here. */
const MAX_DECODED_BYTES = 32 * 1024 * 1024;

/** Decodes `{ awslogs: { data } }` (base64 of gzip of JSON). */
export function decodeLogsEvent(event: unknown): Parsed<LogsData> {
  const data = (event as { awslogs?: { data?: unknown } } | null)?.awslogs?.data;
  if (typeof data !== 'string') return { ok: false, problem: 'not a CloudWatch Logs event (awslogs.data)' };
  let parsed: unknown;
  try {
    const json = gunzipSync(Buffer.from(data, 'base64'), { maxOutputLength: MAX_DECODED_BYTES }).toString(
      'utf8',
    );
    parsed = JSON.parse(json);
  } catch (error) {
    return { ok: false, problem: `awslogs.data is not base64 gzip JSON (${(error as Error).message})` };
  }
  const p = parsed as Partial<LogsData> | null;
  if (!p || typeof p.messageType !== 'string' || !Array.isArray(p.logEvents)) {
    return { ok: false, problem: 'awslogs.data lacks messageType or logEvents' };
  }
  const logEvents = p.logEvents.filter((e) => typeof e?.message === 'string');
  return {
    ok: true,
    value: {
      messageType: p.messageType,
      logGroup: String(p.logGroup ?? ''),
      logStream: String(p.logStream ?? ''),
      logEvents,
    },
  };
}

export interface ExtractedRecords {
  readonly records: readonly DecisionRecord[];
  /** Lines that claim to be decision records but are not valid ones: dead-lettered, not dropped. */
  readonly invalid: readonly { readonly id: string; readonly message: string; readonly problem: string }[];
  /** Other log lines (warnings, platform lines): not decisions, skipped. */
  readonly otherLines: number;
}

/**
 * The decision records in a batch, in order. A line is JSON from its first `{` (Lambda's text
 * log format may prefix a timestamp and request id); a record is recognised by its `schema`.
 */
export function decisionRecordsIn(data: LogsData): ExtractedRecords {
  const records: DecisionRecord[] = [];
  const invalid: { id: string; message: string; problem: string }[] = [];
  let otherLines = 0;
  for (const event of data.logEvents) {
    const start = event.message.indexOf('{');
    let value: unknown;
    try {
      value = start < 0 ? undefined : JSON.parse(event.message.slice(start));
    } catch {
      value = undefined;
    }
    const parsed = decisionRecordFrom(value);
    // A record CloudWatch cut short (over its event size limit) is still a record: dead-letter it.
    if (parsed === undefined && value === undefined && event.message.includes('"zta.decision/v1"')) {
      invalid.push({ id: event.id, message: event.message, problem: 'decision record is not valid JSON' });
    } else if (parsed === undefined) otherLines++;
    else if (parsed.ok) records.push(parsed.value);
    else invalid.push({ id: event.id, message: event.message, problem: parsed.problem });
  }
  return { records, invalid, otherLines };
}

import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { jsonError, type ProtocolHandler } from './server.ts';

const JSON_11 = 'application/x-amz-json-1.1';

/** What the double does with one call: fail it whole, or fail some entries (by index). */
export type PutEventsPlan = (call: {
  readonly index: number;
  readonly entries: readonly PutEventsRequestEntry[];
}) =>
  | { readonly throttle: true }
  | { readonly serverError: true }
  | { readonly failEntries: ReadonlyMap<number, string> }
  | undefined;

/**
 * EventBridge's JSON 1.1 protocol (`AWSEvents.PutEvents`) as the real service answers it:
 * per-entry results with `FailedEntryCount` for partial failures, `ThrottlingException` or a
 * 500 for whole-call failures. Refuses what the real service refuses (over 10 entries, over
 * 256 KB) so the tests catch a batching bug.
 */
export function eventBridgeDouble(plan: PutEventsPlan = () => undefined) {
  const accepted: PutEventsRequestEntry[] = [];
  const calls: { entries: number; bytes: number }[] = [];
  const handler: ProtocolHandler = (request) => {
    if (request.target !== 'AWSEvents.PutEvents') return undefined;
    const { Entries = [] } = JSON.parse(request.body) as { Entries?: PutEventsRequestEntry[] };
    const bytes = Entries.reduce(
      (sum, e) =>
        sum +
        (e.Time ? 14 : 0) +
        [e.Source, e.DetailType, e.Detail].reduce((s, v) => s + Buffer.byteLength(v ?? ''), 0),
      0,
    );
    calls.push({ entries: Entries.length, bytes });
    if (Entries.length > 10 || bytes > 256 * 1024) {
      return jsonError(400, 'ValidationException', 'over the PutEvents limits', JSON_11);
    }
    const action = plan({ index: calls.length - 1, entries: Entries });
    if (action && 'throttle' in action)
      return jsonError(400, 'ThrottlingException', 'Rate exceeded', JSON_11);
    if (action && 'serverError' in action)
      return jsonError(500, 'InternalException', 'internal error', JSON_11);
    const failing = action && 'failEntries' in action ? action.failEntries : new Map<number, string>();
    const results = Entries.map((entry, i) => {
      const code = failing.get(i);
      if (code) return { ErrorCode: code, ErrorMessage: `${code} for entry ${i}` };
      accepted.push(entry);
      return { EventId: `evt-${accepted.length}` };
    });
    return {
      status: 200,
      headers: { 'content-type': JSON_11 },
      body: JSON.stringify({ FailedEntryCount: failing.size, Entries: results }),
    };
  };
  return { handler, accepted, calls };
}

import { createHash } from 'node:crypto';
import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { FailedEntry } from './put-events.ts';

/** SQS's classic message size limit; messages are kept within it. */
export const MAX_MESSAGE_BYTES = 256 * 1024;

/** What could not be delivered, and why; carried whole in the dead-letter messages. */
export interface DeadLetter {
  readonly reason: string;
  /** Where it came from (log group and stream, function), for the operator replaying it. */
  readonly context: Readonly<Record<string, string>>;
  readonly entries?: readonly FailedEntry[];
  /** A payload that could not even be read (an undecodable log batch). */
  readonly payload?: string;
}

/**
 * Sends a dead letter to the SQS queue as one or more messages (schema `zta.dead-letter/v1`),
 * each within SQS's size limit, each carrying complete `PutEvents` entries that can be
 * re-sent as they are. An entry too large for any message keeps its envelope, a SHA-256 of
 * its detail and the detail's head (marked `detailTruncated`) — it is never dropped unseen.
 * A failed send is retried by the SDK (give the client a generous retry profile: this is the
 * last stop); if the queue still refuses, this throws, and the invocation fails so the
 * platform redelivers (the Lambda's own failure destination is last). Returns the number of
 * messages sent.
 */
export async function sendDeadLetter(
  client: SQSClient,
  queueUrl: string,
  letter: DeadLetter,
  nowMs: number,
): Promise<number> {
  const base = {
    schema: 'zta.dead-letter/v1',
    reason: letter.reason,
    failedAt: new Date(nowMs).toISOString(),
    context: letter.context,
  };
  const bodies: string[] = [];
  if (letter.payload !== undefined) {
    const room = MAX_MESSAGE_BYTES - Buffer.byteLength(JSON.stringify({ ...base, payload: '' })) - 1024;
    const whole = Buffer.byteLength(letter.payload) <= room;
    bodies.push(
      JSON.stringify({
        ...base,
        payload: whole ? letter.payload : Buffer.from(letter.payload).subarray(0, room).toString('utf8'),
        ...(whole ? {} : { payloadTruncated: true, payloadSha256: sha256(letter.payload) }),
      }),
    );
  }
  let batch: object[] = [];
  const envelopeBytes = Buffer.byteLength(JSON.stringify({ ...base, entries: [] }));
  let bytes = envelopeBytes;
  for (const failed of letter.entries ?? []) {
    const item = fitted(failed, MAX_MESSAGE_BYTES - envelopeBytes - 16);
    const size = Buffer.byteLength(JSON.stringify(item)) + 1;
    if (batch.length > 0 && bytes + size > MAX_MESSAGE_BYTES) {
      bodies.push(JSON.stringify({ ...base, entries: batch }));
      batch = [];
      bytes = envelopeBytes;
    }
    batch.push(item);
    bytes += size;
  }
  if (batch.length > 0) bodies.push(JSON.stringify({ ...base, entries: batch }));

  for (const body of bodies) {
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
  }
  return bodies.length;
}

function fitted(failed: FailedEntry, room: number): object {
  const entry = serializable(failed.entry);
  const item = { errorCode: failed.errorCode, errorMessage: failed.errorMessage, entry };
  if (Buffer.byteLength(JSON.stringify(item)) <= room) return item;
  const detail = failed.entry.Detail ?? '';
  const headBytes = Math.max(
    0,
    room - Buffer.byteLength(JSON.stringify({ ...item, entry: { ...entry, Detail: '' } })) - 256,
  );
  return {
    ...item,
    entry: { ...entry, Detail: Buffer.from(detail).subarray(0, headBytes).toString('utf8') },
    detailTruncated: true,
    detailSha256: sha256(detail),
    detailBytes: Buffer.byteLength(detail),
  };
}

/** The entry as JSON can carry it (`Time` as ISO-8601), ready to re-send. */
function serializable(entry: PutEventsRequestEntry) {
  return { ...entry, ...(entry.Time ? { Time: entry.Time.toISOString() } : {}) };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

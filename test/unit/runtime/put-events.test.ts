import type { PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { describe, expect, it } from 'vitest';
import { entrySize, PUT_EVENTS_LIMITS, toBatches } from '../../../functions/runtime/aws/put-events.ts';

const KB = 1024;
/** An entry of exactly `bytes` as EventBridge counts them (Time 14 + Source 5 + DetailType 1 + Detail). */
const entryOf = (bytes: number): PutEventsRequestEntry => ({
  Time: new Date(0),
  Source: 'zta.x',
  DetailType: 'D',
  Detail: 'x'.repeat(bytes - 20),
  EventBusName: 'not-counted',
});

describe('PutEvents entry size and batching', () => {
  it('counts Time as 14 bytes and strings as UTF-8 bytes, not the bus name', () => {
    expect(entrySize(entryOf(100))).toBe(100);
    expect(entrySize({ Source: 'é', DetailType: '€', Detail: '{}', Resources: ['arn:x'] })).toBe(
      2 + 3 + 2 + 5,
    );
  });

  it.each([
    { name: '10 entries fill one call', sizes: Array(10).fill(100), batches: [10] },
    { name: 'the 11th entry starts a second call', sizes: Array(11).fill(100), batches: [10, 1] },
    { name: 'exactly 256 KB fits one call', sizes: [128 * KB, 128 * KB], batches: [2] },
    { name: 'one byte more does not', sizes: [128 * KB, 128 * KB + 1], batches: [1, 1] },
    { name: 'one entry of exactly 256 KB is sent alone', sizes: [30, 256 * KB, 30], batches: [1, 1, 1] },
  ])('$name', ({ sizes, batches }) => {
    const { batches: made, oversized } = toBatches(sizes.map(entryOf));
    expect(made.map((b) => b.length)).toEqual(batches);
    expect(oversized).toEqual([]);
    for (const batch of made) {
      expect(batch.reduce((s, e) => s + entrySize(e), 0)).toBeLessThanOrEqual(
        PUT_EVENTS_LIMITS.maxRequestBytes,
      );
    }
  });

  it('sets apart an entry over 256 KB, keeping the order of the rest', () => {
    const entries = [entryOf(50), entryOf(256 * KB + 1), entryOf(60)];
    const { batches, oversized } = toBatches(entries);
    expect(oversized).toEqual([entries[1]]);
    expect(batches).toEqual([[entries[0], entries[2]]]);
  });
});

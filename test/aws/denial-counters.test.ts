/**
 * One contract, two stores: the in-memory counters `zta serve` uses and the DynamoDB counter
 * table (dynalite on 127.0.0.1, real SDK client) must count the same way — idempotent per
 * decision, sums of live buckets in the window, one alert claim per window.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryDenialCounters } from '../../functions/core/auto-revocation/memory-counters.ts';
import {
  createSpikeDetector,
  type DenialCounterStore,
} from '../../functions/core/auto-revocation/spike-detector.ts';
import { DynamoDenialCounters } from '../../functions/runtime/dynamodb/denial-counter-table.ts';
import { at, atMs, decisionDetail, forged } from '../support/decisions.ts';
import { type LocalDynamo, startDynalite } from '../support/dynalite.ts';

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynalite();
});
afterAll(() => db.close());

const STORES: { name: string; make: () => Promise<DenialCounterStore> }[] = [
  { name: 'memory', make: async () => new MemoryDenialCounters() },
  {
    name: 'DynamoDB',
    make: async () => new DynamoDenialCounters(db.client, await db.createTable('counters')),
  },
];
const P = JSON.stringify(['https://idp.example.test', 'alice']);
const add = (
  store: DenialCounterStore,
  decisionId: string,
  bucketStart: number,
  fromBucket = bucketStart - 59,
) =>
  store.addDenial({
    principal: P,
    decisionId,
    bucketStart,
    fromBucket,
    at: bucketStart,
    expiresAt: bucketStart + 121,
  });

describe.each(STORES)('denial counters ($name)', ({ make }) => {
  it('counts each decision once and sums the buckets of the window', async () => {
    const store = await make();
    const results = [
      await add(store, 'd1', 100),
      await add(store, 'd2', 100),
      await add(store, 'd1', 100), // duplicate delivery
      await add(store, 'd3', 130),
      await add(store, 'd4', 170), // window 111..170: bucket 100 has left it
    ];
    expect(results).toEqual([
      { counted: true, total: 1 },
      { counted: true, total: 2 },
      { counted: false, total: 2 },
      { counted: true, total: 3 },
      { counted: true, total: 2 },
    ]);
  });

  it('ignores buckets past their TTL even if the store still holds them', async () => {
    const store = await make();
    await store.addDenial({
      principal: P,
      decisionId: 'old',
      bucketStart: 100,
      fromBucket: 41,
      at: 100,
      expiresAt: 101,
    });
    expect(
      await store.addDenial({
        principal: P,
        decisionId: 'new',
        bucketStart: 101,
        fromBucket: 42,
        at: 101,
        expiresAt: 222,
      }),
    ).toEqual({
      counted: true,
      total: 1,
    });
  });

  it('grants one alert claim per window, to the claiming decision (and to its retries)', async () => {
    const store = await make();
    const claim = (decisionId: string, atSeconds: number) =>
      store.claimAlert({ principal: P, decisionId, at: atSeconds, until: atSeconds + 60 });
    expect(await claim('d5', 100)).toBe(true);
    expect(await claim('d6', 110)).toBe(false);
    expect(await claim('d5', 111)).toBe(true); // the same decision, redelivered
    expect(await claim('d9', 171)).toBe(true); // the window after
  });

  it('drives the detector: 5 verified denials alert once, forged 401s never count', async () => {
    const detector = createSpikeDetector({ denyThreshold: 5, windowSeconds: 60, counters: await make() });
    const alerts = [];
    for (let s = 0; s < 40; s++) {
      const decision = s % 4 === 0 ? decisionDetail({ time: at(s) }) : forged({ time: at(s) });
      const alert = await detector.observe(decision, atMs(s));
      if (alert) alerts.push(alert.decisionId);
    }
    expect(alerts).toHaveLength(1);
  });
});

/**
 * The decision forwarder through its Lambda wiring, with the real SDK clients against local
 * protocol doubles on 127.0.0.1 (EventBridge JSON 1.1, SQS JSON) and dynalite for the
 * published-decisions table. Time between retries is recorded, not waited.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createForwarderHandler } from '../../functions/decision-forwarder/handler.ts';
import { eventBridgeDouble, type PutEventsPlan } from '../support/aws/eventbridge.ts';
import { startProtocolServer } from '../support/aws/server.ts';
import { sqsDouble } from '../support/aws/sqs.ts';
import { record } from '../support/decisions.ts';
import { type LocalDynamo, startDynalite, TEST_CREDENTIALS, TEST_REGION } from '../support/dynalite.ts';
import { awslogsEvent, loggedLine } from '../support/logs-event.ts';

let db: LocalDynamo;
let cleanups: (() => Promise<void>)[] = [];
beforeAll(async () => {
  db = await startDynalite();
});
afterEach(async () => {
  await Promise.all(cleanups.map((c) => c()));
  cleanups = [];
});
afterAll(() => db.close());

/** A forwarder wired to fresh doubles; `plan` scripts EventBridge, `sqs` the dead-letter queue. */
async function setup(plan?: PutEventsPlan, sqs: Parameters<typeof sqsDouble>[0] = {}) {
  const events = eventBridgeDouble(plan);
  const queue = sqsDouble(sqs);
  const server = await startProtocolServer([events.handler, queue.handler]);
  cleanups.push(server.close);
  const sleeps: number[] = [];
  const forward = createForwarderHandler(
    {
      EVENT_BUS_NAME: 'zta-decisions',
      DEAD_LETTER_QUEUE_URL: `${server.endpoint}/123456789012/zta-forwarder-dlq`,
      PUBLISHED_TABLE_NAME: await db.createTable('published'),
    },
    {
      region: TEST_REGION,
      credentials: TEST_CREDENTIALS,
      endpoints: { events: server.endpoint, sqs: server.endpoint, dynamodb: db.endpoint },
      jitter: () => 0,
      retry: {
        maxAttempts: 3,
        baseDelayMs: 100,
        maxDelayMs: 1000,
        sleep: async (ms) => void sleeps.push(ms),
        random: () => 0.5,
      },
      logger: new Logger({ logLevel: 'SILENT' }),
    },
  );
  const deadLetters = () => queue.messages.map((m) => JSON.parse(m.body));
  return { forward, events, queue, sleeps, deadLetters };
}

const batchOf = (records: object[]) => awslogsEvent(records.map(loggedLine));

describe('decision forwarder', () => {
  it('publishes Authorization Decision events in batches of at most 10 entries', async () => {
    // Prepare
    const { forward, events } = await setup();
    const records = Array.from({ length: 25 }, () => record());

    // Act
    const report = await forward(batchOf(records));

    // Assess
    expect(events.calls.map((c) => c.entries)).toEqual([10, 10, 5]);
    expect(report).toMatchObject({ decisions: 25, published: 25, deadLettered: 0, duplicates: 0 });
    const first = events.accepted[0];
    expect(first).toMatchObject({
      EventBusName: 'zta-decisions',
      Source: 'zta.authorizer',
      DetailType: 'Authorization Decision',
    });
    expect(JSON.parse(first?.Detail ?? '{}')).toEqual({ version: 1, ...withoutSchema(records[0] as object) });
    expect(events.accepted.map((e) => JSON.parse(e.Detail ?? '{}').decisionId)).toEqual(
      records.map((r) => r.decisionId),
    );
  });

  it('keeps each call within 256 KB, and dead-letters an entry too large for any call', async () => {
    const { forward, events, deadLetters } = await setup();
    const big = Array.from({ length: 9 }, () => record({ detail: 'x'.repeat(60_000) }));
    const huge = record({ detail: 'y'.repeat(300_000) });

    const report = await forward(batchOf([...big, huge]));

    expect(events.calls.map((c) => c.entries)).toEqual([4, 4, 1]);
    expect(Math.max(...events.calls.map((c) => c.bytes))).toBeLessThanOrEqual(256 * 1024);
    expect(report).toMatchObject({ published: 9, deadLettered: 1 });
    const [letter] = deadLetters();
    expect(letter.entries).toHaveLength(1);
    expect(letter.entries[0]).toMatchObject({
      errorCode: 'EntryTooLarge',
      detailTruncated: true,
      detailBytes: expect.any(Number),
    });
    expect(letter.entries[0].entry.Detail).toContain(huge.decisionId);
  });

  it('retries the entries a partial failure reported, with backoff, until they are accepted', async () => {
    const { forward, events, sleeps } = await setup(({ index }) =>
      index === 0
        ? {
            failEntries: new Map([
              [1, 'InternalFailure'],
              [3, 'ThrottlingException'],
            ]),
          }
        : undefined,
    );
    const records = Array.from({ length: 5 }, () => record());

    const report = await forward(batchOf(records));

    expect(events.calls.map((c) => c.entries)).toEqual([5, 2]);
    expect(report).toMatchObject({ published: 5, deadLettered: 0 });
    expect(sleeps).toEqual([50]);
  });

  it.each([
    { name: 'throttled', action: { throttle: true } as const },
    { name: 'failed with a 5xx', action: { serverError: true } as const },
  ])('retries a whole call that was $name', async ({ action }) => {
    const { forward, events } = await setup(({ index }) => (index === 0 ? action : undefined));
    const report = await forward(batchOf([record(), record()]));
    expect(events.calls.map((c) => c.entries)).toEqual([2, 2]);
    expect(report).toMatchObject({ published: 2, deadLettered: 0 });
  });

  it('sends what still fails after the last attempt to the DLQ, carrying the events', async () => {
    const poison = record();
    const { forward, events, sleeps, deadLetters } = await setup(({ entries }) => ({
      failEntries: new Map(
        entries.flatMap((e, i) =>
          e.Detail?.includes(poison.decisionId) ? [[i, 'InternalFailure'] as const] : [],
        ),
      ),
    }));

    const report = await forward(batchOf([record(), poison, record()]));

    expect(events.calls.map((c) => c.entries)).toEqual([3, 1, 1]);
    expect(sleeps).toEqual([50, 100]);
    expect(report).toMatchObject({ published: 2, deadLettered: 1 });
    const [letter] = deadLetters();
    expect(letter).toMatchObject({
      schema: 'zta.dead-letter/v1',
      reason: 'PutEvents did not accept these entries',
      context: { logGroup: '/aws/lambda/zta-authorizer' },
    });
    expect(letter.entries).toEqual([
      {
        errorCode: 'InternalFailure',
        errorMessage: expect.any(String),
        entry: expect.objectContaining({
          Source: 'zta.authorizer',
          DetailType: 'Authorization Decision',
          EventBusName: 'zta-decisions',
        }),
      },
    ]);
    expect(JSON.parse(letter.entries[0].entry.Detail)).toMatchObject({
      decisionId: poison.decisionId,
      version: 1,
    });
  });

  it('does not retry a permanent refusal: straight to the DLQ', async () => {
    const { forward, events, deadLetters } = await setup(() => ({
      failEntries: new Map([[0, 'MalformedDetail']]),
    }));
    const report = await forward(batchOf([record()]));
    expect(events.calls).toHaveLength(1);
    expect(report.deadLettered).toBe(1);
    expect(deadLetters()[0].entries[0].errorCode).toBe('MalformedDetail');
  });

  it('fails the invocation when the DLQ refuses too, so the batch is redelivered, not lost', async () => {
    const { forward } = await setup(() => ({ failEntries: new Map([[0, 'MalformedDetail']]) }), {
      alwaysFail: true,
    });
    await expect(forward(batchOf([record()]))).rejects.toThrow();
  });

  it('publishes a batch delivered twice once (and a record repeated inside a batch once)', async () => {
    const { forward, events } = await setup();
    const records = [record(), record(), record()];
    const batch = batchOf([...records, records[0] as object]);

    const first = await forward(batch);
    const second = await forward(batch);

    expect(first).toMatchObject({ decisions: 4, published: 3, duplicates: 1 });
    expect(second).toMatchObject({ decisions: 4, published: 0, duplicates: 4 });
    expect(events.accepted).toHaveLength(3);
  });

  it('after a partly failed delivery, a redelivery publishes only what was not published', async () => {
    let failing = true;
    const { forward, events } = await setup(({ entries }) =>
      failing
        ? {
            failEntries: new Map(
              entries.map((_, i) => [i, i === 0 ? 'MalformedDetail' : ''] as const).filter(([, c]) => c),
            ),
          }
        : undefined,
    );
    const records = [record(), record()];
    await forward(batchOf(records));
    failing = false;
    const redelivered = await forward(batchOf(records));
    expect(redelivered).toMatchObject({ published: 1, duplicates: 1 });
    expect(events.accepted.map((e) => JSON.parse(e.Detail ?? '{}').decisionId)).toEqual([
      records[1]?.decisionId,
      records[0]?.decisionId,
    ]);
  });

  it('skips other log lines, dead-letters invalid records, ignores control messages', async () => {
    const { forward, events, deadLetters } = await setup();
    const lines = [
      JSON.stringify({ level: 'WARN', message: 'decision observability failures', logFailures: 1 }),
      'START RequestId: 1 Version: $LATEST',
      loggedLine({ ...record(), status: 500 }),
      `2026-01-01T00:00:00.000Z\tabc\tINFO\t${loggedLine(record())}`,
      '{"schema":"zta.decision/v1","decisionId":"cut-sho',
    ];

    const report = await forward(awslogsEvent(lines));
    const control = await forward(awslogsEvent(['CWL CONTROL MESSAGE'], 'CONTROL_MESSAGE'));

    expect(report).toMatchObject({
      logEvents: 5,
      decisions: 1,
      published: 1,
      otherLines: 2,
      deadLettered: 2,
    });
    expect(events.accepted).toHaveLength(1);
    expect(deadLetters()[0].reason).toMatch(/^invalid decision records: status/);
    expect(JSON.parse(deadLetters()[0].payload)).toHaveLength(2);
    expect(control).toMatchObject({ logEvents: 0, published: 0 });
  });

  it('dead-letters a payload it cannot decode', async () => {
    const { forward, deadLetters } = await setup();
    const report = await forward({ awslogs: { data: 'bm90IGd6aXA=' } });
    expect(report.deadLettered).toBe(1);
    expect(deadLetters()[0]).toMatchObject({
      reason: expect.stringMatching(/not base64 gzip JSON/),
      payload: expect.stringContaining('bm90IGd6aXA='),
    });
  });
});

function withoutSchema(r: object): object {
  const { schema: _schema, ...rest } = r as { schema: string };
  return rest;
}

/**
 * Retries, where each belongs: whole calls by the SDK's standard mode (the profiles in
 * `client-config.ts`), what a successful answer left undone (`UnprocessedItems`,
 * `UnprocessedKeys`, failed `PutEvents` entries) by the bounded loop in `retry.ts`. Real SDK
 * clients against protocol doubles on 127.0.0.1 that answer throttling in each protocol's form;
 * the SDK's jitter is 0 and the loop's sleep is recorded, so nothing waits.
 */
import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { clientConfig, SDK_RETRIES, type SdkRetry } from '../../functions/runtime/aws/client-config.ts';
import { sendDeadLetter } from '../../functions/runtime/aws/dead-letter-queue.ts';
import { snsNotifier } from '../../functions/runtime/aws/notifier.ts';
import { putEventsReliably } from '../../functions/runtime/aws/put-events.ts';
import { backoffMs, type RetryPolicy, untilProcessed } from '../../functions/runtime/aws/retry.ts';
import { stageCacheFlusher } from '../../functions/runtime/aws/stage-cache.ts';
import { lazyDynamoRevocationStore } from '../../functions/runtime/dynamodb/lazy-revocation-store.ts';
import { PublishedDecisions } from '../../functions/runtime/dynamodb/published-decisions.ts';
import { apiGatewayDouble } from '../support/aws/api-gateway.ts';
import { dynamoBatchDouble } from '../support/aws/dynamodb-batch.ts';
import { eventBridgeDouble } from '../support/aws/eventbridge.ts';
import { failFirst, type SeenRequest, startProtocolServer, THROTTLED } from '../support/aws/server.ts';
import { snsDouble } from '../support/aws/sns.ts';
import { sqsDouble } from '../support/aws/sqs.ts';
import { TEST_CREDENTIALS, TEST_REGION } from '../support/dynalite.ts';

let closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.map((c) => c()));
  closers = [];
});

const placement = (endpoint: string) => ({
  endpoint,
  region: TEST_REGION,
  credentials: TEST_CREDENTIALS,
  jitter: () => 0,
});

/** One AWS call through its adapter; `ok` says whether the adapter reported success. */
interface ClientCase {
  readonly name: string;
  readonly profile: SdkRetry;
  readonly matches: (r: SeenRequest) => boolean;
  readonly throttled: (typeof THROTTLED)[keyof typeof THROTTLED];
  readonly call: (endpoint: string) => Promise<boolean>;
}

const CASES: ClientCase[] = [
  {
    name: 'EventBridge PutEvents (forwarder, spike detector, revoker)',
    profile: SDK_RETRIES.pipeline,
    matches: (r) => r.target === 'AWSEvents.PutEvents',
    throttled: THROTTLED.json11,
    call: async (endpoint) => {
      const client = new EventBridgeClient(
        clientConfig(placement(endpoint), { retry: SDK_RETRIES.pipeline }),
      );
      const entry = { Source: 'zta.test', DetailType: 'T', Detail: '{}', EventBusName: 'b' };
      const outcome = await putEventsReliably(client, [entry], {
        maxAttempts: 1,
        baseDelayMs: 0,
        maxDelayMs: 0,
      });
      return outcome.published.length === 1;
    },
  },
  {
    name: 'SQS SendMessage (the dead-letter queue)',
    profile: SDK_RETRIES.pipeline,
    matches: (r) => r.target === 'AmazonSQS.SendMessage',
    throttled: THROTTLED.json10,
    call: async (endpoint) => {
      const client = new SQSClient(clientConfig(placement(endpoint), { retry: SDK_RETRIES.pipeline }));
      return sendDeadLetter(
        client,
        `${endpoint}/123456789012/dlq`,
        { reason: 'r', context: {}, payload: 'p' },
        0,
      )
        .then(() => true)
        .catch(() => false);
    },
  },
  {
    name: 'SNS Publish (the revoker notice)',
    profile: SDK_RETRIES.pipeline,
    matches: (r) => r.body.includes('Action=Publish'),
    throttled: THROTTLED.query,
    call: async (endpoint) => {
      const client = new SNSClient(clientConfig(placement(endpoint), { retry: SDK_RETRIES.pipeline }));
      return snsNotifier(
        client,
        'arn:aws:sns:us-east-1:123456789012:t',
      )({ subject: 's', message: 'm' })
        .then(() => true)
        .catch(() => false);
    },
  },
  {
    name: 'API Gateway FlushStageAuthorizersCache (admin route profile)',
    profile: SDK_RETRIES.request,
    matches: (r) => r.method === 'DELETE' && r.path.endsWith('/cache/authorizers'),
    throttled: THROTTLED.restJson,
    call: async (endpoint) => {
      const client = new APIGatewayClient(clientConfig(placement(endpoint), { retry: SDK_RETRIES.request }));
      const [result] = await stageCacheFlusher(client, [{ restApiId: 'a1b2c3d4e5', stageName: 'prod' }])();
      return result?.ok === true;
    },
  },
  {
    name: "DynamoDB BatchGetItem (the authorizer's revocation read: fails fast)",
    profile: SDK_RETRIES.authorizer,
    matches: (r) => r.target === 'DynamoDB_20120810.BatchGetItem',
    throttled: THROTTLED.json10,
    call: async (endpoint) => {
      const store = lazyDynamoRevocationStore(
        {
          kind: 'dynamodb',
          tableName: 'revocations',
          region: TEST_REGION,
          endpoint,
          cacheSeconds: 0,
          maxCacheEntries: 1,
        },
        { credentials: TEST_CREDENTIALS },
      );
      try {
        const facts = await store.lookup({
          issuer: 'https://idp.example.test',
          subject: 'alice',
          jti: 'j-1',
        });
        return facts.jtiRevoked === false;
      } catch {
        return false;
      }
    },
  },
];

async function serve(times: number, c: ClientCase) {
  const throttle = failFirst(times, c.matches, c.throttled);
  const server = await startProtocolServer([
    throttle.handler,
    eventBridgeDouble().handler,
    sqsDouble().handler,
    snsDouble().handler,
    apiGatewayDouble().handler,
    dynamoBatchDouble(() => 0).handler,
  ]);
  closers.push(server.close);
  return { endpoint: server.endpoint, counts: throttle.counts };
}

describe('whole calls: the SDK standard mode retries throttling, within the profile bound', () => {
  it.each(CASES)('$name: throttled, then answered', async (c) => {
    // Prepare: throttled on every attempt but the last one the profile allows.
    const { endpoint, counts } = await serve(c.profile.maxAttempts - 1, c);

    // Act
    const ok = await c.call(endpoint);

    // Assess
    expect(ok).toBe(true);
    expect(counts.seen).toBe(c.profile.maxAttempts);
  });

  it.each(CASES)('$name: throttled every time, gives up after $profile.maxAttempts attempts', async (c) => {
    const { endpoint, counts } = await serve(Number.POSITIVE_INFINITY, c);

    const ok = await c.call(endpoint);

    expect(ok).toBe(false);
    expect(counts.seen).toBe(c.profile.maxAttempts);
  });

  it('the authorizer profile allows one retry only, ≤ 25 ms apart; the pipeline four attempts', () => {
    expect(SDK_RETRIES.authorizer).toEqual({ maxAttempts: 2, baseDelayMs: 25, maxDelayMs: 25 });
    expect(SDK_RETRIES.pipeline.maxAttempts).toBe(4);
  });
});

describe('what an answer left undone: the bounded, jittered loop', () => {
  const recorder = (maxAttempts: number) => {
    const sleeps: number[] = [];
    const policy: RetryPolicy = {
      maxAttempts,
      baseDelayMs: 100,
      maxDelayMs: 1000,
      sleep: async (ms) => void sleeps.push(ms),
      random: () => 0.5,
    };
    return { sleeps, policy };
  };

  async function ledger(leave: (call: number) => number, maxAttempts: number) {
    const batch = dynamoBatchDouble(leave);
    const server = await startProtocolServer([batch.handler]);
    closers.push(server.close);
    const { sleeps, policy } = recorder(maxAttempts);
    const client = new DynamoDBClient(
      clientConfig(placement(server.endpoint), { retry: SDK_RETRIES.pipeline }),
    );
    return { decisions: new PublishedDecisions(client, 'published', 3600, policy), batch, sleeps };
  }
  const ids = ['d-1', 'd-2', 'd-3'];

  it.each([
    {
      name: 'left unprocessed twice, then written',
      leave: (c: number) => (c < 2 ? 2 : 0),
      unmarked: 0,
      calls: [3, 2, 2],
      sleeps: [50, 100],
    },
    {
      name: 'left unprocessed every time: the bound',
      leave: () => 1,
      unmarked: 1,
      calls: [3, 1, 1, 1],
      sleeps: [50, 100, 200],
    },
  ])('BatchWriteItem UnprocessedItems $name', async ({ leave, unmarked, calls, sleeps }) => {
    const w = await ledger(leave, 4);

    const left = await w.decisions.markPublished(ids, 1000);

    expect(left).toBe(unmarked);
    expect(w.batch.calls.map((c) => c.requests)).toEqual(calls);
    expect(w.sleeps).toEqual(sleeps);
    expect(w.batch.items.size).toBe(ids.length - unmarked);
  });

  it('BatchGetItem UnprocessedKeys: an unanswered key counts as unpublished, never as published', async () => {
    const w = await ledger((c) => (c === 0 ? 0 : 3), 3);
    await w.decisions.markPublished(ids, 1000);

    const seen = await w.decisions.published(ids, 1000);

    expect(seen).toEqual(new Set());
    expect(w.batch.calls.map((c) => [c.operation, c.requests])).toEqual([
      ['BatchWriteItem', 3],
      ['BatchGetItem', 3],
      ['BatchGetItem', 3],
      ['BatchGetItem', 3],
    ]);
  });

  it.each([
    { attempt: 1, range: [0, 100] },
    { attempt: 2, range: [0, 200] },
    { attempt: 5, range: [0, 1000] },
    { attempt: 30, range: [0, 1000] },
  ])('full jitter: retry $attempt waits in [$range.0, $range.1)', ({ attempt, range }) => {
    expect(backoffMs(attempt, 100, 1000, () => 0)).toBe(range[0]);
    expect(backoffMs(attempt, 100, 1000, () => 0.999_999)).toBe((range[1] ?? 0) - 1);
  });

  it('stops re-sending as soon as nothing is left, and counts re-sent items', async () => {
    const { sleeps, policy } = recorder(5);
    const sent: number[][] = [];
    const result = await untilProcessed(
      [1, 2, 3],
      async (items) => {
        sent.push([...items]);
        return items.slice(1);
      },
      policy,
    );
    expect(sent).toEqual([[1, 2, 3], [2, 3], [3]]);
    expect(result).toEqual({ left: [], resent: 3 });
    expect(sleeps).toHaveLength(2);
  });
});

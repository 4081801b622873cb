import {
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  BatchWriteItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { DEFAULT_RETRY, type RetryPolicy, untilProcessed } from '../aws/retry.ts';
import { type Item, key, n, num, str } from './revocation-items.ts';

const GET_CHUNK = 100;
const WRITE_CHUNK = 25;

/**
 * Which decisions the forwarder has already published (key schema `pk` S + `sk` S with `sk` =
 * `published`, TTL `expiresAt`), so a log batch CloudWatch Logs delivers twice is published
 * once.
 *
 * Marked *after* a successful `PutEvents`, never claimed before: a claim followed by a crash
 * would make the redelivery skip records that were never published (silently lost). The price
 * is a narrow window (crash between publishing and marking, or two deliveries racing) where a
 * decision is published twice; every consumer is idempotent on `decisionId` (the spike
 * counters count an id once). Read problems degrade the same way: an unanswered key counts as
 * unpublished (published again), never as published (dropped).
 *
 * `UnprocessedKeys` / `UnprocessedItems` (a partition over its throughput: the call succeeded,
 * so the SDK does not retry) are re-sent with full-jitter backoff within `retry`'s bound.
 */
export class PublishedDecisions {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly ttlSeconds: number,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {}

  /** The ids among `ids` already published (markers still live at `nowSeconds`). */
  async published(ids: readonly string[], nowSeconds: number): Promise<Set<string>> {
    const seen = new Set<string>();
    for (let i = 0; i < ids.length; i += GET_CHUNK) {
      const keys = ids.slice(i, i + GET_CHUNK).map((id) => key(id, 'published'));
      await untilProcessed(
        keys,
        async (pending) => {
          const answer: BatchGetItemCommandOutput = await this.client.send(
            new BatchGetItemCommand({
              RequestItems: {
                [this.tableName]: {
                  Keys: [...pending],
                  ConsistentRead: true,
                  ProjectionExpression: 'pk, expiresAt',
                },
              },
            }),
          );
          for (const item of answer.Responses?.[this.tableName] ?? []) {
            const id = str(item, 'pk');
            if (id !== undefined && (num(item, 'expiresAt') ?? 0) > nowSeconds) seen.add(id);
          }
          return (answer.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as Item[];
        },
        this.retry,
      );
    }
    return seen;
  }

  /** Marks ids as published; returns how many could not be marked (they may be re-published). */
  async markPublished(ids: readonly string[], nowSeconds: number): Promise<number> {
    let unmarked = 0;
    const expiresAt = n(nowSeconds + this.ttlSeconds);
    for (let i = 0; i < ids.length; i += WRITE_CHUNK) {
      const requests = ids
        .slice(i, i + WRITE_CHUNK)
        .map((id) => ({ PutRequest: { Item: { ...key(id, 'published'), expiresAt } } }));
      const { left } = await untilProcessed(
        requests,
        async (pending) => {
          const answer = await this.client.send(
            new BatchWriteItemCommand({ RequestItems: { [this.tableName]: [...pending] } }),
          );
          return (answer.UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
        },
        this.retry,
      );
      unmarked += left.length;
    }
    return unmarked;
  }
}

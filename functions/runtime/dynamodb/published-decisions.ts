import {
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  BatchWriteItemCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { type Item, key, n, num, str } from './revocation-items.ts';

const GET_CHUNK = 100;
const WRITE_CHUNK = 25;
const RETRIES = 2;

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
 */
export class PublishedDecisions {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly ttlSeconds: number,
  ) {}

  /** The ids among `ids` already published (markers still live at `nowSeconds`). */
  async published(ids: readonly string[], nowSeconds: number): Promise<Set<string>> {
    const seen = new Set<string>();
    for (let i = 0; i < ids.length; i += GET_CHUNK) {
      let keys: Item[] | undefined = ids.slice(i, i + GET_CHUNK).map((id) => key(id, 'published'));
      for (let attempt = 0; keys && keys.length > 0 && attempt <= RETRIES; attempt++) {
        const answer: BatchGetItemCommandOutput = await this.client.send(
          new BatchGetItemCommand({
            RequestItems: {
              [this.tableName]: { Keys: keys, ConsistentRead: true, ProjectionExpression: 'pk, expiresAt' },
            },
          }),
        );
        for (const item of answer.Responses?.[this.tableName] ?? []) {
          const id = str(item, 'pk');
          if (id !== undefined && (num(item, 'expiresAt') ?? 0) > nowSeconds) seen.add(id);
        }
        keys = answer.UnprocessedKeys?.[this.tableName]?.Keys;
      }
    }
    return seen;
  }

  /** Marks ids as published; returns how many could not be marked (they may be re-published). */
  async markPublished(ids: readonly string[], nowSeconds: number): Promise<number> {
    let unmarked = 0;
    const expiresAt = n(nowSeconds + this.ttlSeconds);
    for (let i = 0; i < ids.length; i += WRITE_CHUNK) {
      let requests = ids
        .slice(i, i + WRITE_CHUNK)
        .map((id) => ({ PutRequest: { Item: { ...key(id, 'published'), expiresAt } } }));
      for (let attempt = 0; requests.length > 0 && attempt <= RETRIES; attempt++) {
        const answer = await this.client.send(
          new BatchWriteItemCommand({ RequestItems: { [this.tableName]: requests } }),
        );
        requests = (answer.UnprocessedItems?.[this.tableName] ?? []) as typeof requests;
      }
      unmarked += requests.length;
    }
    return unmarked;
  }
}

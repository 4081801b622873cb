import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  QueryCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { DenialCounterStore } from '../../core/auto-revocation/spike-detector.ts';
import { type Item, key, n, num, partitionKey, s } from './revocation-items.ts';

const bucketSk = (start: number) => `bucket#${String(start).padStart(12, '0')}`;

/**
 * The spike detector's counters in DynamoDB (key schema `pk` S + `sk` S, TTL `expiresAt`):
 * one item per principal and time bucket (`sk` = `bucket#<epoch-seconds, zero-padded>`) and
 * one alert claim per principal (`sk` = `alert`).
 *
 * Counting is one atomic `UpdateItem` that adds 1 and the decision id to the bucket's id set,
 * on condition the id is not in it yet: a duplicate delivery changes nothing. The window sum
 * is one strongly consistent `Query` over the bucket range, filtered on `expiresAt` (TTL
 * deletion is eventual). The alert claim is a conditional update, so exactly one concurrent
 * detector wins it per window. A bucket's id set grows with its denials (about 10,000 ids fit
 * an item); a principal denied that often in one bucket crossed any threshold long before.
 */
export class DynamoDenialCounters implements DenialCounterStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async addDenial(input: Parameters<DenialCounterStore['addDenial']>[0]) {
    const pk = partitionKey(['denials', input.principal]);
    let counted = true;
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: key(pk, bucketSk(input.bucketStart)),
          UpdateExpression: 'ADD denials :one, decisionIds :ids SET expiresAt = :exp',
          ConditionExpression: 'attribute_not_exists(decisionIds) OR NOT contains(decisionIds, :id)',
          ExpressionAttributeValues: {
            ':one': n(1),
            ':ids': { SS: [input.decisionId] },
            ':id': s(input.decisionId),
            ':exp': n(input.expiresAt),
          },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      counted = false;
    }
    let total = 0;
    let start: Item | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
          FilterExpression: 'expiresAt > :at',
          ProjectionExpression: 'denials',
          ConsistentRead: true,
          ExpressionAttributeValues: {
            ':pk': s(pk),
            ':from': s(bucketSk(input.fromBucket)),
            ':to': s(bucketSk(input.bucketStart)),
            ':at': n(input.at),
          },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of page.Items ?? []) total += num(item, 'denials') ?? 0;
      start = page.LastEvaluatedKey;
    } while (start);
    return { counted, total };
  }

  async claimAlert(input: Parameters<DenialCounterStore['claimAlert']>[0]) {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: key(partitionKey(['denials', input.principal]), 'alert'),
          UpdateExpression: 'SET alertUntil = :until, alertDecisionId = :id, expiresAt = :exp',
          ConditionExpression:
            'attribute_not_exists(alertUntil) OR alertUntil <= :at OR alertDecisionId = :id',
          ExpressionAttributeValues: {
            ':until': n(input.until),
            ':id': s(input.decisionId),
            ':at': n(input.at),
            ':exp': n(input.until + (input.until - input.at)),
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}

import {
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  type DynamoDBClient,
  type KeysAndAttributes,
} from '@aws-sdk/client-dynamodb';
import type { RevocationFacts, RevocationQuery, RevocationStore } from '../../core/revocation.ts';
import { backoffMs, sleep } from '../aws/retry.ts';
import { type Item, inForce, key, partitionKey, recordOf, str } from './revocation-items.ts';

export interface DynamoRevocationStoreOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** How long an answer is reused; 0 reads the table on every lookup. */
  readonly cacheSeconds: number;
  readonly maxCacheEntries: number;
  /** @default Date.now */
  readonly now?: () => number;
}

interface Cached {
  readonly facts: RevocationFacts;
  readonly until: number;
}

/** Unprocessed keys are retried this many times before the lookup fails (closed). */
const UNPROCESSED_RETRIES = 2;

/**
 * The authorizer's view of the DynamoDB revocation table (layout in `revocation-items.ts`).
 *
 * One strongly consistent `BatchGetItem` per lookup reads the subject's state and the jti's
 * (any-issuer and this-issuer) states. Answers — revoked or not — are reused for
 * `cacheSeconds`, bounded to `maxCacheEntries` (least recently used first out), so a
 * revocation reaches a warm container at most `cacheSeconds` late; only verified tokens get
 * here, so the key space is bounded by real principals, not by attackers.
 *
 * Error semantics: any failure to read (network, throttling after the SDK's retry, missing
 * table, keys left unprocessed, a corrupt item) throws, and the authorizer denies with
 * `revocation_unavailable`. Failures are never cached: the next request tries again.
 */
export class DynamoRevocationStore implements RevocationStore {
  private readonly cache = new Map<string, Cached>();
  private readonly now: () => number;

  constructor(private readonly options: DynamoRevocationStoreOptions) {
    this.now = options.now ?? Date.now;
  }

  async lookup(query: RevocationQuery): Promise<RevocationFacts> {
    const cacheKey = JSON.stringify([query.issuer, query.subject, query.jti ?? null]);
    const nowMs = this.now();
    const hit = this.cache.get(cacheKey);
    if (hit) {
      this.cache.delete(cacheKey);
      if (hit.until > nowMs) {
        this.cache.set(cacheKey, hit);
        return hit.facts;
      }
    }
    const facts = await this.read(query, Math.floor(nowMs / 1000));
    if (this.options.cacheSeconds > 0) {
      this.cache.set(cacheKey, { facts, until: nowMs + this.options.cacheSeconds * 1000 });
      while (this.cache.size > this.options.maxCacheEntries) {
        const oldest = this.cache.keys().next().value;
        if (oldest === undefined) break;
        this.cache.delete(oldest);
      }
    }
    return facts;
  }

  private async read(query: RevocationQuery, nowSeconds: number): Promise<RevocationFacts> {
    const subjectPk = partitionKey(['subject', query.issuer, query.subject]);
    const pks = [subjectPk];
    if (query.jti !== undefined) {
      pks.push(partitionKey(['jti', null, query.jti]), partitionKey(['jti', query.issuer, query.jti]));
    }
    const items = await this.batchGet(pks.map((pk) => key(pk)));
    let jtiRevoked = false;
    let subjectRevokedAt: number | undefined;
    for (const item of items) {
      if (!inForce(item, nowSeconds)) continue;
      const record = recordOf(item);
      if (str(item, 'pk') === subjectPk && record.kind === 'subject') {
        subjectRevokedAt = record.revokedAt;
      } else if (record.kind === 'jti') {
        jtiRevoked = true;
      }
    }
    return { jtiRevoked, subjectRevokedAt };
  }

  private async batchGet(keys: Item[]): Promise<Item[]> {
    const found: Item[] = [];
    let pending: KeysAndAttributes | undefined = { Keys: keys, ConsistentRead: true };
    for (let attempt = 0; pending?.Keys && pending.Keys.length > 0; attempt++) {
      if (attempt > UNPROCESSED_RETRIES) throw new Error('revocation table left keys unprocessed');
      // Unprocessed keys mean the table is throttling: a short jittered wait (≤ 25 ms, an
      // authorizer has milliseconds) rather than asking again at once.
      if (attempt > 0) await sleep(backoffMs(attempt, 10, 25));
      const table = this.options.tableName;
      const answer: BatchGetItemCommandOutput = await this.options.client.send(
        new BatchGetItemCommand({ RequestItems: { [table]: pending } }),
      );
      found.push(...(answer.Responses?.[table] ?? []));
      pending = answer.UnprocessedKeys?.[table];
    }
    return found;
  }
}

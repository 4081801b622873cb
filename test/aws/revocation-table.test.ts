/**
 * The DynamoDB revocation table against a real DynamoDB API (dynalite on 127.0.0.1) with the
 * real SDK client: lookups, TTL filtering, the bounded cache, failing closed, and idempotent,
 * audited writes.
 */
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RevocationAudit } from '../../functions/core/revocation-writer.ts';
import { clientConfig } from '../../functions/runtime/aws/client-config.ts';
import { partitionKey } from '../../functions/runtime/dynamodb/revocation-items.ts';
import { DynamoRevocationStore } from '../../functions/runtime/dynamodb/revocation-table-store.ts';
import { DynamoRevocationWriter } from '../../functions/runtime/dynamodb/revocation-table-writer.ts';
import { type LocalDynamo, startDynalite, TEST_CREDENTIALS, TEST_REGION } from '../support/dynalite.ts';

const ISS = 'https://idp.example.test';
const T = 1_800_000_000;
const audit = (requestId: string, over: Partial<RevocationAudit> = {}): RevocationAudit => ({
  actor: 'arn:aws:iam::123456789012:role/ops',
  reason: 'suspected leak',
  requestId,
  trigger: 'manual',
  ...over,
});

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynalite();
});
afterAll(() => db.close());

describe('DynamoRevocationStore lookups', () => {
  let table: string;
  let writer: DynamoRevocationWriter;
  let clock: number;
  const store = (cacheSeconds = 0, maxCacheEntries = 100) =>
    new DynamoRevocationStore({
      client: db.client,
      tableName: table,
      cacheSeconds,
      maxCacheEntries,
      now: () => clock,
    });
  beforeEach(async () => {
    table = await db.createTable('revocations');
    writer = new DynamoRevocationWriter(db.client, table);
    clock = T * 1000;
  });

  it('reports a subject revocation time and jti revocations (any issuer, or this one)', async () => {
    // Prepare
    await writer.revoke({ kind: 'subject', issuer: ISS, subject: 'alice' }, T - 10, audit('r1'));
    await writer.revoke({ kind: 'jti', jti: 'any-issuer' }, T, audit('r2'));
    await writer.revoke({ kind: 'jti', jti: 'this-issuer', issuer: ISS }, T, audit('r3'));
    await writer.revoke(
      { kind: 'jti', jti: 'other-issuer', issuer: 'https://other.example' },
      T,
      audit('r4'),
    );
    const s = store();

    // Act
    const answers = await Promise.all([
      s.lookup({ issuer: ISS, subject: 'alice', jti: undefined }),
      s.lookup({ issuer: ISS, subject: 'bob', jti: 'any-issuer' }),
      s.lookup({ issuer: ISS, subject: 'bob', jti: 'this-issuer' }),
      s.lookup({ issuer: ISS, subject: 'bob', jti: 'other-issuer' }),
      s.lookup({ issuer: 'https://other.example', subject: 'alice', jti: 'x' }),
    ]);

    // Assess
    expect(answers).toEqual([
      { jtiRevoked: false, subjectRevokedAt: T - 10 },
      { jtiRevoked: true, subjectRevokedAt: undefined },
      { jtiRevoked: true, subjectRevokedAt: undefined },
      { jtiRevoked: false, subjectRevokedAt: undefined },
      { jtiRevoked: false, subjectRevokedAt: undefined },
    ]);
  });

  it('ignores items past their TTL (DynamoDB deletes them only eventually)', async () => {
    await writer.revoke({ kind: 'subject', issuer: ISS, subject: 'alice' }, T - 100, audit('r1'), {
      expiresAt: T,
    });
    await writer.revoke({ kind: 'jti', jti: 'j' }, T - 100, audit('r2'), { expiresAt: T + 1 });
    const answer = await store().lookup({ issuer: ISS, subject: 'alice', jti: 'j' });
    expect(answer).toEqual({ jtiRevoked: true, subjectRevokedAt: undefined });
  });

  it('reuses answers for cacheSeconds, then reads again', async () => {
    const s = store(5);
    const q = { issuer: ISS, subject: 'alice', jti: undefined };
    expect((await s.lookup(q)).subjectRevokedAt).toBeUndefined();
    await writer.revoke({ kind: 'subject', issuer: ISS, subject: 'alice' }, T, audit('r1'));

    clock += 4_999;
    const cached = await s.lookup(q);
    clock += 1;
    const fresh = await s.lookup(q);

    expect(cached.subjectRevokedAt).toBeUndefined();
    expect(fresh.subjectRevokedAt).toBe(T);
  });

  it('bounds the cache: the least recently used answer is dropped first', async () => {
    const s = store(60, 2);
    const q = (subject: string) => ({ issuer: ISS, subject, jti: undefined });
    await s.lookup(q('a'));
    await s.lookup(q('b'));
    await s.lookup(q('a')); // a is now the most recent
    await s.lookup(q('c')); // evicts b
    await writer.revoke({ kind: 'subject', issuer: ISS, subject: 'a' }, T, audit('ra'));
    await writer.revoke({ kind: 'subject', issuer: ISS, subject: 'b' }, T, audit('rb'));

    expect((await s.lookup(q('a'))).subjectRevokedAt).toBeUndefined(); // still cached
    expect((await s.lookup(q('b'))).subjectRevokedAt).toBe(T); // was evicted: read again
  });

  it('fails closed: a missing table, an unreachable endpoint or a corrupt item throws, and nothing is cached', async () => {
    const missing = new DynamoRevocationStore({
      client: db.client,
      tableName: 'no-such-table',
      cacheSeconds: 60,
      maxCacheEntries: 10,
    });
    await expect(missing.lookup({ issuer: ISS, subject: 'a', jti: undefined })).rejects.toThrow(
      /non-existent|not found/i,
    );
    const unreachable = new DynamoRevocationStore({
      client: new DynamoDBClient(
        clientConfig({ endpoint: 'http://127.0.0.1:1', region: TEST_REGION, credentials: TEST_CREDENTIALS }),
      ),
      tableName: table,
      cacheSeconds: 60,
      maxCacheEntries: 10,
    });
    await expect(unreachable.lookup({ issuer: ISS, subject: 'a', jti: undefined })).rejects.toThrow();

    await db.client.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          pk: { S: partitionKey(['subject', ISS, 'mallory']) },
          sk: { S: 'state' },
          revokedAt: { S: 'soon' },
        },
      }),
    );
    await expect(store(60).lookup({ issuer: ISS, subject: 'mallory', jti: undefined })).rejects.toThrow(
      /not a number/,
    );
  });

  it('keys a very long subject by its hash (DynamoDB caps keys at 2 KB)', async () => {
    const subject = 'x'.repeat(5000);
    await writer.revoke({ kind: 'subject', issuer: ISS, subject }, T, audit('r1'));
    expect((await store().lookup({ issuer: ISS, subject, jti: undefined })).subjectRevokedAt).toBe(T);
    expect(partitionKey(['subject', ISS, subject])).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});

describe('DynamoRevocationWriter', () => {
  let table: string;
  let writer: DynamoRevocationWriter;
  const alice = { kind: 'subject', issuer: ISS, subject: 'alice' } as const;
  beforeEach(async () => {
    table = await db.createTable('revocations');
    writer = new DynamoRevocationWriter(db.client, table, () => (T + 1) * 1000);
  });

  it('is idempotent per request: a repeat reports the same outcome and moves nothing', async () => {
    const first = await writer.revoke(alice, T, audit('alert-1', { trigger: 'auto' }));
    const repeat = await writer.revoke(alice, T + 30, audit('alert-1', { trigger: 'auto' }));
    expect(first.outcome).toBe('revoked');
    expect(repeat).toEqual(first);
  });

  it('moves a subject revocation later, never earlier', async () => {
    await writer.revoke(alice, T, audit('r1'));
    const earlier = await writer.revoke(alice, T - 50, audit('r2'));
    const later = await writer.revoke(alice, T + 50, audit('r3'));
    expect(earlier).toMatchObject({ outcome: 'unchanged', record: { revokedAt: T } });
    expect(later).toMatchObject({ outcome: 'revoked', record: { revokedAt: T + 50 } });
  });

  it('keeps an audit trail of who did what, why and when', async () => {
    await writer.revoke(alice, T, audit('r1', { actor: 'cli:ops@host', reason: 'phished' }));
    await writer.revoke(alice, T, audit('r1', { actor: 'cli:ops@host', reason: 'phished' })); // a retry
    await writer.unrevoke(alice, T + 60, audit('r2', { reason: 'false positive' }));
    const history = await writer.history(alice);
    expect(history).toEqual([
      {
        action: 'revoke',
        actor: 'cli:ops@host',
        reason: 'phished',
        trigger: 'manual',
        requestId: 'r1',
        at: T + 1,
        outcome: 'revoked',
        revokedAt: T,
      },
      {
        action: 'unrevoke',
        actor: 'arn:aws:iam::123456789012:role/ops',
        reason: 'false positive',
        trigger: 'manual',
        requestId: 'r2',
        at: T + 60,
        outcome: 'unrevoked',
      },
    ]);
  });

  it('lifts a revocation, and a late duplicate of the revoking alert does not put it back', async () => {
    const store = new DynamoRevocationStore({
      client: db.client,
      tableName: table,
      cacheSeconds: 0,
      maxCacheEntries: 1,
      now: () => (T + 100) * 1000,
    });
    await writer.revoke(alice, T, audit('alert-1'));
    const lifted = await writer.unrevoke(alice, T + 10, audit('u-1'));
    const again = await writer.unrevoke(alice, T + 20, audit('u-2'));
    const lateDuplicate = await writer.revoke(alice, T + 30, audit('alert-1'));
    const newAlert = await writer.revoke(alice, T + 40, audit('alert-2'));

    expect([lifted.outcome, again.outcome, lateDuplicate.outcome, newAlert.outcome]).toEqual([
      'unrevoked',
      'unchanged',
      'unchanged',
      'revoked',
    ]);
    expect((await store.lookup({ issuer: ISS, subject: 'alice', jti: undefined })).subjectRevokedAt).toBe(
      T + 40,
    );
  });

  it('revokes a jti once; a second request finds it in force', async () => {
    const first = await writer.revoke({ kind: 'jti', jti: 'j1', issuer: ISS }, T, audit('r1'));
    const second = await writer.revoke({ kind: 'jti', jti: 'j1', issuer: ISS }, T + 5, audit('r2'));
    expect([first.outcome, second.outcome]).toEqual(['revoked', 'unchanged']);
    expect(second.record).toMatchObject({ kind: 'jti', jti: 'j1', issuer: ISS, revokedAt: T });
  });

  it('throws when the table cannot be written (nothing is claimed)', async () => {
    const broken = new DynamoRevocationWriter(db.client, 'no-such-table');
    await expect(broken.revoke(alice, T, audit('r1'))).rejects.toThrow();
  });
});

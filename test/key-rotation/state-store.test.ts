import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withCreating, withNextKey } from '../../functions/key-rotation/transitions.ts';
import { CorruptStateError, type RotationState } from '../../functions/workload-keys/state.ts';
import {
  DynamoRotationStateStore,
  MemoryRotationStateStore,
  type RotationStateStore,
  StateConflictError,
} from '../../functions/workload-keys/state-store.ts';
import { type LocalDynamo, startDynalite } from '../support/dynalite.ts';
import { createRotationTable } from '../support/token-service.ts';
import { key, T0 } from './helpers.ts';

let dynamo: LocalDynamo;
let tableName: string;
beforeAll(async () => {
  dynamo = await startDynalite();
  tableName = await createRotationTable(dynamo.client);
});
afterAll(() => dynamo.close());

let ids = 0;
const stores: [string, () => RotationStateStore][] = [
  [
    'DynamoDB (dynalite)',
    () => new DynamoRotationStateStore({ client: dynamo.client, tableName, clock: () => T0 }),
  ],
  ['memory', () => new MemoryRotationStateStore()],
];

describe.each(stores)('%s rotation state store', (_name, make) => {
  it('starts empty, then round-trips every field through versioned writes', async () => {
    // Prepare
    const store = make();
    const id = `rotation-${++ids}`;
    const next = key(1, 'next');

    // Act
    const empty = await store.load(id);
    const v1 = await store.save(withCreating(empty, 1, T0));
    const v2 = await store.save(
      withNextKey(v1, { keyId: next.keyId, generation: 1, publicJwk: next.publicJwk }, T0 + 5),
    );
    const loaded = await store.load(id);

    // Assess
    expect(empty).toEqual({ id, version: 0, generation: 0, keys: [], removed: [] });
    expect([v1.version, v2.version]).toEqual([1, 2]);
    expect(loaded).toEqual(v2);
    expect(loaded.creating).toBeUndefined();
    expect(loaded.keys).toEqual([{ ...next, createdAt: T0 + 5 }]);
  });

  it('refuses a write based on a stale version, so exactly one of two racing writers wins', async () => {
    // Prepare
    const store = make();
    const id = `rotation-${++ids}`;
    const base = await store.save(await store.load(id));

    // Act
    const race = await Promise.allSettled([
      store.save(withCreating(base, 1, T0)),
      store.save(withCreating(base, 2, T0)),
    ]);
    const stale = await store.save(base).catch((e) => e);

    // Assess
    expect(race.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(race.find((r) => r.status === 'rejected')).toMatchObject({
      reason: expect.any(StateConflictError),
    });
    expect(stale).toBeInstanceOf(StateConflictError);
    expect((await store.load(id)).version).toBe(2);
  });
});

describe('DynamoRotationStateStore on a corrupt item', () => {
  const put = (item: Record<string, unknown>) =>
    DynamoDBDocumentClient.from(dynamo.client).send(new PutCommand({ TableName: tableName, Item: item }));
  const valid = (id: string): Record<string, unknown> => ({
    pk: id,
    version: 1,
    generation: 2,
    keys: [key(1, 'active'), key(2, 'next')],
    removed: [],
  });

  it.each<[string, Record<string, unknown>]>([
    ['two active keys', { keys: [key(1, 'active'), key(2, 'active')] }],
    [
      'a private member in a published key',
      { keys: [{ ...key(1, 'active'), publicJwk: { ...key(1, 'active').publicJwk, d: 'secret' } }] },
    ],
    ['a JWK of another kid', { keys: [{ ...key(1, 'active'), kid: 'other' }] }],
    ['an unknown status', { keys: [{ ...key(1, 'active'), status: 'paused' }] }],
    ['no version', { version: undefined }],
  ])('refuses to plan from %s', async (_name, corruption) => {
    // Prepare
    const id = `corrupt-${++ids}`;
    const item = Object.fromEntries(
      Object.entries({ ...valid(id), ...corruption }).filter(([, v]) => v !== undefined),
    );
    await put(item);

    // Act
    const loaded = new DynamoRotationStateStore({ client: dynamo.client, tableName }).load(id);

    // Assess
    await expect(loaded).rejects.toBeInstanceOf(CorruptStateError);
  });

  it('surfaces a DynamoDB failure as itself, not as a conflict', async () => {
    const store = new DynamoRotationStateStore({
      client: new DynamoDBClient({
        endpoint: dynamo.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
        maxAttempts: 1,
      }),
      tableName: 'no-such-table',
    });
    const state: RotationState = { id: 'x', version: 0, generation: 0, keys: [], removed: [] };
    await expect(store.save(state)).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });
});

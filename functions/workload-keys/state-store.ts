import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { emptyState, parseRotationState, type RotationState } from './state.ts';

/** Durable rotation state with optimistic concurrency. */
export interface RotationStateStore {
  /** The stored state, or the empty state (version 0) when none was ever saved. */
  load(id: string): Promise<RotationState>;
  /**
   * Saves `state` if the stored version is still `state.version`; returns the state as stored
   * (version + 1). Throws `StateConflictError` when someone saved in between.
   */
  save(state: RotationState): Promise<RotationState>;
}

/** Another writer saved first: reload, re-plan, retry. */
export class StateConflictError extends Error {
  override readonly name = 'StateConflictError';
}

export interface DynamoStateStoreOptions {
  readonly client: DynamoDBClient;
  /** A table with a string partition key `pk` and no sort key. */
  readonly tableName: string;
  /** Epoch seconds, written as `updatedAt` for operators. @default Date.now / 1000 */
  readonly clock?: () => number;
}

/**
 * The rotation state as one DynamoDB item per rotation (`pk` = the rotation id), written with a
 * conditional put on its `version` attribute. One item means one conditional write per step —
 * no transactions needed (and dynalite, the local stand-in, has none). Reads are strongly
 * consistent: the rotator must never plan from a state older than its own last write.
 */
export class DynamoRotationStateStore implements RotationStateStore {
  private readonly documents: DynamoDBDocumentClient;
  private readonly clock: () => number;

  constructor(private readonly options: DynamoStateStoreOptions) {
    this.documents = DynamoDBDocumentClient.from(options.client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    this.clock = options.clock ?? (() => Math.floor(Date.now() / 1000));
  }

  async load(id: string): Promise<RotationState> {
    const answer = await this.documents.send(
      new GetCommand({ TableName: this.options.tableName, Key: { pk: id }, ConsistentRead: true }),
    );
    if (!answer.Item) return emptyState(id);
    const { pk, updatedAt: _updatedAt, ...rest } = answer.Item;
    return parseRotationState({ ...rest, id: pk });
  }

  async save(state: RotationState): Promise<RotationState> {
    const { id, ...rest } = state;
    const stored = { ...state, version: state.version + 1 };
    try {
      await this.documents.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: { ...rest, pk: id, version: stored.version, updatedAt: this.clock() },
          ...(state.version === 0
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: '#version = :expected',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':expected': state.version },
              }),
        }),
      );
    } catch (error) {
      if (
        error instanceof ConditionalCheckFailedException ||
        (error as Error).name === 'ConditionalCheckFailedException'
      ) {
        throw new StateConflictError(`rotation state ${id} changed since version ${state.version}`);
      }
      throw error;
    }
    return stored;
  }
}

/** An in-memory store with the same semantics, for planners' property tests and local tools. */
export class MemoryRotationStateStore implements RotationStateStore {
  private readonly items = new Map<string, RotationState>();

  async load(id: string): Promise<RotationState> {
    return structuredClone(this.items.get(id) ?? emptyState(id));
  }

  async save(state: RotationState): Promise<RotationState> {
    const current = this.items.get(state.id)?.version ?? 0;
    if (current !== state.version) throw new StateConflictError(`rotation state ${state.id} changed`);
    const stored = structuredClone({ ...state, version: state.version + 1 });
    this.items.set(state.id, stored);
    return structuredClone(stored);
  }
}

import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { TokenServiceConfig } from '../workload-keys/config.ts';
import { rotationTimingOf } from '../workload-keys/config.ts';
import { signingKeyPolicy } from '../workload-keys/key-policy.ts';
import { DynamoRotationStateStore } from '../workload-keys/state-store.ts';
import type { RotationDeps } from './executor.ts';
import { KmsKeyManager } from './kms-keys.ts';
import type { RotationAction } from './planner.ts';

export interface RotationClients {
  readonly kms: KMSClient;
  readonly dynamo: DynamoDBClient;
  readonly tableName: string;
  /** Epoch seconds. @default Date.now / 1000 */
  readonly clock?: () => number;
  readonly onAction?: (action: RotationAction) => void;
}

/** The rotator's collaborators for a config: KMS, the DynamoDB state, the key policy, the timing. */
export function rotationDeps(config: TokenServiceConfig, clients: RotationClients): RotationDeps {
  const clock = clients.clock ?? (() => Math.floor(Date.now() / 1000));
  const policy = config.signing.keyPolicy;
  return {
    keys: new KmsKeyManager(clients.kms, policy ? { keyPolicy: signingKeyPolicy(policy) } : {}),
    store: new DynamoRotationStateStore({ client: clients.dynamo, tableName: clients.tableName, clock }),
    settings: {
      rotationId: config.rotation.id,
      aliasName: config.signing.keyAlias,
      timing: rotationTimingOf(config),
      pendingWindowDays: config.rotation.pendingWindowDays,
    },
    clock,
    ...(clients.onAction ? { onAction: clients.onAction } : {}),
  };
}

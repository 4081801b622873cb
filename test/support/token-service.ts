/**
 * A token service world for tests: a valid raw config (what an operator writes), its parsed
 * form, and caller ARNs as API Gateway reports them for SigV4 requests.
 */
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { parseTokenServiceConfig, type TokenServiceConfig } from '../../functions/workload-keys/config.ts';

export const TOKEN_ISSUER = 'https://tokens.example.test';
export const ACCOUNT = '123456789012';

/** `arn:aws:sts::<account>:assumed-role/<role>/<session>` */
export const assumedRole = (role: string, account = ACCOUNT, session = 'i-0abc123') =>
  `arn:aws:sts::${account}:assumed-role/${role}/${session}`;

/** A raw config; `overrides` replace top-level sections. */
export function rawTokenConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    issuer: TOKEN_ISSUER,
    trustDomain: 'example.test',
    environment: 'dev',
    tokens: { maxTtlSeconds: 900, clockToleranceSeconds: 30 },
    workloads: [
      {
        roleArn: `arn:aws:iam::${ACCOUNT}:role/orders-service`,
        service: 'orders',
        audiences: ['zt-api', 'payments'],
      },
      { roleArn: `arn:aws:iam::${ACCOUNT}:role/workloads/billing`, service: 'billing', audiences: 'zt-api' },
    ],
    signing: {
      keyAlias: 'alias/zta-token-dev',
      aliasCacheSeconds: 60,
      keyPolicy: {
        signerRoleArns: [`arn:aws:iam::${ACCOUNT}:role/zta-token-service`],
        rotatorRoleArn: `arn:aws:iam::${ACCOUNT}:role/zta-key-rotation`,
      },
    },
    rotation: { rotationPeriodSeconds: 30 * 86_400, propagationDelaySeconds: 3600, pendingWindowDays: 7 },
    jwks: { maxAgeSeconds: 300 },
    ...overrides,
  };
}

export function tokenConfig(overrides: Record<string, unknown> = {}): TokenServiceConfig {
  return parseTokenServiceConfig(rawTokenConfig(overrides));
}

let tables = 0;

/** The rotation state table as CDK creates it: string partition key `pk`, no sort key. */
export async function createRotationTable(client: DynamoDBClient): Promise<string> {
  const name = `zta-rotation-${++tables}`;
  await client.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  return name;
}

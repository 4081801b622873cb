import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { clientConfig } from '../../functions/runtime/aws/client-config.ts';

/** Credentials and region for local stand-ins; nothing reaches AWS. */
export const TEST_CREDENTIALS = Object.freeze({
  accessKeyId: 'AKIDLOCALTEST',
  secretAccessKey: 'local-test-secret',
});
export const TEST_REGION = 'us-east-1';

export interface LocalDynamo {
  readonly endpoint: string;
  readonly client: DynamoDBClient;
  /** A table with the suite's key schema: `pk` S hash, `sk` S range (TTL `expiresAt`, not enforced). */
  createTable(name: string): Promise<string>;
  close(): Promise<void>;
}

let tableCounter = 0;

/**
 * dynalite (a DynamoDB implementation) in memory on 127.0.0.1, with a real SDK client. It does
 * not expire TTL items — code under test must filter on `expiresAt` itself, as real DynamoDB
 * also requires (expired items stay readable for up to ~48 h).
 */
export async function startDynalite(): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new DynamoDBClient(
    clientConfig({ endpoint, region: TEST_REGION, credentials: TEST_CREDENTIALS }, { maxAttempts: 1 }),
  );
  return {
    endpoint,
    client,
    async createTable(prefix) {
      const name = `${prefix}-${++tableCounter}`;
      await client.send(
        new CreateTableCommand({
          TableName: name,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'S' },
          ],
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
        }),
      );
      return name;
    },
    close: () =>
      new Promise<void>((resolve) => {
        client.destroy();
        server.close(() => resolve());
      }),
  };
}

import type { RevocationsConfig } from '../core/config/authorizer-config.ts';
import type { RevocationLedger } from '../core/revocation-writer.ts';
import type { StaticCredentials } from './aws/client-config.ts';
import { FileRevocationWriter } from './revocation-file-writer.ts';

/**
 * The writer for a config's revocation store (`null` without one): the one write path of every
 * entry point that records revocations against a config (see `revokeThrough`). The DynamoDB writer is
 * imported only when used: the SDK is slow to load and most local runs use the file.
 */
export async function revocationWriterFor(
  config: RevocationsConfig,
  credentials?: StaticCredentials,
): Promise<RevocationLedger | null> {
  if (config === null) return null;
  switch (config.kind) {
    case 'file':
      return new FileRevocationWriter(config.path);
    case 'dynamodb': {
      const [sdk, table, { clientConfig }] = await Promise.all([
        import('@aws-sdk/client-dynamodb'),
        import('./dynamodb/revocation-table-writer.ts'),
        import('./aws/client-config.ts'),
      ]);
      const placement = { region: config.region, endpoint: config.endpoint, credentials };
      return new table.DynamoRevocationWriter(
        new sdk.DynamoDBClient(clientConfig(placement, { maxAttempts: 3 })),
        config.tableName,
      );
    }
  }
}

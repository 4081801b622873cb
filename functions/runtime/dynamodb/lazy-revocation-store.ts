import type { DynamoRevocationsConfig } from '../../core/config/authorizer-config.ts';
import type { RevocationStore } from '../../core/revocation.ts';
import type { ClientPlacement } from '../aws/client-config.ts';

/**
 * The DynamoDB revocation store behind a lazy import: the AWS SDK (and its retry strategy,
 * `client-config.ts`) costs about a quarter of a second to load, so only configs that name a
 * table pay for it — and they start loading at once (the Lambda's cold start), not on the
 * first request. A failed load makes every lookup
 * throw: the authorizer denies (`revocation_unavailable`).
 */
export function lazyDynamoRevocationStore(
  config: DynamoRevocationsConfig,
  placement: Pick<ClientPlacement, 'credentials'> = {},
): RevocationStore {
  const loading = Promise.all([
    import('@aws-sdk/client-dynamodb'),
    import('./revocation-table-store.ts'),
    import('../aws/client-config.ts'),
  ]).then(
    ([sdk, store, { clientConfig, SDK_RETRIES }]) =>
      new store.DynamoRevocationStore({
        // One quick retry, tight timeouts: a caller is waiting (see `SDK_RETRIES.authorizer`).
        client: new sdk.DynamoDBClient(
          clientConfig(
            { region: config.region, endpoint: config.endpoint, ...placement },
            { retry: SDK_RETRIES.authorizer, requestTimeoutMs: 1000, connectionTimeoutMs: 500 },
          ),
        ),
        tableName: config.tableName,
        cacheSeconds: config.cacheSeconds,
        maxCacheEntries: config.maxCacheEntries,
      }),
  );
  loading.catch(() => {}); // reported by lookup, not as an unhandled rejection
  return { lookup: async (query) => (await loading).lookup(query) };
}

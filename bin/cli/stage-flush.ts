import type { CacheFlushResult } from '../../functions/core/auto-revocation/revoker.ts';
import { type ProtectedStage, parseStage } from '../../functions/runtime/protected-stages.ts';
import { UsageError } from './io.ts';

/**
 * `--flush-stage` values: checked before anything is recorded, so a typo never leaves a
 * revocation whose cached ALLOWs nobody flushed.
 */
export function parseFlushStages(values: readonly string[] | undefined): ProtectedStage[] {
  // Comma-separated too: the stack output ProtectedStages lists several stages that way.
  const items = (values ?? []).flatMap((value) => value.split(',').map((v) => v.trim()));
  return items.map((value) => {
    const stage = parseStage(value);
    if (!stage) {
      throw new UsageError(
        `--flush-stage expects restApiId/stageName, got ${JSON.stringify(value)}`,
        'e.g. --flush-stage a1b2c3d4e5/prod; the stack output ProtectedStages lists them',
      );
    }
    return stage;
  });
}

/**
 * Flushes the authorizer cache of each stage (`FlushStageAuthorizersCache`), as the revoker and
 * the admin route do after a revocation. The SDK is loaded only here: most runs never flush.
 * Credentials and endpoint come from the usual AWS environment (`AWS_ENDPOINT_URL_API_GATEWAY`
 * included).
 */
export async function flushStages(
  stages: readonly ProtectedStage[],
  region: string | undefined,
): Promise<CacheFlushResult[]> {
  if (stages.length === 0) return [];
  const [{ APIGatewayClient }, { clientConfig, SDK_RETRIES }, { stageCacheFlusher }] = await Promise.all([
    import('@aws-sdk/client-api-gateway'),
    import('../../functions/runtime/aws/client-config.ts'),
    import('../../functions/runtime/aws/stage-cache.ts'),
  ]);
  const client = new APIGatewayClient(clientConfig({ region }, { retry: SDK_RETRIES.request }));
  try {
    return await stageCacheFlusher(client, stages)();
  } finally {
    client.destroy();
  }
}

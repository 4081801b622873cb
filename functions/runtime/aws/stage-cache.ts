import { type APIGatewayClient, FlushStageAuthorizersCacheCommand } from '@aws-sdk/client-api-gateway';
import type { CacheFlushResult } from '../../core/auto-revocation/revoker.ts';
import type { ProtectedStage } from '../protected-stages.ts';

/**
 * Flushes the authorizer cache of every protected stage (`FlushStageAuthorizersCache`).
 * Throttling (API Gateway allows few management calls per second) and 5xx are retried by the
 * SDK (`client-config.ts`). Never throws: one result per stage, so one stage failing does not
 * keep the others cached.
 */
export function stageCacheFlusher(
  client: APIGatewayClient,
  stages: readonly ProtectedStage[],
): () => Promise<CacheFlushResult[]> {
  const flushOne = async (stage: ProtectedStage): Promise<CacheFlushResult> => {
    const name = `${stage.restApiId}/${stage.stageName}`;
    try {
      await client.send(new FlushStageAuthorizersCacheCommand(stage));
      return { stage: name, ok: true };
    } catch (error) {
      return { stage: name, ok: false, error: `${(error as Error).name}: ${(error as Error).message}` };
    }
  };
  return () => Promise.all(stages.map(flushOne));
}

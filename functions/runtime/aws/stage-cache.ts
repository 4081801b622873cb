import { type APIGatewayClient, FlushStageAuthorizersCacheCommand } from '@aws-sdk/client-api-gateway';
import type { CacheFlushResult } from '../../core/auto-revocation/revoker.ts';

/** One protected REST API stage whose authorizer cache the revoker flushes. */
export interface ProtectedStage {
  readonly restApiId: string;
  readonly stageName: string;
}

/**
 * Reads `PROTECTED_STAGES`: `restApiId/stageName` pairs separated by commas
 * (`a1b2c3d4e5/prod,f6g7h8i9j0/prod`). Refuses anything else with the bad item shown: a typo
 * here would leave cached ALLOWs alive after a revocation.
 */
export function parseProtectedStages(value: string): ProtectedStage[] {
  const items = value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
  return items.map((item) => {
    const match = /^([A-Za-z0-9]{1,64})\/([A-Za-z0-9_-]{1,128})$/.exec(item);
    if (!match?.[1] || !match[2]) {
      throw new Error(`PROTECTED_STAGES: expected "restApiId/stageName" items, got ${JSON.stringify(item)}`);
    }
    return { restApiId: match[1], stageName: match[2] };
  });
}

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

/*
 * Protected stages by name, without the SDK: the CLI parses `--flush-stage` at start-up and loads
 * the API Gateway client only when it flushes.
 */

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
    const stage = parseStage(item);
    if (!stage) {
      throw new Error(`PROTECTED_STAGES: expected "restApiId/stageName" items, got ${JSON.stringify(item)}`);
    }
    return stage;
  });
}

/** One `restApiId/stageName` (`a1b2c3d4e5/prod`), or `undefined` when it is not one. */
export function parseStage(item: string): ProtectedStage | undefined {
  const match = /^([A-Za-z0-9]{1,64})\/([A-Za-z0-9_-]{1,128})$/.exec(item);
  return match?.[1] && match[2] ? { restApiId: match[1], stageName: match[2] } : undefined;
}

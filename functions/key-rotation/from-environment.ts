/**
 * The scheduled and on-demand rotation handlers, wired from their environment (the entry files
 * only call these with `process.env`): `ZTA_ROTATION_TABLE` (required), the token service
 * config as `ZTA_TOKEN_CONFIG` (inline JSON) or `ZTA_TOKEN_CONFIG_PATH` (default
 * `$LAMBDA_TASK_ROOT/zta-token.config.json`), and the Powertools variables
 * (`runtime/aws/observability.ts`). A missing or bad value fails the cold start.
 *
 * Nobody waits on a rotation, so KMS and DynamoDB retry on the `pipeline` profile. Metrics
 * (service `zta-key-rotation`): `RotationSteps` by `Action`, `Rotations` (activations),
 * `EmergencyRotations` (keys marked compromised), `RotationRefusals`, `RotationFailures`.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { type AwsWiring, clientConfig, placementFor, SDK_RETRIES } from '../runtime/aws/client-config.ts';
import { type Counter, type ObservabilityWiring, observabilityFor } from '../runtime/aws/observability.ts';
import { type Env, requiredEnv } from '../runtime/env.ts';
import { tokenServiceConfigFromEnv } from '../workload-keys/config-source.ts';
import type { RotationReport } from './executor.ts';
import { onDemandRotation, type StatusReport, scheduledRotation } from './rotation-handler.ts';
import { rotationDeps } from './wiring.ts';

export type RotationWiring = AwsWiring &
  ObservabilityWiring & {
    /** Epoch seconds. @default Date.now / 1000 */
    readonly clock?: () => number;
  };

function rotationFromEnvironment(env: Env, wiring: RotationWiring) {
  const o = observabilityFor('zta-key-rotation', env, wiring);
  const config = tokenServiceConfigFromEnv(env);
  const sdk = { retry: SDK_RETRIES.pipeline };
  const deps = rotationDeps(config, {
    kms: o.traced(new KMSClient(clientConfig(placementFor('kms', wiring), sdk))),
    dynamo: o.traced(new DynamoDBClient(clientConfig(placementFor('dynamodb', wiring), sdk))),
    tableName: requiredEnv(env, 'ZTA_ROTATION_TABLE'),
    ...(wiring.clock ? { clock: wiring.clock } : {}),
    onAction: (action) => o.logger.info('rotation step', { rotationId: config.rotation.id, ...action }),
  });
  return { o, config, deps };
}

/** The handler EventBridge Scheduler invokes: whatever the timeline says is due (usually nothing). */
export function createScheduledRotationHandler(
  env: Env,
  wiring: RotationWiring = {},
): (event: unknown) => Promise<RotationReport> {
  const { o, config, deps } = rotationFromEnvironment(env, wiring);
  return o.handler(async (_event, counter) => {
    const report = await counted(counter, scheduledRotation(deps));
    o.logger.info('rotation run', {
      rotationId: config.rotation.id,
      performed: report.performed.length,
      outcome: report.outcome,
    });
    return report;
  });
}

/** The handler operators invoke (`{"action": "rotate" | "emergency" | "status", "kid"?}`). */
export function createOnDemandRotationHandler(
  env: Env,
  wiring: RotationWiring = {},
): (event: unknown) => Promise<RotationReport | StatusReport> {
  const { o, config, deps } = rotationFromEnvironment(env, wiring);
  return o.handler(async (event, counter) => {
    o.logger.info('on-demand rotation', { rotationId: config.rotation.id, request: event });
    return counted(counter, onDemandRotation(deps, event));
  });
}

/** Counts what a run did, or that it failed (a refused request is a failure too: it throws). */
async function counted<R extends RotationReport | StatusReport>(
  counter: Counter<'zta-key-rotation'>,
  run: Promise<R>,
): Promise<R> {
  let report: R;
  try {
    report = await run;
  } catch (error) {
    counter.count('RotationFailures');
    throw error;
  }
  if (!('performed' in report)) return report;
  for (const action of report.performed) {
    counter.count('RotationSteps', 1, action.kind);
    if (action.kind === 'activate') counter.count('Rotations');
    if (action.kind === 'mark-compromised') counter.count('EmergencyRotations');
  }
  if (report.outcome.kind === 'refuse') counter.count('RotationRefusals');
  return report;
}

/**
 * Lambda handler for EventBridge Scheduler: runs whatever the rotation timeline says is due
 * (usually nothing). Environment: `ZTA_ROTATION_TABLE` (required), and the token service config
 * as `ZTA_TOKEN_CONFIG` (inline JSON) or `ZTA_TOKEN_CONFIG_PATH` (default
 * `$LAMBDA_TASK_ROOT/zta-token.config.json`). Deploy with reserved concurrency 1: runs are safe
 * concurrently (conditional writes), but one at a time never creates a key that loses the race.
 */
import { resolve } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { readTokenServiceConfig, required } from '../token-service/config-source.ts';
import type { RotationReport } from './executor.ts';
import { scheduledRotation } from './rotation-handler.ts';
import { rotationDeps } from './wiring.ts';

const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'zta-key-rotation' });
const config = readTokenServiceConfig({
  inline: process.env.ZTA_TOKEN_CONFIG,
  path:
    process.env.ZTA_TOKEN_CONFIG_PATH ??
    resolve(process.env.LAMBDA_TASK_ROOT ?? process.cwd(), 'zta-token.config.json'),
});
const deps = rotationDeps(config, {
  kms: new KMSClient({}),
  dynamo: new DynamoDBClient({}),
  tableName: required('ZTA_ROTATION_TABLE', process.env.ZTA_ROTATION_TABLE),
  onAction: (action) => logger.info('rotation step', { rotationId: config.rotation.id, ...action }),
});

export async function handler(_event: unknown): Promise<RotationReport> {
  const report = await scheduledRotation(deps);
  logger.info('rotation run', {
    rotationId: config.rotation.id,
    performed: report.performed.length,
    outcome: report.outcome,
  });
  return report;
}

/**
 * Lambda handler for on-demand rotation (`aws lambda invoke --payload '{"action":"rotate"}'`,
 * `{"action":"emergency","kid":"<kid>"}`, `{"action":"status"}`). Same environment as the
 * scheduled handler. A bad payload fails the invocation with `InvalidRotationRequest`.
 */
import { resolve } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { readTokenServiceConfig, required } from '../token-service/config-source.ts';
import type { RotationReport } from './executor.ts';
import { onDemandRotation, type StatusReport } from './rotation-handler.ts';
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

export async function handler(event: unknown): Promise<RotationReport | StatusReport> {
  logger.info('on-demand rotation', { rotationId: config.rotation.id, request: event });
  return onDemandRotation(deps, event);
}

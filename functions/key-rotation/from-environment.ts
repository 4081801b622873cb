/**
 * Cold-start wiring shared by the scheduled and on-demand rotation handlers, from the Lambda
 * environment: `ZTA_ROTATION_TABLE` (required), and the token service config as
 * `ZTA_TOKEN_CONFIG` (inline JSON) or `ZTA_TOKEN_CONFIG_PATH` (default
 * `$LAMBDA_TASK_ROOT/zta-token.config.json`). A missing or bad value fails the cold start.
 */
import { resolve } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { readTokenServiceConfig, required } from '../token-service/config-source.ts';
import { rotationDeps } from './wiring.ts';

export function rotationFromEnvironment() {
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
  return { logger, config, deps };
}

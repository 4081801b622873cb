/**
 * Lambda handler of `GET /.well-known/jwks.json` (no authorization: the keys are public).
 * Environment: `ZTA_ROTATION_TABLE` (required) and the config as for the token handler. Needs
 * `dynamodb:GetItem` on the rotation table only — no KMS access: public keys live in the state.
 */
import { resolve } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { DynamoRotationStateStore } from '../key-rotation/state-store.ts';
import { rotationTimingOf } from './config.ts';
import { readTokenServiceConfig, required } from './config-source.ts';
import { createJwksEndpoint } from './jwks-endpoint.ts';
import { StateKeyStore } from './state-key-store.ts';

const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'zta-token-jwks' });
const config = readTokenServiceConfig({
  inline: process.env.ZTA_TOKEN_CONFIG,
  path:
    process.env.ZTA_TOKEN_CONFIG_PATH ??
    resolve(process.env.LAMBDA_TASK_ROOT ?? process.cwd(), 'zta-token.config.json'),
});
const store = new DynamoRotationStateStore({
  client: new DynamoDBClient({}),
  tableName: required('ZTA_ROTATION_TABLE', process.env.ZTA_ROTATION_TABLE),
});
const endpoint = createJwksEndpoint({
  keys: new StateKeyStore({ store, rotationId: config.rotation.id, timing: rotationTimingOf(config) }),
  maxAgeSeconds: config.jwks.maxAgeSeconds,
  logger,
});

export function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  return endpoint(event);
}

/**
 * Lambda handler of `POST /token` (REST API, AWS_IAM authorization). Environment: the config as
 * `ZTA_TOKEN_CONFIG` (inline JSON) or `ZTA_TOKEN_CONFIG_PATH` (default
 * `$LAMBDA_TASK_ROOT/zta-token.config.json`). Needs `kms:Sign`, `kms:DescribeKey` and
 * `kms:GetPublicKey` on the signing keys, nothing else.
 */
import { resolve } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { KMSClient } from '@aws-sdk/client-kms';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { KmsTokenSigner } from '../signing/kms-signer.ts';
import { readTokenServiceConfig } from './config-source.ts';
import { createTokenEndpoint } from './token-endpoint.ts';

const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'zta-token-service' });
const config = readTokenServiceConfig({
  inline: process.env.ZTA_TOKEN_CONFIG,
  path:
    process.env.ZTA_TOKEN_CONFIG_PATH ??
    resolve(process.env.LAMBDA_TASK_ROOT ?? process.cwd(), 'zta-token.config.json'),
});
const endpoint = createTokenEndpoint({
  config,
  signer: new KmsTokenSigner({
    client: new KMSClient({}),
    keyAlias: config.signing.keyAlias,
    aliasCacheSeconds: config.signing.aliasCacheSeconds,
  }),
  logger,
});

export function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  return endpoint(event, Math.floor(Date.now() / 1000));
}

import { APIGatewayClient } from '@aws-sdk/client-api-gateway';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SNSClient } from '@aws-sdk/client-sns';
import { createRevoker, type Revoker } from '../core/auto-revocation/revoker.ts';
import { MAX_SUBJECT_RETENTION_SECONDS } from '../core/revocation-writer.ts';
import { type AwsWiring, clientConfig, placementFor, type SdkRetry } from '../runtime/aws/client-config.ts';
import { snsNotifier } from '../runtime/aws/notifier.ts';
import { publishOrThrow, toEntry } from '../runtime/aws/put-events.ts';
import { DEFAULT_RETRY, type RetryPolicy } from '../runtime/aws/retry.ts';
import { stageCacheFlusher } from '../runtime/aws/stage-cache.ts';
import { DynamoRevocationWriter } from '../runtime/dynamodb/revocation-table-writer.ts';
import { type Env, integerEnv, requiredEnv } from '../runtime/env.ts';
import { parseProtectedStages } from '../runtime/protected-stages.ts';

export interface RevokerWiring extends AwsWiring {
  /** Bounds re-sending the `PutEvents` entry of `Credential Revoked` when its answer reports it failed. */
  readonly retry?: RetryPolicy;
  /** @default Date.now (audit entries' time) */
  readonly now?: () => number;
}

/** How the clients are made: the SDK retry profile, and X-Ray capture (`Observability.traced`). */
export interface RevokerClients {
  readonly sdkRetry: SdkRetry;
  readonly traced: <T>(client: T) => T;
}

/**
 * The revoker core with its AWS ports, from the environment shared by the revoker and the
 * admin route:
 * - `REVOCATIONS_TABLE_NAME` (required): the table the authorizer reads;
 * - `EVENT_BUS_NAME` (required): where `Credential Revoked` goes;
 * - `ALERT_TOPIC_ARN` (required): the SNS topic for humans;
 * - `PROTECTED_STAGES` (required, may be empty): `restApiId/stageName,…` whose authorizer
 *   caches are flushed — the role may flush exactly these;
 * - `REVOCATION_RETAIN_SECONDS` (default 31 days): how long a subject revocation is kept; it
 *   must exceed the longest token lifetime plus clock tolerance of every issuer.
 */
export function revokerFromEnv(
  env: Env,
  wiring: RevokerWiring,
  clients: RevokerClients,
): { revoker: Revoker; writer: DynamoRevocationWriter } {
  const tableName = requiredEnv(env, 'REVOCATIONS_TABLE_NAME');
  const busName = requiredEnv(env, 'EVENT_BUS_NAME');
  const topicArn = requiredEnv(env, 'ALERT_TOPIC_ARN');
  if (env.PROTECTED_STAGES === undefined) throw new Error('PROTECTED_STAGES is required (it may be empty)');
  const stages = parseProtectedStages(env.PROTECTED_STAGES);
  const retain = integerEnv(env, 'REVOCATION_RETAIN_SECONDS', MAX_SUBJECT_RETENTION_SECONDS, {
    min: 3600,
    max: 400 * 86_400,
  });
  const retry = wiring.retry ?? DEFAULT_RETRY;
  const sdk = { retry: clients.sdkRetry };
  const { traced } = clients;

  const writer = new DynamoRevocationWriter(
    traced(new DynamoDBClient(clientConfig(placementFor('dynamodb', wiring), sdk))),
    tableName,
    wiring.now,
  );
  const events = traced(new EventBridgeClient(clientConfig(placementFor('events', wiring), sdk)));
  const apigateway = traced(new APIGatewayClient(clientConfig(placementFor('apigateway', wiring), sdk)));
  const sns = traced(new SNSClient(clientConfig(placementFor('sns', wiring), sdk)));
  const revoker = createRevoker(
    {
      revocations: writer,
      flushCaches: stageCacheFlusher(apigateway, stages),
      publish: (event) => publishOrThrow(events, toEntry(event, busName, Date.now()), retry),
      notify: snsNotifier(sns, topicArn),
    },
    { subjectRetentionSeconds: retain },
  );
  return { revoker, writer };
}

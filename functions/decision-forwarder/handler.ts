import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { type AwsWiring, clientConfig, placementFor } from '../runtime/aws/client-config.ts';
import { sendDeadLetter } from '../runtime/aws/dead-letter-queue.ts';
import { DEFAULT_RETRY, putEventsReliably, type RetryPolicy } from '../runtime/aws/put-events.ts';
import { PublishedDecisions } from '../runtime/dynamodb/published-decisions.ts';
import { type Env, integerEnv, requiredEnv } from '../runtime/env.ts';
import { createForwarder, type ForwardReport } from './forwarder.ts';

/**
 * The forwarder Lambda's wiring. Environment:
 * - `EVENT_BUS_NAME` (required): the suite's custom bus;
 * - `DEAD_LETTER_QUEUE_URL` (required): SQS queue for what cannot be published;
 * - `PUBLISHED_TABLE_NAME` (required): the published-decisions table (duplicate filter);
 * - `PUBLISHED_TTL_SECONDS` (default 172800): how long a decision is remembered as published
 *   (CloudWatch Logs and Lambda redeliver within hours).
 */
export function createForwarderHandler(
  env: Env,
  wiring: AwsWiring & { retry?: RetryPolicy; logger?: Logger } = {},
): (event: unknown) => Promise<ForwardReport> {
  const busName = requiredEnv(env, 'EVENT_BUS_NAME');
  const queueUrl = requiredEnv(env, 'DEAD_LETTER_QUEUE_URL');
  const tableName = requiredEnv(env, 'PUBLISHED_TABLE_NAME');
  const ttl = integerEnv(env, 'PUBLISHED_TTL_SECONDS', 172_800, { min: 3600, max: 30 * 86_400 });
  const retry = wiring.retry ?? DEFAULT_RETRY;
  const logger =
    wiring.logger ?? new Logger({ serviceName: env.POWERTOOLS_SERVICE_NAME ?? 'zta-decision-forwarder' });

  const events = new EventBridgeClient(clientConfig(placementFor('events', wiring)));
  const sqs = new SQSClient(clientConfig(placementFor('sqs', wiring)));
  const dynamodb = new DynamoDBClient(clientConfig(placementFor('dynamodb', wiring), { maxAttempts: 3 }));

  const forward = createForwarder({
    busName,
    publish: (entries) => putEventsReliably(events, entries, retry),
    deadLetter: (letter, nowMs) => sendDeadLetter(sqs, queueUrl, letter, nowMs, retry),
    ledger: new PublishedDecisions(dynamodb, tableName, ttl),
    warn: (message, detail) => logger.warn(message, detail),
  });
  return async (event) => {
    const report = await forward(event);
    logger.info('decision batch forwarded', { ...report });
    if (report.deadLettered > 0) logger.error('decisions dead-lettered', { count: report.deadLettered });
    return report;
  };
}

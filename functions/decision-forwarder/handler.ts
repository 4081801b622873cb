import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { type AwsWiring, clientConfig, placementFor, SDK_RETRIES } from '../runtime/aws/client-config.ts';
import { sendDeadLetter } from '../runtime/aws/dead-letter-queue.ts';
import { type ObservabilityWiring, observabilityFor } from '../runtime/aws/observability.ts';
import { putEventsReliably } from '../runtime/aws/put-events.ts';
import { DEFAULT_RETRY, type RetryPolicy } from '../runtime/aws/retry.ts';
import { PublishedDecisions } from '../runtime/dynamodb/published-decisions.ts';
import { type Env, integerEnv, requiredEnv } from '../runtime/env.ts';
import { createForwarder, type ForwardReport } from './forwarder.ts';

/**
 * The forwarder Lambda's wiring. Environment:
 * - `EVENT_BUS_NAME` (required): the suite's custom bus;
 * - `DEAD_LETTER_QUEUE_URL` (required): SQS queue for what cannot be published;
 * - `PUBLISHED_TABLE_NAME` (required): the published-decisions table (duplicate filter);
 * - `PUBLISHED_TTL_SECONDS` (default 172800): how long a decision is remembered as published
 *   (CloudWatch Logs and Lambda redeliver within hours);
 * - the Powertools variables (`runtime/aws/observability.ts`).
 *
 * Metrics (service `zta-decision-forwarder`): `DecisionsPublished`, `DecisionsRetried`,
 * `DecisionsDeadLettered`, `DuplicateDecisionsSkipped`, `PublishedLedgerFailures`. Every SDK
 * client is traced when X-Ray tracing is on. `retry` bounds the re-sending of entries
 * `PutEvents` reported failed and of `UnprocessedItems`; whole calls are the SDK's
 * (`SDK_RETRIES.pipeline`; the dead-letter queue, the last stop, gets the same).
 */
export function createForwarderHandler(
  env: Env,
  wiring: AwsWiring & ObservabilityWiring & { retry?: RetryPolicy } = {},
): (event: unknown) => Promise<ForwardReport> {
  const busName = requiredEnv(env, 'EVENT_BUS_NAME');
  const queueUrl = requiredEnv(env, 'DEAD_LETTER_QUEUE_URL');
  const tableName = requiredEnv(env, 'PUBLISHED_TABLE_NAME');
  const ttl = integerEnv(env, 'PUBLISHED_TTL_SECONDS', 172_800, { min: 3600, max: 30 * 86_400 });
  const retry = wiring.retry ?? DEFAULT_RETRY;
  const o = observabilityFor('zta-decision-forwarder', env, wiring);
  const { logger } = o;
  const sdk = { retry: SDK_RETRIES.pipeline };

  const events = o.traced(new EventBridgeClient(clientConfig(placementFor('events', wiring), sdk)));
  const sqs = o.traced(new SQSClient(clientConfig(placementFor('sqs', wiring), sdk)));
  const dynamodb = o.traced(new DynamoDBClient(clientConfig(placementFor('dynamodb', wiring), sdk)));

  const forward = createForwarder({
    busName,
    publish: (entries) => putEventsReliably(events, entries, retry),
    deadLetter: (letter, nowMs) => sendDeadLetter(sqs, queueUrl, letter, nowMs),
    ledger: new PublishedDecisions(dynamodb, tableName, ttl, retry),
    warn: (message, detail) => logger.warn(message, detail),
  });
  return o.handler(async (event, counter) => {
    const report = await forward(event);
    counter.count('DecisionsPublished', report.published);
    counter.count('DecisionsRetried', report.retried);
    counter.count('DecisionsDeadLettered', report.deadLettered);
    counter.count('DuplicateDecisionsSkipped', report.duplicates);
    counter.count('PublishedLedgerFailures', report.ledgerFailures);
    logger.info('decision batch forwarded', { ...report });
    if (report.deadLettered > 0) logger.error('decisions dead-lettered', { count: report.deadLettered });
    return report;
  });
}

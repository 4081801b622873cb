import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { countsTowardsSpike, createSpikeDetector } from '../core/auto-revocation/spike-detector.ts';
import { parseDecisionDetail } from '../core/events/parse.ts';
import { DETAIL_TYPES, SOURCES, suspectedCompromiseEvent } from '../core/events/schema.ts';
import { isFrom } from '../runtime/aws/bus-event.ts';
import { type AwsWiring, clientConfig, placementFor, SDK_RETRIES } from '../runtime/aws/client-config.ts';
import { type ObservabilityWiring, observabilityFor } from '../runtime/aws/observability.ts';
import { publishOrThrow, toEntry } from '../runtime/aws/put-events.ts';
import { DEFAULT_RETRY, type RetryPolicy } from '../runtime/aws/retry.ts';
import { DynamoDenialCounters } from '../runtime/dynamodb/denial-counter-table.ts';
import { type Env, integerEnv, requiredEnv } from '../runtime/env.ts';

export type SpikeOutcome = 'ignored' | 'counted' | 'alerted';

/**
 * The spike detector Lambda's wiring: a target of the rule matching `Authorization Decision`
 * events with `status` 403 and `claimsVerified` true (the handler checks both again).
 * Environment:
 * - `EVENT_BUS_NAME` (required): where `Principal Suspected Compromise` is put;
 * - `COUNTER_TABLE_NAME` (required): the denial-counter table;
 * - `DENY_THRESHOLD`, `WINDOW_SECONDS` (required): the environment's threshold and window;
 * - the Powertools variables (`runtime/aws/observability.ts`).
 *
 * Metrics (service `zta-spike-detector`): `DenialsCounted`, `SpikeAlerts`, `EventsRefused`.
 *
 * A store or bus failure throws: EventBridge retries the delivery (the count is idempotent
 * per decision, and a retried crossing decision re-raises the same alert).
 */
export function createSpikeDetectorHandler(
  env: Env,
  wiring: AwsWiring & ObservabilityWiring & { retry?: RetryPolicy; now?: () => number } = {},
): (event: unknown) => Promise<SpikeOutcome> {
  const busName = requiredEnv(env, 'EVENT_BUS_NAME');
  const tableName = requiredEnv(env, 'COUNTER_TABLE_NAME');
  requiredEnv(env, 'DENY_THRESHOLD');
  requiredEnv(env, 'WINDOW_SECONDS');
  const denyThreshold = integerEnv(env, 'DENY_THRESHOLD', 0, { min: 1, max: 10_000 });
  const windowSeconds = integerEnv(env, 'WINDOW_SECONDS', 0, { min: 1, max: 86_400 });
  const o = observabilityFor('zta-spike-detector', env, wiring);
  const { logger } = o;
  const now = wiring.now ?? Date.now;
  const sdk = { retry: SDK_RETRIES.pipeline };
  const dynamodb = o.traced(new DynamoDBClient(clientConfig(placementFor('dynamodb', wiring), sdk)));
  const events = o.traced(new EventBridgeClient(clientConfig(placementFor('events', wiring), sdk)));
  const detector = createSpikeDetector({
    denyThreshold,
    windowSeconds,
    counters: new DynamoDenialCounters(dynamodb, tableName),
  });

  return o.handler(async (event, counter) => {
    if (!isFrom(event, SOURCES.authorizer, DETAIL_TYPES.decision)) {
      counter.count('EventsRefused');
      logger.error('not an Authorization Decision event: check the rule', {
        source: String((event as { source?: unknown })?.source),
      });
      return 'ignored';
    }
    const detail = parseDecisionDetail(event.detail);
    if (!detail.ok) {
      counter.count('EventsRefused');
      logger.error('invalid Authorization Decision detail', { problem: detail.problem });
      return 'ignored';
    }
    const nowMs = now();
    const alert = await detector.observe(detail.value, nowMs);
    if (countsTowardsSpike(detail.value)) counter.count('DenialsCounted');
    if (!alert) return 'counted';
    await publishOrThrow(
      events,
      toEntry(suspectedCompromiseEvent(alert), busName, nowMs),
      wiring.retry ?? DEFAULT_RETRY,
    );
    counter.count('SpikeAlerts');
    logger.warn('principal suspected of compromise', { ...alert });
    return 'alerted';
  });
}

import type { RevocationReport } from '../core/auto-revocation/revoker.ts';
import { parseSuspectedCompromise } from '../core/events/parse.ts';
import { DETAIL_TYPES, SOURCES } from '../core/events/schema.ts';
import { isFrom } from '../runtime/aws/bus-event.ts';
import { SDK_RETRIES } from '../runtime/aws/client-config.ts';
import type { MeteredService } from '../runtime/aws/metric-catalogue.ts';
import { type Counter, type ObservabilityWiring, observabilityFor } from '../runtime/aws/observability.ts';
import type { Env } from '../runtime/env.ts';
import { type RevokerWiring, revokerFromEnv } from './wiring.ts';

/**
 * The revoker Lambda: a target of the rule matching `Principal Suspected Compromise` from
 * `zta.spike-detector` (environment in `wiring.ts`). It acts only on that source and a valid
 * detail — anything else is logged and refused, never revoked on.
 *
 * Failures: a revocation that cannot be written throws before anything is announced; a cache
 * flush, event or notification failure is logged and then thrown, so EventBridge retries the
 * delivery (the write repeats as a no-op; flush and announcements repeat) and, after its
 * retries, the rule target's DLQ keeps the alert.
 *
 * Metrics (service `zta-revoker`): `Revocations`, `CacheFlushes`, `CacheFlushFailures`,
 * `AnnouncementFailures`, `RevocationFailures`, `EventsRefused`.
 */
export function createRevokerHandler(
  env: Env,
  wiring: RevokerWiring & ObservabilityWiring = {},
): (event: unknown) => Promise<RevocationReport | 'ignored'> {
  const o = observabilityFor('zta-revoker', env, wiring);
  const { logger } = o;
  const { revoker } = revokerFromEnv(env, wiring, { sdkRetry: SDK_RETRIES.pipeline, traced: o.traced });
  const now = wiring.now ?? Date.now;

  return o.handler(async (event, counter) => {
    if (!isFrom(event, SOURCES.spikeDetector, DETAIL_TYPES.suspectedCompromise)) {
      counter.count('EventsRefused');
      logger.error('refused: not a Principal Suspected Compromise from the spike detector', {
        source: String((event as { source?: unknown })?.source),
      });
      return 'ignored';
    }
    const alert = parseSuspectedCompromise(event.detail);
    if (!alert.ok) {
      counter.count('EventsRefused');
      logger.error('refused: invalid Principal Suspected Compromise detail', { problem: alert.problem });
      return 'ignored';
    }
    let report: RevocationReport;
    try {
      report = await revoker.onSuspectedCompromise(alert.value, now());
    } catch (error) {
      counter.count('RevocationFailures');
      throw error;
    }
    countRevocation(counter, report);
    logger.warn('credential revoked', { ...report.detail });
    if (report.failures.length > 0) {
      logger.error('revocation written, follow-up failed', { failures: report.failures });
      throw new Error(
        `revocation ${report.detail.revocationId} written; failed: ${report.failures.join('; ')}`,
      );
    }
    return report;
  });
}

/** The counts of one revocation the revoker core reported: shared with the admin route. */
export function countRevocation(
  counter: Counter<Extract<MeteredService, 'zta-revoker' | 'zta-revocation-admin'>>,
  report: RevocationReport,
): void {
  const flushed = report.detail.cacheFlush;
  counter.count('Revocations');
  counter.count('CacheFlushes', flushed.filter((f) => f.ok).length);
  counter.count('CacheFlushFailures', flushed.filter((f) => !f.ok).length);
  counter.count('AnnouncementFailures', report.failures.filter((f) => !f.startsWith('cache flush ')).length);
}

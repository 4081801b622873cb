import { Logger } from '@aws-lambda-powertools/logger';
import type { RevocationReport } from '../core/auto-revocation/revoker.ts';
import { parseSuspectedCompromise } from '../core/events/parse.ts';
import { DETAIL_TYPES, SOURCES } from '../core/events/schema.ts';
import { isFrom } from '../runtime/aws/bus-event.ts';
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
 */
export function createRevokerHandler(
  env: Env,
  wiring: RevokerWiring & { logger?: Logger; now?: () => number } = {},
): (event: unknown) => Promise<RevocationReport | 'ignored'> {
  const { revoker } = revokerFromEnv(env, wiring);
  const logger = wiring.logger ?? new Logger({ serviceName: env.POWERTOOLS_SERVICE_NAME ?? 'zta-revoker' });
  const now = wiring.now ?? Date.now;

  return async (event) => {
    if (!isFrom(event, SOURCES.spikeDetector, DETAIL_TYPES.suspectedCompromise)) {
      logger.error('refused: not a Principal Suspected Compromise from the spike detector', {
        source: String((event as { source?: unknown })?.source),
      });
      return 'ignored';
    }
    const alert = parseSuspectedCompromise(event.detail);
    if (!alert.ok) {
      logger.error('refused: invalid Principal Suspected Compromise detail', { problem: alert.problem });
      return 'ignored';
    }
    const report = await revoker.onSuspectedCompromise(alert.value, now());
    logger.warn('credential revoked', { ...report.detail });
    if (report.failures.length > 0) {
      logger.error('revocation written, follow-up failed', { failures: report.failures });
      throw new Error(
        `revocation ${report.detail.revocationId} written; failed: ${report.failures.join('; ')}`,
      );
    }
    return report;
  };
}

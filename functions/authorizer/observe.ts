import type { DecisionRecord } from '../core/decision-record.ts';
import { isCredentialReason, isPolicyReason } from '../core/reasons.ts';

/** The Powertools Logger methods used (an interface, so tests can make them fail). */
export interface DecisionLogger {
  info(message: string, extra: Record<string, unknown>): void;
  warn(message: string, extra: Record<string, unknown>): void;
}

/** The Powertools Metrics methods used. */
export interface DecisionMetrics {
  addDimensions(dimensions: Record<string, string>): unknown;
  addMetric(name: string, unit: 'Count' | 'Milliseconds', value: number): unknown;
  publishStoredMetrics(): unknown;
  clearMetrics(): unknown;
  clearDimensions(): unknown;
}

/**
 * Records one decision: the decision log line, and EMF metrics `Decisions` (count) and
 * `DecisionLatency` (ms) in two dimension sets, `Outcome` (ALLOW / DENY) and `Reason` (the
 * closed reason set; anything else becomes `unknown`). Nothing with more than a few dozen
 * values — no subject, path or issuer — is ever a dimension: CloudWatch bills per dimension
 * combination and an attacker chooses those values.
 *
 * Never throws, so a logging or metrics failure can never change a decision: failures are
 * counted and reported with the next record that gets through (`DecisionLogFailures`,
 * `MetricsFailures`).
 */
export function createDecisionObserver(
  logger: DecisionLogger,
  metrics: DecisionMetrics,
): (record: DecisionRecord) => void {
  let logFailures = 0;
  let metricFailures = 0;

  return (record) => {
    try {
      logger.info('authorization decision', { ...record });
    } catch {
      logFailures++;
    }
    try {
      metrics.addDimensions({ Outcome: record.decision });
      metrics.addDimensions({ Reason: knownReason(record.reason) });
      metrics.addMetric('Decisions', 'Count', 1);
      metrics.addMetric('DecisionLatency', 'Milliseconds', record.latencyMs);
      if (logFailures > 0) metrics.addMetric('DecisionLogFailures', 'Count', logFailures);
      metrics.publishStoredMetrics();
      logFailures = 0;
    } catch {
      metricFailures++;
      try {
        // A half-built set must not leak into the next decision's metrics.
        metrics.clearMetrics();
        metrics.clearDimensions();
      } catch {
        /* nothing more to do */
      }
    }
    if (logFailures > 0 || metricFailures > 0) {
      try {
        logger.warn('decision observability failures', { logFailures, metricFailures });
        metricFailures = 0;
      } catch {
        /* still failing: keep counting */
      }
    }
  };
}

function knownReason(reason: string): string {
  return reason === 'allowed' || isCredentialReason(reason) || isPolicyReason(reason) ? reason : 'unknown';
}

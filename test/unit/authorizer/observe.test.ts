import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createDecisionObserver,
  type DecisionLogger,
  type DecisionMetrics,
} from '../../../functions/authorizer/observe.ts';
import { record } from '../../support/decisions.ts';

const quietLogger = (): DecisionLogger & { lines: unknown[] } => {
  const lines: unknown[] = [];
  return {
    lines,
    info: (m, e) => void lines.push({ m, ...e }),
    warn: (m, e) => void lines.push({ m, ...e }),
  };
};

/** The EMF documents real Powertools Metrics writes to stdout while `act` runs. */
function emfOf(act: (metrics: Metrics) => void): Record<string, unknown>[] {
  const written: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });
  try {
    act(new Metrics({ namespace: 'ZeroTrustAuthorizer', serviceName: 'zta-authorizer' }));
  } finally {
    spy.mockRestore();
  }
  return written
    .flatMap((w) => w.split('\n'))
    .filter((l) => l.includes('"_aws"'))
    .map((l) => JSON.parse(l));
}

afterEach(() => vi.restoreAllMocks());

describe('decision observer: log line and EMF metrics', () => {
  it('emits Decisions and DecisionLatency by Outcome and by Reason, nothing per principal', () => {
    const docs = emfOf((metrics) => {
      const observe = createDecisionObserver(quietLogger(), metrics);
      observe(record({ decision: 'DENY', status: 403, reason: 'mfa_required', latencyMs: 2.5 }));
    });

    expect(docs).toHaveLength(1);
    const [doc] = docs as [
      Record<string, unknown> & {
        _aws: { CloudWatchMetrics: { Dimensions: string[][]; Metrics: unknown[] }[] };
      },
    ];
    expect(doc._aws.CloudWatchMetrics[0]?.Dimensions).toEqual([
      ['service', 'Outcome'],
      ['service', 'Reason'],
    ]);
    expect(doc).toMatchObject({
      Outcome: 'DENY',
      Reason: 'mfa_required',
      Decisions: 1,
      DecisionLatency: 2.5,
    });
    expect(JSON.stringify(doc)).not.toContain('alice');
  });

  it('maps a reason outside the closed set to "unknown" (dimension values stay few)', () => {
    const docs = emfOf((metrics) =>
      createDecisionObserver(quietLogger(), metrics)(record({ reason: 'attacker-chosen-text' })),
    );
    expect(docs[0]).toMatchObject({ Reason: 'unknown' });
  });

  it('never throws when logging or metrics fail; failures are counted and reported later', () => {
    // Prepare
    let loggerBroken = true;
    const warnings: unknown[] = [];
    const logger: DecisionLogger = {
      info: () => {
        if (loggerBroken) throw new Error('stdout closed');
      },
      warn: (_m, extra) => {
        if (loggerBroken) throw new Error('stdout closed');
        warnings.push(extra);
      },
    };
    const published: string[] = [];
    let metricsBroken = true;
    const metrics: DecisionMetrics = {
      addDimensions: () => {
        if (metricsBroken) throw new RangeError('too many dimensions');
      },
      addMetric: (name, _unit, value) => void published.push(`${name}=${value}`),
      publishStoredMetrics: () => undefined,
      clearMetrics: () => undefined,
      clearDimensions: () => undefined,
    };
    const observe = createDecisionObserver(logger, metrics);

    // Act
    expect(() => observe(record())).not.toThrow();
    expect(() => observe(record())).not.toThrow();
    loggerBroken = false;
    metricsBroken = false;
    observe(record());

    // Assess
    expect(published).toContain('DecisionLogFailures=2');
    expect(warnings).toEqual([{ logFailures: 0, metricFailures: 2 }]);
  });
});

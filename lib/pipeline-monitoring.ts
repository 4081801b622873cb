import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  DEFAULT_METRICS_NAMESPACE,
  FUNCTION_METRICS,
  type MeteredService,
  type MetricOf,
} from '../functions/runtime/aws/metric-catalogue.ts';

export interface PipelineMonitoringProps {
  /** Notified when an alarm fires and when it clears. */
  readonly alarmTopic: sns.ITopic;
  /**
   * Add the widgets to this dashboard (the authorizer's, so on-call has one page).
   * @default - a dashboard of its own
   */
  readonly dashboard?: cloudwatch.Dashboard;
  /**
   * Show and alarm on the workload-token service and its key rotation too.
   * @default true
   */
  readonly workloadTokens?: boolean;
  /**
   * The functions' `POWERTOOLS_METRICS_NAMESPACE`.
   * @default 'ZeroTrustAuthorizer' (what `HardenedFunction` sets)
   */
  readonly namespace?: string;
  /**
   * @default Duration.minutes(5)
   */
  readonly period?: Duration;
}

/** Alarms on the pipeline's and the token service's own metrics; each fires on one occurrence. */
const ALARMS = {
  DeadLetteredAlarm: {
    metrics: [['zta-decision-forwarder', 'DecisionsDeadLettered']],
    description:
      'Decision records went to the forwarder dead-letter queue: they are not on the bus (and not counted ' +
      'by the spike detector) until replayed from the queue (docs/events.md).',
  },
  CacheFlushFailuresAlarm: {
    metrics: [
      ['zta-revoker', 'CacheFlushFailures'],
      ['zta-revocation-admin', 'CacheFlushFailures'],
    ],
    description:
      'An authorizer cache could not be flushed after a revocation: a cached ALLOW may outlive it for up ' +
      'to the cache TTL. The revoker retries; flush the stage by hand if it keeps failing.',
  },
  RevocationFailuresAlarm: {
    metrics: [
      ['zta-revoker', 'RevocationFailures'],
      ['zta-revocation-admin', 'RevocationFailures'],
      ['zta-revoker', 'AnnouncementFailures'],
      ['zta-revocation-admin', 'AnnouncementFailures'],
    ],
    description:
      'A revocation could not be written, or its Credential Revoked event or SNS notice failed: check the ' +
      'revocation table and the revoker logs.',
  },
} as const satisfies Record<
  string,
  { metrics: readonly (readonly [MeteredService, string])[]; description: string }
>;

const TOKEN_ALARMS = {
  SigningUnavailableAlarm: {
    metrics: [['zta-token-service', 'TokenRefusals', 'signing_unavailable']],
    description: 'KMS could not sign workload tokens: callers get 503 (no key yet, key disabled, throttled).',
  },
  JwksUnavailableAlarm: {
    metrics: [['zta-token-jwks', 'JwksUnavailable']],
    description: 'The JWKS endpoint answered 503: verifiers cannot fetch the signing keys.',
  },
  RotationFailuresAlarm: {
    metrics: [['zta-key-rotation', 'RotationFailures']],
    description: 'A key rotation run failed; the next run resumes where it stopped (docs/key-rotation.md).',
  },
  EmergencyRotationAlarm: {
    metrics: [['zta-key-rotation', 'EmergencyRotations']],
    description: 'A signing key was retired as compromised: its tokens are refused from now on.',
  },
} as const satisfies Record<
  string,
  { metrics: readonly (readonly [MeteredService, string, string?])[]; description: string }
>;

/**
 * Dashboard widgets and alarms for the EMF metrics of the decision pipeline (forwarder, spike
 * detector, revoker, admin route) and of the workload-token service and key rotation: the
 * metrics `functions/runtime/aws/metric-catalogue.ts` declares, by their `service` dimension.
 * Every alarm fires on a single occurrence within `period` and notifies `alarmTopic` when it
 * fires and when it clears.
 */
export class PipelineMonitoring extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;
  public readonly alarms: Readonly<Record<string, cloudwatch.Alarm>>;
  private readonly namespace: string;
  private readonly period: Duration;

  constructor(scope: Construct, id: string, props: PipelineMonitoringProps) {
    super(scope, id);
    this.namespace = props.namespace ?? DEFAULT_METRICS_NAMESPACE;
    this.period = props.period ?? Duration.minutes(5);
    const withTokens = props.workloadTokens ?? true;
    this.dashboard = props.dashboard ?? new cloudwatch.Dashboard(this, 'Dashboard');

    const notify = new actions.SnsAction(props.alarmTopic);
    const alarms: Record<string, cloudwatch.Alarm> = {};
    for (const [alarmId, spec] of Object.entries({ ...ALARMS, ...(withTokens ? TOKEN_ALARMS : {}) })) {
      const parts = spec.metrics.map(([service, name, value]) => this.metric(service, name as never, value));
      const metric =
        parts.length === 1 && parts[0]
          ? parts[0]
          : new cloudwatch.MathExpression({
              expression: parts.map((_, i) => `m${i}`).join(' + '),
              usingMetrics: Object.fromEntries(parts.map((m, i) => [`m${i}`, m])),
              period: this.period,
              label: alarmId,
            });
      const alarm = new cloudwatch.Alarm(this, alarmId, {
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // No datapoint means nothing happened, which is good news here.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: spec.description,
      });
      alarm.addAlarmAction(notify);
      alarm.addOkAction(notify);
      alarms[alarmId] = alarm;
    }
    this.alarms = alarms;

    const graph = (title: string, metrics: cloudwatch.IMetric[]) =>
      new cloudwatch.GraphWidget({ title, width: 12, left: metrics });
    const m = this.metric.bind(this);
    this.dashboard.addWidgets(
      graph('Decision stream (forwarder)', [
        m('zta-decision-forwarder', 'DecisionsPublished'),
        m('zta-decision-forwarder', 'DecisionsRetried'),
        m('zta-decision-forwarder', 'DecisionsDeadLettered'),
        m('zta-decision-forwarder', 'DuplicateDecisionsSkipped'),
        m('zta-decision-forwarder', 'PublishedLedgerFailures'),
      ]),
      graph('Denial spikes', [
        m('zta-spike-detector', 'DenialsCounted'),
        m('zta-spike-detector', 'SpikeAlerts'),
        m('zta-spike-detector', 'EventsRefused'),
      ]),
    );
    this.dashboard.addWidgets(
      graph('Revocations', [
        m('zta-revoker', 'Revocations', undefined, 'automatic'),
        m('zta-revocation-admin', 'Revocations', undefined, 'manual'),
        m('zta-revocation-admin', 'Unrevocations'),
        m('zta-revoker', 'CacheFlushes', undefined, 'cache flushes (auto)'),
        m('zta-revocation-admin', 'CacheFlushes', undefined, 'cache flushes (manual)'),
      ]),
      graph('Revocation failures', [
        m('zta-revoker', 'CacheFlushFailures', undefined, 'cache flush failures (auto)'),
        m('zta-revocation-admin', 'CacheFlushFailures', undefined, 'cache flush failures (manual)'),
        m('zta-revoker', 'RevocationFailures', undefined, 'write failures (auto)'),
        m('zta-revocation-admin', 'RevocationFailures', undefined, 'store failures (manual)'),
        m('zta-revoker', 'AnnouncementFailures', undefined, 'announcement failures (auto)'),
        m('zta-revocation-admin', 'AnnouncementFailures', undefined, 'announcement failures (manual)'),
        m('zta-revoker', 'EventsRefused', undefined, 'alerts refused'),
        m('zta-revocation-admin', 'RequestsRefused'),
      ]),
    );
    if (withTokens) {
      this.dashboard.addWidgets(
        graph('Workload tokens', [
          m('zta-token-service', 'TokensIssued'),
          this.byDimension('zta-token-service', 'TokenRefusals', 'Reason'),
          m('zta-token-jwks', 'JwksServed'),
          m('zta-token-jwks', 'JwksUnavailable'),
        ]),
        graph('Key rotation', [
          m('zta-key-rotation', 'Rotations'),
          m('zta-key-rotation', 'EmergencyRotations'),
          m('zta-key-rotation', 'RotationRefusals'),
          m('zta-key-rotation', 'RotationFailures'),
          this.byDimension('zta-key-rotation', 'RotationSteps', 'Action'),
        ]),
      );
    }
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({
        title: 'Pipeline and token alarms',
        width: 24,
        alarms: Object.values(alarms),
      }),
    );
  }

  /**
   * One catalogue metric of `service` (summed over `period`); `dimensionValue` for a metric
   * with a declared dimension.
   */
  public metric<S extends MeteredService>(
    service: S,
    name: MetricOf<S>,
    dimensionValue?: string,
    label?: string,
  ): cloudwatch.Metric {
    const spec = (FUNCTION_METRICS[service] as Record<string, { dimension?: { name: string } }>)[name];
    if (!spec) throw new Error(`${this.node.path}: ${service} emits no metric ${JSON.stringify(name)}`);
    const dimension = spec.dimension;
    if ((dimension === undefined) !== (dimensionValue === undefined)) {
      throw new Error(
        `${this.node.path}: ${service} ${name} ${dimension ? `needs a ${dimension.name} value` : 'has no dimension'}`,
      );
    }
    return new cloudwatch.Metric({
      namespace: this.namespace,
      metricName: name,
      dimensionsMap: {
        service,
        ...(dimension && dimensionValue ? { [dimension.name]: dimensionValue } : {}),
      },
      statistic: cloudwatch.Stats.SUM,
      period: this.period,
      // A label turns an alarm's metric into a metric-math form: only where a graph needs one.
      ...(label === undefined ? {} : { label }),
    });
  }

  /** One time series per value of the metric's dimension (a SEARCH: values need no listing). */
  private byDimension(service: MeteredService, name: string, dimension: string): cloudwatch.MathExpression {
    return new cloudwatch.MathExpression({
      expression: `SEARCH('{${this.namespace},${dimension},service} MetricName="${name}" service="${service}"', 'Sum', ${this.period.toSeconds()})`,
      label: '',
      period: this.period,
      usingMetrics: {},
    });
  }
}

import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** Decision outcomes as API Gateway answers them: the `Status` dimension of `Decisions`. */
export type DecisionStatus = 200 | 401 | 403;

export interface DecisionMetricsProps {
  /** The log group the authorizer writes its decision records (`zta.decision/v1`) to. */
  readonly logGroup: logs.ILogGroup;
  /** CloudWatch namespace of the metrics; one per authorizer so two never mix. */
  readonly namespace: string;
}

/**
 * CloudWatch metrics derived from the authorizer's decision log, by metric filters: the
 * handler emits nothing but its one JSON record per decision (docs/decision-log.md).
 *
 * - `Decisions` (dimension `Status`: 200, 401, 403), one per decision
 * - `Denials` (dimension `Reason`: the closed set of deny reason codes)
 * - `DecisionLatency` (milliseconds spent deciding, from `latencyMs`)
 */
export class DecisionMetrics extends Construct {
  public readonly namespace: string;

  constructor(scope: Construct, id: string, props: DecisionMetricsProps) {
    super(scope, id);
    this.namespace = props.namespace;
    const isDecision = logs.FilterPattern.stringValue('$.schema', '=', 'zta.decision/v1');
    const common = { logGroup: props.logGroup, metricNamespace: props.namespace };
    new logs.MetricFilter(this, 'Decisions', {
      ...common,
      filterPattern: isDecision,
      metricName: 'Decisions',
      metricValue: '1',
      dimensions: { Status: '$.status' },
      unit: cloudwatch.Unit.COUNT,
    });
    new logs.MetricFilter(this, 'Denials', {
      ...common,
      filterPattern: logs.FilterPattern.all(
        isDecision,
        logs.FilterPattern.stringValue('$.decision', '=', 'DENY'),
      ),
      metricName: 'Denials',
      metricValue: '1',
      dimensions: { Reason: '$.reason' },
      unit: cloudwatch.Unit.COUNT,
    });
    new logs.MetricFilter(this, 'DecisionLatency', {
      ...common,
      filterPattern: isDecision,
      metricName: 'DecisionLatency',
      metricValue: '$.latencyMs',
      unit: cloudwatch.Unit.MILLISECONDS,
    });
  }

  /** Decisions with the given status: 200 allowed, 401 unauthenticated, 403 forbidden. */
  public metricDecisions(status: DecisionStatus, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: this.namespace,
      metricName: 'Decisions',
      dimensionsMap: { Status: String(status) },
      statistic: cloudwatch.Stats.SUM,
      ...props,
    });
  }

  /** Denials, one time series per reason code (a SEARCH expression: reasons need no listing). */
  public metricDenialsByReason(props?: { readonly period?: Duration }): cloudwatch.MathExpression {
    const period = props?.period ?? Duration.minutes(5);
    return new cloudwatch.MathExpression({
      expression: `SEARCH('{${this.namespace},Reason} MetricName="Denials"', 'Sum', ${period.toSeconds()})`,
      label: '',
      period,
      usingMetrics: {},
    });
  }

  /** Time spent deciding, in milliseconds (p99 unless `statistic` says otherwise). */
  public metricDecisionLatency(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: this.namespace,
      metricName: 'DecisionLatency',
      statistic: cloudwatch.Stats.p(99),
      unit: cloudwatch.Unit.MILLISECONDS,
      ...props,
    });
  }
}

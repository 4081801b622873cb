import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { ZeroTrustAuthorizer } from './zero-trust-authorizer.ts';

export interface DenyRateAlarmProps {
  /** Its EMF metric `Decisions` by `Outcome` is what the rate is computed from. */
  readonly authorizer: ZeroTrustAuthorizer;
  /** Share of decisions that are denials, in percent, that raises the alarm. */
  readonly thresholdPercent: number;
  /**
   * Decisions a period needs before its rate counts: one denial out of one request at night is
   * not an incident.
   */
  readonly minDecisions: number;
  /** Notified on ALARM and OK. */
  readonly alarmTopic: sns.ITopic;
  /** The suite's bus, which receives the alarm's state changes. */
  readonly eventBus: events.IEventBus;
  /** Keeps state changes that could not be forwarded to `eventBus`. */
  readonly deadLetterQueue: sqs.IQueue;
  /**
   * @default Duration.minutes(5)
   */
  readonly period?: Duration;
  /**
   * Consecutive breaching periods before the alarm fires.
   * @default 1
   */
  readonly evaluationPeriods?: number;
}

/**
 * The global half of denial-spike detection: a CloudWatch alarm on the share of denied
 * decisions (metric math over the authorizer's EMF metric `Decisions` by `Outcome`), notifying
 * the SNS topic for humans. CloudWatch puts every alarm state change on the account's default
 * bus; a rule there forwards this alarm's to the suite's bus, where automation can act on it.
 */
export class DenyRateAlarm extends Construct {
  public readonly alarm: cloudwatch.Alarm;
  /** The default-bus rule forwarding the alarm's state changes to the suite's bus. */
  public readonly stateChangeRule: events.Rule;

  constructor(scope: Construct, id: string, props: DenyRateAlarmProps) {
    super(scope, id);
    const period = props.period ?? Duration.minutes(5);
    if (!Number.isInteger(props.minDecisions) || props.minDecisions < 1) {
      throw new Error(
        `${this.node.path}: minDecisions must be an integer of at least 1, got ${props.minDecisions}`,
      );
    }
    const denied = props.authorizer.metricDecisionsByOutcome('DENY', { period });
    const allowed = props.authorizer.metricDecisionsByOutcome('ALLOW', { period });
    const rate = new cloudwatch.MathExpression({
      // Periods with too few decisions count as 0 %, so the division never sees 0 decisions.
      expression:
        `IF(FILL(denied, 0) + FILL(allowed, 0) >= ${props.minDecisions}, ` +
        '100 * FILL(denied, 0) / (FILL(denied, 0) + FILL(allowed, 0)), 0)',
      usingMetrics: { denied, allowed },
      label: 'deny rate (%)',
      period,
    });
    this.alarm = new cloudwatch.Alarm(this, 'Alarm', {
      metric: rate,
      threshold: props.thresholdPercent,
      evaluationPeriods: props.evaluationPeriods ?? 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription:
        `At least ${props.thresholdPercent}% of authorization decisions were denials (periods with at least ` +
        `${props.minDecisions} decisions): a credential-stuffing or probing wave, or a broken client or policy`,
    });
    const notify = new actions.SnsAction(props.alarmTopic);
    this.alarm.addAlarmAction(notify);
    this.alarm.addOkAction(notify);

    // No eventBus: the rule lives on the default bus, where CloudWatch puts alarm state changes.
    this.stateChangeRule = new events.Rule(this, 'StateChanges', {
      description: `Forwards the deny-rate alarm's state changes to the suite's bus`,
      eventPattern: {
        source: ['aws.cloudwatch'],
        detailType: ['CloudWatch Alarm State Change'],
        resources: [this.alarm.alarmArn],
      },
      targets: [new targets.EventBus(props.eventBus, { deadLetterQueue: props.deadLetterQueue })],
    });
  }
}

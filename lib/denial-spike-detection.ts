import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { DETAIL_TYPES, SOURCES } from '../functions/core/events/schema.ts';
import type { DecisionStream } from './decision-stream.ts';
import { DenyRateAlarm } from './deny-rate-alarm.ts';
import { PipelineFunction } from './pipeline-function.ts';
import { DENIAL_COUNTER_ACTIONS } from './private/iam-actions.ts';
import { SuiteTable } from './suite-table.ts';
import type { ZeroTrustAuthorizer } from './zero-trust-authorizer.ts';
import type { ZeroTrustNetwork } from './zero-trust-network.ts';

/**
 * What the per-principal detector counts: policy denials (403) of verified tokens. A 401 never
 * counts: its `sub` is whatever the caller wrote into a token, and counting it would let anyone
 * revoke a victim with forged tokens. The handler checks both fields again.
 */
export const POLICY_DENIAL_PATTERN: events.EventPattern = {
  source: [SOURCES.authorizer],
  detailType: [DETAIL_TYPES.decision],
  detail: { status: [403], claimsVerified: [true] },
};

export interface DenialSpikeDetectionProps {
  /** Where decisions arrive and alerts go. */
  readonly stream: DecisionStream;
  /** The authorizer whose deny rate is alarmed on. */
  readonly authorizer: ZeroTrustAuthorizer;
  readonly network: ZeroTrustNetwork;
  readonly encryptionKey: kms.IKey;
  /** Policy denials of one principal within `window` that raise `Principal Suspected Compromise`. */
  readonly denyThreshold: number;
  /** The sliding window the denials are counted in. */
  readonly window: Duration;
  /** The global deny-rate alarm. */
  readonly denyRate: {
    readonly thresholdPercent: number;
    readonly minDecisions: number;
    /** @default Duration.minutes(5) */
    readonly period?: Duration;
    /** @default 1 */
    readonly evaluationPeriods?: number;
  };
  /** The SNS topic for humans: the deny-rate alarm and the failure-queue alarms notify it. */
  readonly alarmTopic: sns.ITopic;
  /**
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Denial-spike detection, both kinds (docs/events.md). Per principal: a rule on `Authorization
 * Decision` events with status 403 and verified claims feeds the spike detector, which counts
 * them in DynamoDB (atomic counters, TTL) and emits `Principal Suspected Compromise` once per
 * window when the threshold is crossed. Global: a deny-rate alarm (`DenyRateAlarm`).
 */
export class DenialSpikeDetection extends Construct {
  public readonly counters: SuiteTable;
  public readonly detector: PipelineFunction;
  public readonly rule: events.Rule;
  public readonly denyRateAlarm: DenyRateAlarm;

  constructor(scope: Construct, id: string, props: DenialSpikeDetectionProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const windowSeconds = props.window.toSeconds();
    if (!Number.isInteger(props.denyThreshold) || props.denyThreshold < 1 || windowSeconds < 1) {
      throw new Error(
        `${this.node.path}: denyThreshold and window must be at least 1 (and whole), got ${props.denyThreshold} and ${windowSeconds} s`,
      );
    }

    this.counters = new SuiteTable(this, 'DenialCounters', {
      encryptionKey: props.encryptionKey,
      removalPolicy,
    });
    this.detector = new PipelineFunction(this, 'Detector', {
      handler: 'spike-detector',
      description:
        'Spike detector: counts policy denials per verified principal, raises Principal Suspected Compromise',
      network: props.network,
      encryptionKey: props.encryptionKey,
      invocation: 'asynchronous',
      timeout: Duration.seconds(10),
      reachesDynamoDb: true,
      environment: {
        EVENT_BUS_NAME: props.stream.bus.eventBusName,
        COUNTER_TABLE_NAME: this.counters.table.tableName,
        DENY_THRESHOLD: String(props.denyThreshold),
        WINDOW_SECONDS: String(windowSeconds),
      },
      alarmTopic: props.alarmTopic,
      removalPolicy,
      ...(props.logRetention === undefined ? {} : { logRetention: props.logRetention }),
    });
    this.counters.grantItems(this.detector, DENIAL_COUNTER_ACTIONS);
    props.stream.grantPutEvents(this.detector, SOURCES.spikeDetector, DETAIL_TYPES.suspectedCompromise);

    this.rule = new events.Rule(this, 'PolicyDenials', {
      eventBus: props.stream.bus,
      description: 'Policy denials (403) of verified principals, to the spike detector',
      eventPattern: POLICY_DENIAL_PATTERN,
      targets: [
        new targets.LambdaFunction(this.detector.function, {
          // A decision older than the window cannot count any more; keep the failure instead.
          maxEventAge: Duration.hours(1),
          retryAttempts: 8,
          ...(this.detector.failures ? { deadLetterQueue: this.detector.failures.queue } : {}),
        }),
      ],
    });

    this.denyRateAlarm = new DenyRateAlarm(this, 'DenyRate', {
      authorizer: props.authorizer,
      thresholdPercent: props.denyRate.thresholdPercent,
      minDecisions: props.denyRate.minDecisions,
      alarmTopic: props.alarmTopic,
      eventBus: props.stream.bus,
      deadLetterQueue: props.stream.undeliverable.queue,
      ...(props.denyRate.period ? { period: props.denyRate.period } : {}),
      ...(props.denyRate.evaluationPeriods ? { evaluationPeriods: props.denyRate.evaluationPeriods } : {}),
    });
  }
}

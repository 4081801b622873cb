import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as destinations from 'aws-cdk-lib/aws-logs-destinations';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { DETAIL_TYPES, SOURCES } from '../functions/core/events/schema.ts';
import { FailureQueue } from './failure-queue.ts';
import { PipelineFunction } from './pipeline-function.ts';
import { EVENTBRIDGE_ARCHIVE_KEY_ACTIONS, PUBLISHED_DECISIONS_ACTIONS } from './private/iam-actions.ts';
import { SuiteTable } from './suite-table.ts';
import type { ZeroTrustNetwork } from './zero-trust-network.ts';

/** Selects the authorizer's decision records (docs/decision-log.md) and nothing else it logs. */
export const DECISION_RECORD_FILTER = logs.FilterPattern.stringValue('$.schema', '=', 'zta.decision/v1');

export interface DecisionStreamProps {
  /** The authorizer's log group, where it writes one `zta.decision/v1` record per decision. */
  readonly decisionLogGroup: logs.ILogGroup;
  /** The forwarder runs in it and reaches EventBridge, SQS and DynamoDB through its endpoints. */
  readonly network: ZeroTrustNetwork;
  /** Encrypts the bus, the archive, the tables, the queues and the log group. */
  readonly encryptionKey: kms.IKey;
  /** The custom bus's name, e.g. `zta-dev-decisions`. */
  readonly eventBusName: string;
  /**
   * How long the archive keeps events (replayable).
   * @default Duration.days(30)
   */
  readonly archiveRetention?: Duration;
  /**
   * Notified when something lands in a dead-letter queue.
   * @default - no alarms
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Applied to the table, the queues, the log group and the event archive.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Decisions on EventBridge (docs/events.md): a subscription filter streams the authorizer's
 * decision records to the forwarder, which publishes each as an `Authorization Decision` event
 * on the suite's KMS-encrypted custom bus, deduplicated through the published-decisions table;
 * what it cannot publish goes to `deadLetters` (`zta.dead-letter/v1`). The bus has an archive
 * of every event and a dead-letter queue for events it cannot encrypt or decrypt, and no
 * resource policy (so other accounts cannot put events on it).
 */
export class DecisionStream extends Construct {
  public readonly bus: events.EventBus;
  public readonly archive: events.CfnArchive;
  /** Events the bus itself could not process (e.g. the key disabled), and undeliverable forwards. */
  public readonly undeliverable: FailureQueue;
  /** The forwarder's dead letters (`zta.dead-letter/v1`): entries it could not publish. */
  public readonly deadLetters: FailureQueue;
  public readonly publishedDecisions: SuiteTable;
  public readonly forwarder: PipelineFunction;
  public readonly subscription: logs.SubscriptionFilter;

  constructor(scope: Construct, id: string, props: DecisionStreamProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const alarm = props.alarmTopic ? { alarmTopic: props.alarmTopic } : {};

    this.undeliverable = new FailureQueue(this, 'Undeliverable', {
      encryptionKey: props.encryptionKey,
      description: `events the ${props.eventBusName} bus could not process or forward`,
      removalPolicy,
      ...alarm,
    });
    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: props.eventBusName,
      description: 'Zero-trust authorizer suite: decisions, alerts, revocations (docs/events.md)',
      kmsKey: props.encryptionKey,
      deadLetterQueue: this.undeliverable.queue,
    });
    this.undeliverable.queue.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['sqs:SendMessage'],
        resources: [this.undeliverable.queue.queueArn],
        conditions: { ArnEquals: { 'aws:SourceArn': this.bus.eventBusArn } },
      }),
    );
    // No bus policy: without one, only IAM principals of this account may put events here, and
    // each producer's role pins its source (grantPutEvents). CDK's EventBusPolicy would add
    // nothing but a deprecation warning on every synth (it reads CfnEventBusPolicy#principal).

    // The archive encrypts with the key too. events.Archive would put the bus's ARN (a reference)
    // into the key policy, and the bus references the key: a cycle. The ARN built from the
    // literal name is the same string without the reference.
    const busArn = Stack.of(this).formatArn({
      service: 'events',
      resource: 'event-bus',
      resourceName: props.eventBusName,
    });
    // As EventBridge documents it: DescribeKey carries no encryption context to condition on.
    props.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'EventBridgeDescribeKey',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:DescribeKey'],
        resources: ['*'],
      }),
    );
    props.encryptionKey.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'EventBridgeArchiveOfTheSuiteBus',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: [...EVENTBRIDGE_ARCHIVE_KEY_ACTIONS],
        resources: ['*'],
        conditions: { StringEquals: { 'kms:EncryptionContext:aws:events:event-bus:arn': busArn } },
      }),
    );
    this.archive = new events.CfnArchive(this, 'Archive', {
      sourceArn: this.bus.eventBusArn,
      description: `Every event of ${props.eventBusName}, replayable (consumers are idempotent)`,
      eventPattern: { account: [Stack.of(this).account] },
      retentionDays: (props.archiveRetention ?? Duration.days(30)).toDays({ integral: true }),
      kmsKeyIdentifier: props.encryptionKey.keyArn,
    });
    // The archive holds every decision event (replayable evidence): data, like the tables.
    this.archive.applyRemovalPolicy(removalPolicy);

    this.publishedDecisions = new SuiteTable(this, 'PublishedDecisions', {
      encryptionKey: props.encryptionKey,
      removalPolicy,
    });
    this.deadLetters = new FailureQueue(this, 'DeadLetters', {
      encryptionKey: props.encryptionKey,
      description:
        'decisions the forwarder could not publish (zta.dead-letter/v1, re-sendable with PutEvents)',
      removalPolicy,
      ...alarm,
    });

    this.forwarder = new PipelineFunction(this, 'Forwarder', {
      handler: 'decision-forwarder',
      description: 'Decision forwarder: decision records (CloudWatch Logs) to Authorization Decision events',
      network: props.network,
      encryptionKey: props.encryptionKey,
      invocation: 'asynchronous',
      // PutEvents retries back off up to 2 s, five attempts per entry (docs/events.md).
      timeout: Duration.seconds(60),
      reachesDynamoDb: true,
      environment: {
        EVENT_BUS_NAME: this.bus.eventBusName,
        DEAD_LETTER_QUEUE_URL: this.deadLetters.queue.queueUrl,
        PUBLISHED_TABLE_NAME: this.publishedDecisions.table.tableName,
      },
      removalPolicy,
      ...alarm,
      ...(props.logRetention === undefined ? {} : { logRetention: props.logRetention }),
    });
    this.grantPutEvents(this.forwarder, SOURCES.authorizer, DETAIL_TYPES.decision);
    this.deadLetters.grantSend(this.forwarder);
    this.publishedDecisions.grantItems(this.forwarder, PUBLISHED_DECISIONS_ACTIONS);

    this.subscription = new logs.SubscriptionFilter(this, 'DecisionRecords', {
      logGroup: props.decisionLogGroup,
      destination: new destinations.LambdaDestination(this.forwarder.function),
      filterPattern: DECISION_RECORD_FILTER,
    });
  }

  /**
   * `events:PutEvents` on this bus, for one `source` and one `detail-type` only (IAM condition
   * keys `events:source`, `events:detail-type`): a producer cannot forge another's events —
   * the forwarder, which carries request-derived data, cannot put the alerts the revoker acts on.
   */
  public grantPutEvents(grantee: iam.IGrantable, source: string, detailType: string): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['events:PutEvents'],
      resourceArns: [this.bus.eventBusArn],
      conditions: { StringEquals: { 'events:source': source, 'events:detail-type': detailType } },
    });
  }
}

import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENCRYPTED_MESSAGE_KEY_ACTIONS } from './private/iam-actions.ts';
import { allowEventBridgeDeliveries, grantKeyViaService } from './private/key-grants.ts';

export interface FailureQueueProps {
  /** Encrypts the messages (SSE-KMS). EventBridge may use it to deliver into this queue. */
  readonly encryptionKey: kms.IKey;
  /** What lands here, for the alarm and the queue's readers. */
  readonly description: string;
  /**
   * Notified as soon as one message is waiting: a failure kept is still a failure.
   * @default - no alarm
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A dead-letter queue: where a failed delivery or invocation is kept instead of dropped (14
 * days, the SQS maximum), KMS-encrypted, TLS only, with an alarm on the first message. Use it
 * as an EventBridge target's `deadLetterQueue` or, through `destination()`, as a Lambda
 * on-failure destination.
 */
export class FailureQueue extends Construct {
  public readonly queue: sqs.Queue;
  public readonly encryptionKey: kms.IKey;
  /** Present when `alarmTopic` was given. */
  public readonly alarm?: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: FailureQueueProps) {
    super(scope, id);
    this.encryptionKey = props.encryptionKey;
    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.encryptionKey,
      // Data keys are reused for up to 5 minutes: far fewer KMS calls, same key policy.
      dataKeyReuse: Duration.minutes(5),
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    allowEventBridgeDeliveries(props.encryptionKey);
    const terminal =
      'This queue is itself a dead-letter queue (an EventBridge target DLQ or a Lambda on-failure destination), ' +
      'the end of the line: a redrive policy would move failures out of the one place operators look. Nothing ' +
      'consumes it automatically; an alarm fires on the first message and messages are kept 14 days.';
    Validations.of(this.queue).acknowledge(
      {
        id: 'AwsSolutions::AwsSolutions-SQS3',
        reason: `${terminal} (cdk-nag recognises a DLQ only through another queue's redrive policy.)`,
      },
      { id: 'Serverless::Serverless-SQSRedrivePolicy', reason: terminal },
      {
        id: 'cdk-validator-cfnguard::sqs_dlq_check',
        reason:
          `${terminal} Control Tower CT.SQS.PR.1 recognises a DLQ by a RedriveAllowPolicy that lets source queues ` +
          'use it (allowAll or byQueue); no SQS queue redrives here, so none is granted.',
      },
    );

    if (props.alarmTopic) {
      this.alarm = new cloudwatch.Alarm(this, 'MessagesAlarm', {
        metric: this.queue.metricApproximateNumberOfMessagesVisible({
          period: Duration.minutes(5),
          statistic: cloudwatch.Stats.MAXIMUM,
        }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: `Failures are waiting in a dead-letter queue: ${props.description}`,
      });
      const notify = new actions.SnsAction(props.alarmTopic);
      this.alarm.addAlarmAction(notify);
      this.alarm.addOkAction(notify);
    }
  }

  /** `sqs:SendMessage` on this queue, and the key actions SQS needs on the sender's behalf. */
  public grantSend(grantee: iam.IGrantable): iam.Grant {
    grantKeyViaService(this.encryptionKey, grantee, ENCRYPTED_MESSAGE_KEY_ACTIONS, 'sqs');
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['sqs:SendMessage'],
      resourceArns: [this.queue.queueArn],
    });
  }

  /**
   * This queue as a Lambda on-failure destination. Unlike `SqsDestination`, which grants the
   * key's `kms:Encrypt*`/`kms:ReEncrypt*`/`kms:GenerateDataKey*`, it grants only `grantSend`.
   */
  public destination(): lambda.IDestination {
    return {
      bind: (_scope, fn) => {
        this.grantSend(fn);
        return { destination: this.queue.queueArn };
      },
    };
  }
}

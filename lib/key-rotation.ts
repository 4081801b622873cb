import { Aws, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { FailureQueue } from './failure-queue.ts';
import { HardenedFunction } from './hardened-function.ts';
import {
  ALIAS_ACTIONS,
  KEY_CREATE_ACTION,
  KEY_LIST_ACTION,
  KEY_TAG_ACTION,
  ROTATED_KEY_ACTIONS,
  ROTATOR_ENDPOINT_ACTIONS,
  SIGNING_KEY_ROTATION_TAG,
  SIGNING_KEY_TAG_KEYS,
} from './private/iam-actions.ts';
import { tokenServiceCode } from './private/token-bundles.ts';
import type { RotationStateTable } from './rotation-state-table.ts';
import type { ZeroTrustNetwork } from './zero-trust-network.ts';

export interface KeyRotationProps {
  /** The rotation id: the state item's key and the `zta:rotation-id` tag of its keys (a literal). */
  readonly rotationId: string;
  /** The alias the rotator moves, `alias/<name>` (a literal). */
  readonly keyAlias: string;
  /** Where the rotation state (and so the JWKS) lives. */
  readonly stateTable: RotationStateTable;
  /**
   * The handlers' environment: `ZTA_TOKEN_CONFIG` (and `ZTA_ROTATION_TABLE`, added here).
   * Its key policy must name `role` as the rotator.
   */
  readonly environment: Readonly<Record<string, string>>;
  /**
   * How often the scheduled rotator runs. Anything up to the propagation delay works: a run
   * with nothing due costs one `GetItem` and one `DescribeKey`.
   * @default Duration.hours(1)
   */
  readonly checkInterval?: Duration;
  /** The functions run in its workload subnets and reach KMS and DynamoDB through its endpoints. */
  readonly network: ZeroTrustNetwork;
  /** Encrypts the log groups and the failure queue. */
  readonly encryptionKey: kms.IKey;
  /**
   * The rotator's principal, shared by the scheduled and the on-demand function: every signing
   * key's policy names it as the only principal that may disable or delete the key.
   * @default - a new role
   */
  readonly role?: iam.Role;
  /**
   * Notified on a failed scheduled run and on anything kept in the failure queue.
   * @default - no alarms
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Reserved concurrency of each function (scheduled, on demand): 1 keeps runs of each one at a
   * time. Concurrent runs are safe (conditional writes), but the loser of a race may have
   * created a key for nothing. A reservation needs account quota: Lambda keeps 100 unreserved,
   * so an account whose quota is 100 or less (new accounts may have 10) cannot reserve any.
   * @default - unreserved
   */
  readonly reservedConcurrentExecutions?: number;
  /**
   * Crash recovery lists the account's keys and their tags one by one.
   * @default Duration.minutes(2)
   */
  readonly timeout?: Duration;
  /**
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Applied to the log groups and the failure queue.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Signing-key rotation (docs/key-rotation.md): an EventBridge Scheduler schedule invokes the
 * scheduled rotator, which does whatever the timeline says is due; operators invoke the
 * on-demand rotator (`rotate`, `emergency`, `status`). Both run as one role; with reserved
 * concurrency 1 (`reservedConcurrentExecutions`), runs of each are never concurrent.
 *
 * The keys themselves are not in the stack: the rotator creates them at run time (KMS does not
 * rotate asymmetric keys, and a stack-managed key could not be replaced without a deploy). The
 * role therefore may only create P-256 signing keys tagged with this rotation's id, and may only
 * touch keys carrying that tag and this rotation's alias.
 */
export class KeyRotation extends Construct {
  public readonly role: iam.Role;
  /** Invoked by the schedule (asynchronously): retried, then kept in `failures`. */
  public readonly scheduledFunction: lambda.Function;
  /** For operators: `aws lambda invoke --payload '{"action":"rotate"|"emergency"|"status"}'`. */
  public readonly onDemandFunction: lambda.Function;
  public readonly schedule: scheduler.Schedule;
  /** Failed scheduled runs (Lambda on-failure) and undeliverable schedule invocations. */
  public readonly failures: FailureQueue;
  /** Errors of the scheduled rotator; present when `alarmTopic` was given. */
  public readonly errorsAlarm?: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: KeyRotationProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const checkInterval = props.checkInterval ?? Duration.hours(1);
    this.role =
      props.role ??
      new iam.Role(this, 'Role', {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `Key rotator ${props.rotationId}: creates, activates and retires its signing keys`,
      });

    this.failures = new FailureQueue(this, 'Failures', {
      encryptionKey: props.encryptionKey,
      description: `scheduled key rotation runs of ${props.rotationId} that failed or could not be delivered`,
      removalPolicy,
      ...(props.alarmTopic ? { alarmTopic: props.alarmTopic } : {}),
    });

    const common = {
      role: this.role,
      vpc: props.network.vpc,
      vpcSubnets: props.network.workloadSubnets,
      encryptionKey: props.encryptionKey,
      memorySize: 256,
      timeout: props.timeout ?? Duration.minutes(2),
      logRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy,
      ...(props.reservedConcurrentExecutions === undefined
        ? {}
        : { reservedConcurrentExecutions: props.reservedConcurrentExecutions }),
      environment: {
        POWERTOOLS_SERVICE_NAME: 'zta-key-rotation',
        ZTA_ROTATION_TABLE: props.stateTable.table.tableName,
        ...props.environment,
      },
    };
    const scheduled = new HardenedFunction(this, 'Scheduled', {
      ...common,
      description: `Key rotation ${props.rotationId}: runs whatever the rotation timeline says is due`,
      code: tokenServiceCode('scheduledRotation'),
      handler: 'index.handler',
      invocation: { kind: 'asynchronous', onFailure: this.failures.destination(), retryAttempts: 2 },
    });
    const onDemand = new HardenedFunction(this, 'OnDemand', {
      ...common,
      description: `Key rotation ${props.rotationId} on demand: rotate, emergency, status (operators only)`,
      code: tokenServiceCode('onDemandRotation'),
      handler: 'index.handler',
      // `aws lambda invoke` waits for the answer: the operator gets the error and the report.
      invocation: { kind: 'synchronous' },
    });
    this.scheduledFunction = scheduled.function;
    this.onDemandFunction = onDemand.function;
    for (const fn of [scheduled, onDemand]) {
      props.network.allowHttpsToEndpoints(fn.securityGroup);
      props.network.allowHttpsToDynamoDb(fn.securityGroup);
    }

    props.stateTable.grantWriteState(this.role);
    const keyManagement = this.keyManagementPolicy(props.rotationId, props.keyAlias);
    // A run before the policy is attached would fail for nothing.
    for (const fn of [this.scheduledFunction, this.onDemandFunction]) fn.node.addDependency(keyManagement);
    this.openKmsEndpoint(props.network, props.keyAlias);

    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      schedule: scheduler.ScheduleExpression.rate(checkInterval),
      description: `Key rotation ${props.rotationId}: does what is due (usually nothing)`,
      target: this.scheduleTarget(checkInterval),
    });

    if (props.alarmTopic) {
      this.errorsAlarm = new cloudwatch.Alarm(this, 'ErrorsAlarm', {
        metric: this.scheduledFunction.metricErrors({
          period: Duration.minutes(5),
          statistic: cloudwatch.Stats.SUM,
        }),
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription:
          `Key rotation ${props.rotationId} failed a run. The next run resumes where it stopped; ` +
          'if it keeps failing, new keys are not created and retired keys are not removed (docs/key-rotation.md).',
      });
      const notify = new actions.SnsAction(props.alarmTopic);
      this.errorsAlarm.addAlarmAction(notify);
      this.errorsAlarm.addOkAction(notify);
    }
  }

  /**
   * The rotator's KMS permissions (docs/key-rotation.md, "CDK wiring"), in a policy of their own
   * so their wildcards are acknowledged apart from the platform's. Every new key's own policy
   * names this role too; these statements also hold where a key policy delegates to IAM.
   */
  private keyManagementPolicy(rotationId: string, keyAlias: string): iam.Policy {
    const keys = kmsArn('key/*');
    const rotationTag = { [`aws:RequestTag/${SIGNING_KEY_ROTATION_TAG}`]: rotationId };
    const onlyOurTagKeys = { 'ForAllValues:StringEquals': { 'aws:TagKeys': [...SIGNING_KEY_TAG_KEYS] } };
    const statements = [
      new iam.PolicyStatement({
        sid: 'CreateSigningKeysOnly',
        actions: [KEY_CREATE_ACTION],
        // CreateKey has no resource: the conditions are the whole restriction.
        resources: ['*'],
        conditions: {
          StringEquals: { 'kms:KeySpec': 'ECC_NIST_P256', 'kms:KeyUsage': 'SIGN_VERIFY', ...rotationTag },
          ...onlyOurTagKeys,
        },
      }),
      new iam.PolicyStatement({
        sid: 'TagNewKeysForThisRotation',
        actions: [KEY_TAG_ACTION],
        // KMS requires tag-on-create permission on every key of the account and region.
        resources: [keys],
        conditions: { StringEquals: rotationTag, ...onlyOurTagKeys },
      }),
      new iam.PolicyStatement({ sid: 'FindLostKeys', actions: [KEY_LIST_ACTION], resources: ['*'] }),
      new iam.PolicyStatement({
        sid: 'ManageThisRotationsKeys',
        actions: [...ROTATED_KEY_ACTIONS, ...ALIAS_ACTIONS],
        resources: [keys],
        conditions: { StringEquals: { [`aws:ResourceTag/${SIGNING_KEY_ROTATION_TAG}`]: rotationId } },
      }),
      new iam.PolicyStatement({
        sid: 'MoveThisRotationsAlias',
        actions: [...ALIAS_ACTIONS],
        resources: [kmsArn(keyAlias)],
      }),
    ];
    const policy = new iam.Policy(this, 'KeyManagementPolicy', { roles: [this.role], statements });
    Validations.of(policy).acknowledge(
      {
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason:
          'kms:CreateKey and kms:ListKeys have no resource-level permissions. CreateKey is allowed only for ' +
          'ECC_NIST_P256 SIGN_VERIFY keys tagged with this rotation id and no other tag keys; ListKeys only lists ' +
          'key ids (crash recovery looks for the key a crashed run created).',
      },
      {
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kms:<AWS::Region>:<AWS::AccountId>:key/*]',
        reason:
          'The signing keys are created at run time by this rotator (KMS does not rotate asymmetric keys), so no ' +
          'key ARN exists at synth time. Every statement on key/* requires aws:ResourceTag/zta:rotation-id (or, ' +
          "for tag-on-create, aws:RequestTag) to equal this rotation's id, and each key's own policy names this role.",
      },
    );
    return policy;
  }

  /**
   * The KMS endpoint's policy serves `key/*` only; the rotator also creates and lists keys
   * (`Resource: *`) and moves its alias. Only this role gets those through the endpoint.
   */
  private openKmsEndpoint(network: ZeroTrustNetwork, keyAlias: string): void {
    const endpoint = network.interfaceEndpoints.Kms;
    if (!endpoint) throw new Error(`${this.node.path}: the network has no KMS endpoint`);
    const onlyRotator = { ArnEquals: { 'aws:PrincipalArn': this.role.roleArn } };
    endpoint.addToPolicy(
      new iam.PolicyStatement({
        principals: [new iam.AnyPrincipal()],
        actions: [...ROTATOR_ENDPOINT_ACTIONS],
        resources: ['*'],
        conditions: onlyRotator,
      }),
    );
    endpoint.addToPolicy(
      new iam.PolicyStatement({
        principals: [new iam.AnyPrincipal()],
        actions: [...ALIAS_ACTIONS],
        resources: [kmsArn(keyAlias)],
        conditions: onlyRotator,
      }),
    );
  }

  /**
   * The schedule's target, with a role that may invoke exactly this function (no version
   * wildcard, unlike `grantInvoke`) and deliver to the failure queue.
   */
  private scheduleTarget(checkInterval: Duration): scheduler.IScheduleTarget {
    const role = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
      description: `EventBridge Scheduler: invokes ${this.node.path}/Scheduled`,
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [this.scheduledFunction.functionArn],
      }),
    );
    this.failures.grantSend(role);
    const fn = this.scheduledFunction;
    const queue = this.failures.queue;
    return {
      bind: () => ({
        arn: fn.functionArn,
        role,
        deadLetterConfig: { arn: queue.queueArn },
        retryPolicy: {
          // A run older than one interval is superseded by the next one anyway.
          maximumEventAgeInSeconds: Math.max(60, checkInterval.toSeconds()),
          maximumRetryAttempts: 2,
        },
      }),
    };
  }
}

function kmsArn(resource: string): string {
  return `arn:${Aws.PARTITION}:kms:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}`;
}

import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { DEFAULT_METRICS_NAMESPACE } from '../functions/runtime/aws/metric-catalogue.ts';
import { LAMBDA_VPC_NETWORK_INTERFACE_ACTIONS } from './private/iam-actions.ts';

/**
 * How the function is invoked, which decides how failures are kept.
 *
 * - `synchronous`: the caller (API Gateway, an SDK call) receives the error; a dead-letter
 *   queue would never see anything, so none is created.
 * - `asynchronous`: Lambda retries and then hands the event to `onFailure`; an event must never
 *   be dropped silently (the `lambda-async-failure-handling` guard rule checks this).
 */
export type InvocationMode =
  | { readonly kind: 'synchronous' }
  | {
      readonly kind: 'asynchronous';
      readonly onFailure: lambda.IDestination;
      readonly retryAttempts?: number;
    };

export interface HardenedFunctionProps {
  /** The deployment package. */
  readonly code: lambda.Code;
  /** Module and export, e.g. `index.handler`. */
  readonly handler: string;
  /** How the function is invoked (see `InvocationMode`). */
  readonly invocation: InvocationMode;
  /** The VPC the function runs in. */
  readonly vpc: ec2.IVpc;
  /** Encrypts the function's log group. */
  readonly encryptionKey: kms.IKey;
  /**
   * Subnets for the function's network interfaces.
   * @default - the VPC's private subnets (with egress if any exist, otherwise isolated)
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * @default - no description
   */
  readonly description?: string;
  /**
   * Environment variables.
   * @default - only `POWERTOOLS_METRICS_NAMESPACE: 'ZeroTrustAuthorizer'` (these override it)
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * @default 512
   */
  readonly memorySize?: number;
  /**
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
  /**
   * Reserved concurrency: a ceiling that also guarantees the function that much capacity.
   * @default - unreserved (shares the account's pool)
   */
  readonly reservedConcurrentExecutions?: number;
  /**
   * Retention of the function's log group.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Applied to the log group.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * The execution role. Share one only between functions that are one principal (the scheduled
   * and on-demand entry points of the key rotator, which key policies name), or to name the
   * role before the function exists.
   * @default - a new role of its own
   */
  readonly role?: iam.Role;
}

/**
 * A Lambda function with the platform's defaults, the one place they are set: the newest
 * Node.js runtime this CDK knows, arm64, active X-Ray tracing, JSON logs into its own
 * KMS-encrypted log group with retention, a VPC attachment with its own security group that
 * allows no traffic until a rule is added, and its own role holding only what it needs.
 */
export class HardenedFunction extends Construct {
  /** Node.js 24 is the newest runtime aws-cdk-lib 2.276 knows (cdk-nag L1 flags older ones). */
  public static readonly RUNTIME = lambda.Runtime.NODEJS_24_X;

  public readonly function: lambda.Function;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;
  /** Starts with no egress at all: callers open exactly the ports and peers they need. */
  public readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: HardenedFunctionProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      encryptionKey: props.encryptionKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: `${this.node.path}: no ingress, egress only as granted`,
      allowAllOutbound: false,
    });

    // A role of its own, without AWS managed policies: every permission is visible here.
    this.role =
      props.role ??
      new iam.Role(this, 'Role', {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `Execution role of ${this.node.path}`,
      });
    this.logGroup.grantWrite(this.role);
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: [...LAMBDA_VPC_NETWORK_INTERFACE_ACTIONS], resources: ['*'] }),
    );

    const invocation = props.invocation;
    this.function = new lambda.Function(this, 'Function', {
      runtime: HardenedFunction.RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      code: props.code,
      handler: props.handler,
      role: this.role,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: lambda.Tracing.ACTIVE,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      vpc: props.vpc,
      securityGroups: [this.securityGroup],
      recursiveLoop: lambda.RecursiveLoop.TERMINATE,
      ...(props.vpcSubnets === undefined ? {} : { vpcSubnets: props.vpcSubnets }),
      ...(props.description === undefined ? {} : { description: props.description }),
      // Every function's EMF metrics in the suite's namespace, told apart by their `service`.
      environment: { POWERTOOLS_METRICS_NAMESPACE: DEFAULT_METRICS_NAMESPACE, ...props.environment },
      ...(props.reservedConcurrentExecutions === undefined
        ? {}
        : { reservedConcurrentExecutions: props.reservedConcurrentExecutions }),
      ...(invocation.kind === 'asynchronous'
        ? { onFailure: invocation.onFailure, retryAttempts: invocation.retryAttempts ?? 2 }
        : {}),
    });

    Validations.of(this.function).acknowledge({
      id: 'Serverless::Serverless-LambdaDLQ',
      reason:
        invocation.kind === 'synchronous'
          ? 'Invoked synchronously (e.g. as an API Gateway authorizer): the caller receives every error, so ' +
            'a dead-letter queue would never receive an event. Failures are alarmed on instead.'
          : 'Failed asynchronous events go to the on-failure destination (EventInvokeConfig), which keeps ' +
            'the event and the error; a dead-letter queue would keep only the event.',
    });

    const policy = this.role.node.tryFindChild('DefaultPolicy');
    Validations.of(policy ?? this.role).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only actions without resource-level permissions take "*": the VPC network-interface calls ' +
        "(ec2:Describe*, and Create/Delete made by Lambda on the function's behalf) and X-Ray " +
        'PutTraceSegments/PutTelemetryRecords. Every other statement names its resource.',
    });
  }

  /** The function's security group, for `connections.allowTo(...)`. */
  public get connections(): ec2.Connections {
    return this.function.connections;
  }
}

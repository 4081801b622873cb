import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { FailureQueue } from './failure-queue.ts';
import { HardenedFunction } from './hardened-function.ts';
import { bundledHandlerCode, type PipelineHandler } from './private/bundled-handler.ts';
import type { ZeroTrustNetwork } from './zero-trust-network.ts';

export interface PipelineFunctionProps {
  /** The entry point, `functions/<handler>/index.ts`. */
  readonly handler: PipelineHandler;
  readonly description: string;
  /** The function runs in its workload subnets and reaches AWS through its endpoints. */
  readonly network: ZeroTrustNetwork;
  /** Encrypts the log group (and the failure queue). */
  readonly encryptionKey: kms.IKey;
  /**
   * `asynchronous`: invoked by a service (EventBridge, CloudWatch Logs); Lambda retries twice,
   * then the event goes to `failures`. `synchronous`: the caller gets the error.
   */
  readonly invocation: 'synchronous' | 'asynchronous';
  /** Required variables of the handler (it fails its cold start without them). */
  readonly environment: Readonly<Record<string, string>>;
  /**
   * @default Duration.seconds(10)
   */
  readonly timeout?: Duration;
  /**
   * Also open HTTPS to DynamoDB (the gateway endpoint's prefix list).
   * @default false
   */
  readonly reachesDynamoDb?: boolean;
  /**
   * Notified when a failed event is kept in the failure queue.
   * @default - no alarm
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Applied to the log group and the failure queue.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A handler of the decision pipeline on the platform's defaults (`HardenedFunction`: own role,
 * own security group, KMS-encrypted log group), bundled from `functions/<handler>`, whose
 * security group reaches only the VPC's interface endpoints (and DynamoDB when asked). An
 * asynchronous one gets a `FailureQueue` as its on-failure destination, which the EventBridge
 * rule that targets it uses as its dead-letter queue too: one place per stage of the pipeline
 * where whatever it could not process is kept.
 */
export class PipelineFunction extends Construct implements ec2.IConnectable, iam.IGrantable {
  public readonly function: lambda.Function;
  public readonly role: iam.Role;
  public readonly securityGroup: ec2.SecurityGroup;
  public readonly logGroup: logs.LogGroup;
  /** Present for asynchronous functions. */
  public readonly failures?: FailureQueue;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    if (props.invocation === 'asynchronous') {
      this.failures = new FailureQueue(this, 'Failures', {
        encryptionKey: props.encryptionKey,
        description: `events ${this.node.path} failed to process (Lambda on-failure records and EventBridge deliveries)`,
        removalPolicy,
        ...(props.alarmTopic ? { alarmTopic: props.alarmTopic } : {}),
      });
    }
    const hardened = new HardenedFunction(this, 'Handler', {
      description: props.description,
      code: bundledHandlerCode(props.handler),
      handler: 'index.handler',
      invocation: this.failures
        ? { kind: 'asynchronous', onFailure: this.failures.destination(), retryAttempts: 2 }
        : { kind: 'synchronous' },
      vpc: props.network.vpc,
      vpcSubnets: props.network.workloadSubnets,
      encryptionKey: props.encryptionKey,
      timeout: props.timeout ?? Duration.seconds(10),
      logRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy,
      environment: { POWERTOOLS_SERVICE_NAME: `zta-${props.handler}`, ...props.environment },
    });
    this.function = hardened.function;
    this.role = hardened.role;
    this.securityGroup = hardened.securityGroup;
    this.logGroup = hardened.logGroup;

    props.network.allowHttpsToEndpoints(this.securityGroup);
    if (props.reachesDynamoDb) props.network.allowHttpsToDynamoDb(this.securityGroup);
  }

  public get connections(): ec2.Connections {
    return this.function.connections;
  }

  public get grantPrincipal(): iam.IPrincipal {
    return this.role;
  }
}

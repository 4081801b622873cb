import { Aws, Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { DETAIL_TYPES, SOURCES } from '../functions/core/events/schema.ts';
import type { DecisionStream } from './decision-stream.ts';
import { PipelineFunction } from './pipeline-function.ts';
import { AUTHORIZER_CACHE_FLUSH_ACTION, ENCRYPTED_MESSAGE_KEY_ACTIONS } from './private/iam-actions.ts';
import { grantKeyViaService } from './private/key-grants.ts';
import type { RevocationTable } from './revocation-table.ts';
import type { ZeroTrustNetwork } from './zero-trust-network.ts';

/** A REST API stage behind the authorizer, whose authorizer cache a revocation flushes. */
export interface ProtectedStage {
  readonly restApi: apigateway.IRestApi;
  /**
   * A literal: the stage resource depends on the API's methods, and the admin route's method
   * depends on a function that names this stage, so a reference would be a cycle.
   */
  readonly stageName: string;
}

/** `Principal Suspected Compromise` from the spike detector: the one alert the revoker acts on. */
export const SUSPECTED_COMPROMISE_PATTERN: events.EventPattern = {
  source: [SOURCES.spikeDetector],
  detailType: [DETAIL_TYPES.suspectedCompromise],
};

export interface AutoRevocationProps {
  /** Where alerts arrive and `Credential Revoked` goes. */
  readonly stream: DecisionStream;
  /** The store the authorizer reads. */
  readonly revocations: RevocationTable;
  readonly network: ZeroTrustNetwork;
  /** Encrypts the log group and the failure queue; also the key of `alertTopic`. */
  readonly encryptionKey: kms.IKey;
  /** The SNS topic for humans: the revoker's notices and the failure-queue alarm. */
  readonly alertTopic: sns.ITopic;
  /** Every stage the authorizer protects: their caches are flushed, and only theirs may be. */
  readonly protectedStages: readonly ProtectedStage[];
  /**
   * Open TCP 443 to the internet for `FlushStageAuthorizersCache`: the API Gateway management
   * API has no VPC endpoint, so the flush needs a route out (NAT). Without it the flush fails
   * (reported in `Credential Revoked` as `cacheFlush: [{ ok: false }]`) and a cached ALLOW lives
   * until the authorizer cache TTL ends.
   * @default false
   */
  readonly cacheFlushOverInternet?: boolean;
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
 * Auto-revocation (docs/events.md): a rule on `Principal Suspected Compromise` (source pinned
 * to the spike detector) invokes the revoker, which revokes the subject in the revocation
 * table, flushes the protected stages' authorizer caches, emits `Credential Revoked` and
 * notifies the SNS topic. `grantRevocationEffects` gives the admin route the same powers.
 */
export class AutoRevocation extends Construct {
  public readonly revoker: PipelineFunction;
  public readonly rule: events.Rule;
  /** The revoker's environment, shared by the admin route (`functions/revoker/wiring.ts`). */
  public readonly environment: Readonly<Record<string, string>>;

  private readonly props: AutoRevocationProps;

  constructor(scope: Construct, id: string, props: AutoRevocationProps) {
    super(scope, id);
    this.props = props;
    for (const stage of props.protectedStages) {
      if (Token.isUnresolved(stage.stageName)) {
        throw new Error(`${this.node.path}: protectedStages[].stageName must be a literal, got a token`);
      }
    }
    this.environment = {
      REVOCATIONS_TABLE_NAME: props.revocations.table.tableName,
      EVENT_BUS_NAME: props.stream.bus.eventBusName,
      ALERT_TOPIC_ARN: props.alertTopic.topicArn,
      PROTECTED_STAGES: props.protectedStages.map((s) => `${s.restApi.restApiId}/${s.stageName}`).join(','),
    };

    this.revoker = new PipelineFunction(this, 'Revoker', {
      handler: 'revoker',
      description: 'Revoker: revokes a suspected principal, flushes authorizer caches, announces it',
      network: props.network,
      encryptionKey: props.encryptionKey,
      invocation: 'asynchronous',
      timeout: Duration.seconds(30),
      reachesDynamoDb: true,
      environment: this.environment,
      alarmTopic: props.alertTopic,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      ...(props.logRetention === undefined ? {} : { logRetention: props.logRetention }),
    });
    props.revocations.grantRevoke(this.revoker);
    this.grantRevocationEffects(this.revoker);

    this.rule = new events.Rule(this, 'SuspectedCompromise', {
      eventBus: props.stream.bus,
      description: 'Principal Suspected Compromise from the spike detector, to the revoker',
      eventPattern: SUSPECTED_COMPROMISE_PATTERN,
      targets: [
        new targets.LambdaFunction(this.revoker.function, {
          // EventBridge's longest persistence: a revocation must not be lost to a throttle.
          maxEventAge: Duration.hours(24),
          retryAttempts: 185,
          ...(this.revoker.failures ? { deadLetterQueue: this.revoker.failures.queue } : {}),
        }),
      ],
    });
  }

  /**
   * What a revocation does besides writing the table: put `Credential Revoked` (source
   * `zta.revoker` only), publish to the alert topic, and flush the protected stages' authorizer
   * caches — `apigateway:DELETE` on exactly their `…/cache/authorizers`, nothing else in API
   * Gateway. Also opens the network path the flush needs, when allowed.
   */
  public grantRevocationEffects(fn: PipelineFunction): void {
    const { props } = this;
    props.stream.grantPutEvents(fn, SOURCES.revoker, DETAIL_TYPES.credentialRevoked);
    iam.Grant.addToPrincipal({
      grantee: fn,
      actions: ['sns:Publish'],
      resourceArns: [props.alertTopic.topicArn],
    });
    grantKeyViaService(props.encryptionKey, fn, ENCRYPTED_MESSAGE_KEY_ACTIONS, 'sns');
    if (props.protectedStages.length > 0) {
      iam.Grant.addToPrincipal({
        grantee: fn,
        actions: [AUTHORIZER_CACHE_FLUSH_ACTION],
        resourceArns: props.protectedStages.map(authorizerCacheArn),
      });
    }
    if (props.cacheFlushOverInternet && props.protectedStages.length > 0) {
      fn.securityGroup.addEgressRule(
        ec2.Peer.anyIpv4(),
        ec2.Port.tcp(443),
        'HTTPS to the API Gateway management API (FlushStageAuthorizersCache has no VPC endpoint)',
      );
    }
  }
}

/** `arn:<partition>:apigateway:<region>::/restapis/<id>/stages/<stage>/cache/authorizers`. */
export function authorizerCacheArn(stage: ProtectedStage): string {
  return `arn:${Aws.PARTITION}:apigateway:${Aws.REGION}::/restapis/${stage.restApi.restApiId}/stages/${stage.stageName}/cache/authorizers`;
}

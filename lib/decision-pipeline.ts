import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { AutoRevocation } from './auto-revocation.ts';
import { DecisionStream } from './decision-stream.ts';
import { DenialSpikeDetection } from './denial-spike-detection.ts';
import { RevocationAdminRoute } from './revocation-admin-route.ts';
import type { RevocationTable } from './revocation-table.ts';
import type { ZeroTrustAuthorizer } from './zero-trust-authorizer.ts';
import type { ZeroTrustNetwork } from './zero-trust-network.ts';

export interface DecisionPipelineProps {
  /** Its decision log feeds the stream; its EMF metrics the deny-rate alarm. */
  readonly authorizer: ZeroTrustAuthorizer;
  /** The store the authorizer reads and the revoker writes. */
  readonly revocations: RevocationTable;
  /** The REST API behind the authorizer: its stage's cache is flushed on revocation, and it gets the admin route. */
  readonly protectedApi: { readonly api: apigateway.RestApi; readonly stageName: string };
  readonly network: ZeroTrustNetwork;
  /** Encrypts the bus, archive, tables, queues and log groups; also the key of `alarmTopic`. */
  readonly encryptionKey: kms.IKey;
  /** The SNS topic for humans. */
  readonly alarmTopic: sns.ITopic;
  /** The custom bus's name, e.g. `zta-dev-decisions`. */
  readonly eventBusName: string;
  readonly archiveRetention: Duration;
  /** Per-principal detection: policy denials within `window` that trigger revocation. */
  readonly denyThreshold: number;
  readonly window: Duration;
  readonly denyRate: {
    readonly thresholdPercent: number;
    readonly minDecisions: number;
    readonly period: Duration;
    readonly evaluationPeriods: number;
  };
  /**
   * The network has a route out (NAT): revocations can flush the authorizer cache through the
   * API Gateway management API, which has no VPC endpoint.
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
 * Issue 5's pipeline, composed: decisions onto the bus (`DecisionStream`), denial-spike
 * detection (`DenialSpikeDetection`), auto-revocation (`AutoRevocation`) and the IAM-protected
 * admin route (`RevocationAdminRoute`). See docs/events.md for the flow and the schema.
 */
export class DecisionPipeline extends Construct {
  public readonly stream: DecisionStream;
  public readonly spikeDetection: DenialSpikeDetection;
  public readonly autoRevocation: AutoRevocation;
  public readonly adminRoute: RevocationAdminRoute;

  constructor(scope: Construct, id: string, props: DecisionPipelineProps) {
    super(scope, id);
    const common = {
      network: props.network,
      encryptionKey: props.encryptionKey,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      ...(props.logRetention === undefined ? {} : { logRetention: props.logRetention }),
    };

    this.stream = new DecisionStream(this, 'Stream', {
      ...common,
      decisionLogGroup: props.authorizer.logGroup,
      eventBusName: props.eventBusName,
      archiveRetention: props.archiveRetention,
      alarmTopic: props.alarmTopic,
    });
    this.spikeDetection = new DenialSpikeDetection(this, 'SpikeDetection', {
      ...common,
      stream: this.stream,
      authorizer: props.authorizer,
      denyThreshold: props.denyThreshold,
      window: props.window,
      denyRate: props.denyRate,
      alarmTopic: props.alarmTopic,
    });
    this.autoRevocation = new AutoRevocation(this, 'AutoRevocation', {
      ...common,
      stream: this.stream,
      revocations: props.revocations,
      alertTopic: props.alarmTopic,
      protectedStages: [{ restApi: props.protectedApi.api, stageName: props.protectedApi.stageName }],
      cacheFlushOverInternet: props.cacheFlushOverInternet ?? false,
    });
    this.adminRoute = new RevocationAdminRoute(this, 'RevocationAdmin', {
      ...common,
      api: props.protectedApi.api,
      stageName: props.protectedApi.stageName,
      revocations: props.revocations,
      autoRevocation: this.autoRevocation,
    });
  }
}

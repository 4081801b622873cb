import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { ApiGatewayAccount } from './api-gateway-account.ts';
import { ApiWebAcl } from './api-web-acl.ts';
import { AuthorizerMonitoring } from './authorizer-monitoring.ts';
import type { EnvironmentConfig } from './config.ts';
import { DecisionPipeline } from './decision-pipeline.ts';
import { DemoProtectedApi } from './demo-protected-api.ts';
import { PipelineMonitoring } from './pipeline-monitoring.ts';
import { PlatformKey } from './platform-key.ts';
import { RevocationTable } from './revocation-table.ts';
import { WorkloadTokens, workloadTokenOutputs } from './workload-tokens.ts';
import { type TrustedIssuer, ZeroTrustAuthorizer } from './zero-trust-authorizer.ts';
import { ZeroTrustNetwork } from './zero-trust-network.ts';

export interface ZeroTrustStackProps extends StackProps {
  readonly config: EnvironmentConfig;
  /**
   * DynamoDB deletion protection on the tables. CloudFormation cannot delete a protected table,
   * so a failed first creation would leave the stack in ROLLBACK_FAILED with its tables behind:
   * the app turns it off for a first deploy (`-c firstDeploy=true`).
   * @default - on when `config.removalPolicy` is `retain`
   */
  readonly deletionProtection?: boolean;
}

/**
 * One environment of the suite: key, network, revocation table, authorizer, the demo API behind
 * it, the authorizer's dashboard and alarms, and the decision pipeline (decisions on
 * EventBridge, denial-spike detection, auto-revocation, the admin route), and the workload-token
 * service with its signing-key rotation. It only composes; each piece is its own construct.
 */
export class ZeroTrustStack extends Stack {
  public readonly key: PlatformKey;
  public readonly network: ZeroTrustNetwork;
  public readonly authorizer: ZeroTrustAuthorizer;
  public readonly api: DemoProtectedApi;
  public readonly monitoring: AuthorizerMonitoring;
  public readonly revocations: RevocationTable;
  public readonly pipeline: DecisionPipeline;
  public readonly tokens: WorkloadTokens;
  /** API Gateway's account-level CloudWatch role, when `config.apiGatewayAccountRole` is `create`. */
  public readonly apiGatewayAccount?: ApiGatewayAccount;
  /** The web ACL in front of the REGIONAL stages, when `config.api.webAcl` asks for one. */
  public readonly webAcl?: ApiWebAcl;
  public readonly pipelineMonitoring: PipelineMonitoring;

  constructor(scope: Construct, id: string, props: ZeroTrustStackProps) {
    super(scope, id, props);
    const { config } = props;
    // Retained data survives a stack deletion or a resource replacement, but not the rollback of
    // the stack's own creation: a retried first deploy must not meet leftovers with fixed names.
    const removalPolicy =
      config.removalPolicy === 'retain' ? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE : RemovalPolicy.DESTROY;
    const logRetention = config.logs.retentionDays as logs.RetentionDays;
    const privateApi = config.api.endpointType === 'PRIVATE';

    this.key = new PlatformKey(this, 'PlatformKey', { alias: `zero-trust-${config.name}`, removalPolicy });

    this.network = new ZeroTrustNetwork(this, 'Network', {
      cidr: config.network.vpcCidr,
      maxAzs: config.network.maxAzs,
      natGateways: config.network.natGateways,
      privateApiEndpoint: privateApi,
      encryptionKey: this.key.key,
      flowLogRetention: logRetention,
      removalPolicy,
    });

    const revocationsConfig = config.authorizer.runtime.revocations.dynamodb;
    this.revocations = new RevocationTable(this, 'Revocations', {
      tableName: revocationsConfig.tableName,
      encryptionKey: this.key.key,
      removalPolicy,
    });

    this.authorizer = new ZeroTrustAuthorizer(this, 'Authorizer', {
      issuers: config.authorizer.runtime.issuers as readonly TrustedIssuer[],
      policiesDir: config.authorizer.runtime.policies,
      configBaseDir: config.authorizer.baseDir,
      ...(config.authorizer.runtime.maxTokenBytes === undefined
        ? {}
        : { maxTokenBytes: config.authorizer.runtime.maxTokenBytes }),
      resultsCacheTtl: Duration.seconds(config.authorizer.cacheTtlSeconds),
      vpc: this.network.vpc,
      vpcSubnets: this.network.workloadSubnets,
      encryptionKey: this.key.key,
      logRetention,
      removalPolicy,
      memorySize: config.authorizer.memorySize,
      timeout: Duration.seconds(config.authorizer.timeoutSeconds),
      ...(config.reservedConcurrency.authorizer === null
        ? {}
        : { reservedConcurrentExecutions: config.reservedConcurrency.authorizer }),
      revocations: {
        table: this.revocations,
        cacheSeconds: revocationsConfig.cacheSeconds,
        maxCacheEntries: revocationsConfig.maxCacheEntries,
      },
    });
    this.network.allowHttpsToEndpoints(this.authorizer.securityGroup);
    this.network.allowHttpsToDynamoDb(this.authorizer.securityGroup);

    this.api = new DemoProtectedApi(this, 'DemoApi', {
      authorizer: this.authorizer,
      encryptionKey: this.key.key,
      endpointType: privateApi ? apigateway.EndpointType.PRIVATE : apigateway.EndpointType.REGIONAL,
      ...(this.network.executeApiEndpoint ? { vpcEndpoint: this.network.executeApiEndpoint } : {}),
      stageName: config.api.stageName,
      throttling: config.api.throttling,
      logRetention,
      removalPolicy,
    });

    this.monitoring = new AuthorizerMonitoring(this, 'Monitoring', {
      authorizer: this.authorizer,
      encryptionKey: this.key.key,
      api: this.api.api,
      errorsPerPeriod: config.alarms.errorsPerPeriod,
      latencyP99: Duration.millis(config.alarms.latencyP99Ms),
      period: Duration.seconds(config.alarms.periodSeconds),
      evaluationPeriods: config.alarms.evaluationPeriods,
    });

    this.pipeline = new DecisionPipeline(this, 'DecisionPipeline', {
      authorizer: this.authorizer,
      revocations: this.revocations,
      protectedApi: { api: this.api.api, stageName: config.api.stageName },
      network: this.network,
      encryptionKey: this.key.key,
      alarmTopic: this.monitoring.alarmTopic,
      eventBusName: `zta-${config.name}-decisions`,
      archiveRetention: Duration.days(config.decisionEvents.archiveRetentionDays),
      denyThreshold: config.autoRevocation.denyThreshold,
      window: Duration.seconds(config.autoRevocation.windowSeconds),
      denyRate: {
        thresholdPercent: config.alarms.denyRatePercent,
        minDecisions: config.alarms.denyRateMinDecisions,
        period: Duration.seconds(config.alarms.periodSeconds),
        evaluationPeriods: config.alarms.evaluationPeriods,
      },
      cacheFlushOverInternet: config.network.natGateways > 0,
      logRetention,
      removalPolicy,
    });

    const tokenService = config.tokenService;
    this.tokens = new WorkloadTokens(this, 'WorkloadTokens', {
      settings: tokenService.runtime,
      environment: config.name,
      rotationCheckInterval: Duration.minutes(tokenService.rotationCheckMinutes),
      network: this.network,
      encryptionKey: this.key.key,
      endpointType: privateApi ? apigateway.EndpointType.PRIVATE : apigateway.EndpointType.REGIONAL,
      stageName: config.api.stageName,
      throttling: tokenService.throttling,
      alarmTopic: this.monitoring.alarmTopic,
      logRetention,
      removalPolicy,
      ...(config.reservedConcurrency.keyRotator === null
        ? {}
        : { rotatorReservedConcurrency: config.reservedConcurrency.keyRotator }),
    });
    if (tokenService.authorizerTrust) {
      this.tokens.trustedBy(this.authorizer, {
        audience: tokenService.authorizerTrust.audience,
        jwksCache: Duration.seconds(tokenService.authorizerTrust.jwksCacheSeconds),
      });
    }

    const stages = [this.api.api.deploymentStage, this.tokens.api.api.deploymentStage];
    if (config.apiGatewayAccountRole === 'create') {
      // Always kept: every API of the account and region logs through this role.
      this.apiGatewayAccount = new ApiGatewayAccount(this, 'ApiGatewayAccount');
      for (const stage of stages) this.apiGatewayAccount.requiredBy(stage);
    }
    if (config.api.webAcl) {
      this.webAcl = new ApiWebAcl(this, 'WebAcl', config.api.webAcl);
      this.webAcl.associate('DemoApiStage', this.api.api.deploymentStage);
      this.webAcl.associate('TokenApiStage', this.tokens.api.api.deploymentStage);
    } else if (!privateApi) {
      for (const stage of stages) acknowledgeNoWebAcl(stage, config);
    }
    if (!(props.deletionProtection ?? config.removalPolicy === 'retain')) {
      for (const table of this.node.findAll()) {
        if (table instanceof dynamodb.CfnTable) table.deletionProtectionEnabled = false;
      }
    }
    this.pipelineMonitoring = new PipelineMonitoring(this, 'PipelineMonitoring', {
      alarmTopic: this.monitoring.alarmTopic,
      dashboard: this.monitoring.dashboard,
      period: Duration.seconds(config.alarms.periodSeconds),
    });

    if (config.logs.retentionDays < 365) {
      // Only the log groups that keep the configured retention: that is what the reason says.
      for (const logGroup of this.node.findAll()) {
        if (!(logGroup instanceof logs.LogGroup)) continue;
        const retention = (logGroup.node.defaultChild as logs.CfnLogGroup).retentionInDays;
        if (retention === config.logs.retentionDays) acknowledgeShortRetention(logGroup, config);
      }
    }

    new CfnOutput(this, 'ApiUrl', { value: this.api.api.url, description: 'Demo API base URL' });
    new CfnOutput(this, 'DashboardName', { value: this.monitoring.dashboard.dashboardName });
    new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.alarmTopic.topicArn });
    new CfnOutput(this, 'EventBusName', { value: this.pipeline.stream.bus.eventBusName });
    new CfnOutput(this, 'RevocationTableName', { value: this.revocations.table.tableName });
    new CfnOutput(this, 'RevocationAdminRoleArn', {
      value: this.pipeline.adminRoute.adminRole.roleArn,
      description: 'The only principal the /revocations admin route answers',
    });
    new CfnOutput(this, 'ProtectedStages', {
      // The revoker's own list: what an operator's `zta revoke --env` must flush too.
      value: this.pipeline.autoRevocation.environment.PROTECTED_STAGES ?? '',
      description:
        'restApiId/stage pairs whose authorizer cache a revocation flushes (zta revoke --env <env> --flush-stage <each>)',
    });
    if (this.webAcl) new CfnOutput(this, 'WebAclArn', { value: this.webAcl.webAcl.attrArn });
    workloadTokenOutputs(this, this.tokens);
  }
}

/** `api.webAcl: null` on an internet-facing API: the config says so, the reason says where. */
function acknowledgeNoWebAcl(stage: Construct, config: EnvironmentConfig): void {
  Validations.of(stage).acknowledge({
    id: 'AwsSolutions::AwsSolutions-APIG3',
    reason:
      `No web ACL on this REGIONAL stage because config/${config.name}.json sets api.webAcl to null: every ` +
      'request still passes the zero-trust authorizer or SigV4, and the stage is throttled. Remove that line to ' +
      'get the default web ACL (rate limit per IP and AWS managed rules).',
  });
}

/** Control Tower wants a year of logs; a non-production environment keeps less on purpose. */
function acknowledgeShortRetention(logGroup: Construct, config: EnvironmentConfig): void {
  Validations.of(logGroup).acknowledge({
    id: 'cdk-validator-cfnguard::cloudwatch_log_group_retention_period_check',
    reason:
      `The ${config.name} environment keeps logs ${config.logs.retentionDays} days (logs.retentionDays in ` +
      `config/${config.name}.json): it holds test traffic only. Production configuration keeps them 365 days.`,
  });
}

import { Aws, CfnOutput, Duration, RemovalPolicy, Stack, Token, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { ConfigError } from '../functions/core/config/reader.ts';
import type { TokenServiceConfig } from '../functions/workload-keys/config.ts';
import { withPathPrefix } from './config.ts';
import { HardenedFunction } from './hardened-function.ts';
import { KeyRotation } from './key-rotation.ts';
import {
  SIGN_ACTION,
  SIGNER_KEY_ACTIONS,
  SIGNING_ALGORITHM,
  SIGNING_KEY_ROTATION_TAG,
} from './private/iam-actions.ts';
import { tokenServiceCode } from './private/token-bundles.ts';
import { defaultKeyAlias, defaultRotationId } from './private/token-config-fields.ts';
import {
  checkTokenServiceSettings,
  composeTokenServiceConfig,
  type TokenServiceSettings,
} from './private/token-service-config.ts';
import { RotationStateTable } from './rotation-state-table.ts';
import { TokenApi } from './token-api.ts';
import type { TrustedIssuer, ZeroTrustAuthorizer } from './zero-trust-authorizer.ts';
import type { ZeroTrustNetwork } from './zero-trust-network.ts';

export interface WorkloadTokensProps {
  /**
   * The token service config without what the deployment fills in (`environment`,
   * `signing.keyAlias`, `signing.keyPolicy`, `rotation.id`): issuer, trust domain, workloads,
   * token lifetime, rotation timing (docs/key-rotation.md, "Configuration reference").
   * Validated now by the handlers' own parser.
   */
  readonly settings: TokenServiceSettings;
  /** The environment name: the SPIFFE ids' environment segment. */
  readonly environment: string;
  /**
   * The signing alias. One per account and region: two deployments must not share it.
   * @default `alias/zta-token-<environment>`
   */
  readonly keyAlias?: string;
  /**
   * @default `zta-token-<environment>`
   */
  readonly rotationId?: string;
  /**
   * How often the rotator checks what is due; at most the propagation delay.
   * @default Duration.hours(1)
   */
  readonly rotationCheckInterval?: Duration;
  /** Every function runs in its workload subnets, reaching AWS through its endpoints. */
  readonly network: ZeroTrustNetwork;
  /** Encrypts the state table, the log groups and the failure queue. */
  readonly encryptionKey: kms.IKey;
  /**
   * `PRIVATE` uses the network's `execute-api` endpoint.
   * @default apigateway.EndpointType.REGIONAL
   */
  readonly endpointType?: apigateway.EndpointType.REGIONAL | apigateway.EndpointType.PRIVATE;
  /**
   * @default 'v1'
   */
  readonly stageName?: string;
  /**
   * @default { rateLimit: 10, burstLimit: 20 }
   */
  readonly throttling?: { readonly rateLimit: number; readonly burstLimit: number };
  /**
   * Notified when a rotation run fails.
   * @default - no alarms
   */
  readonly alarmTopic?: sns.ITopic;
  /**
   * Reserved concurrency of each rotator function (see `KeyRotationProps`).
   * @default - unreserved
   */
  readonly rotatorReservedConcurrency?: number;
  /**
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Applied to the state table, the log groups and the failure queue. The signing keys are
   * not in the stack: deleting it leaves them (tagged `zta:rotation-id`) to be retired by hand.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** How an authorizer trusts the suite's issuer. */
export interface IssuerTrustOptions {
  /** The audiences the protected APIs accept. */
  readonly audience: readonly string[];
  /**
   * How long the authorizer caches the JWKS; must stay below the propagation delay.
   * @default Duration.minutes(10) (the runtime's default)
   */
  readonly jwksCache?: Duration;
}

/** Lambda limits all variables of a function to 4 KB together; keep room for the others. */
const MAX_CONFIG_BYTES = 3500;
/** The longest an IAM role ARN can resolve to (partition, account, 64-character name, no path). */
const ROLE_ARN_BYTES = 'arn:aws-us-gov:iam::123456789012:role/'.length + 64;

/**
 * Short-lived workload tokens signed in KMS (issue 4, docs/key-rotation.md): the token API
 * (`POST /token` with AWS_IAM, `GET /.well-known/jwks.json`), the token and JWKS functions, the
 * rotation state table and the key rotation. The signing keys and their alias are created by
 * the rotator at run time; bootstrap with the scheduled rotator once after the first deploy
 * (output `KeyRotationBootstrapCommand`), or wait for its first scheduled run.
 */
export class WorkloadTokens extends Construct {
  /** The tokens' `iss`. */
  public readonly issuer: string;
  public readonly keyAlias: string;
  public readonly rotationId: string;
  /** The parsed runtime config (role ARNs replaced by placeholders): defaults applied. */
  public readonly config: TokenServiceConfig;
  public readonly stateTable: RotationStateTable;
  /** The only principal allowed to `kms:Sign` with the signing keys. */
  public readonly signerRole: iam.Role;
  public readonly tokenFunction: lambda.Function;
  public readonly jwksFunction: lambda.Function;
  public readonly rotation: KeyRotation;
  public readonly api: TokenApi;

  private readonly network: ZeroTrustNetwork;
  private readonly privateApi: boolean;

  constructor(scope: Construct, id: string, props: WorkloadTokensProps) {
    super(scope, id);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    this.network = props.network;
    this.privateApi = props.endpointType === apigateway.EndpointType.PRIVATE;
    this.keyAlias = props.keyAlias ?? defaultKeyAlias(props.environment);
    this.rotationId = props.rotationId ?? defaultRotationId(props.environment);
    const deployment = {
      environment: props.environment,
      keyAlias: this.keyAlias,
      rotationId: this.rotationId,
    };
    try {
      this.config = checkTokenServiceSettings(props.settings, deployment);
    } catch (error) {
      if (error instanceof ConfigError) throw withPathPrefix(error, `${this.node.path}: settings.`);
      throw error;
    }
    this.issuer = this.config.issuer;

    this.stateTable = new RotationStateTable(this, 'RotationState', {
      encryptionKey: props.encryptionKey,
      removalPolicy,
    });

    // Both roles exist before the functions: every function's config names them in the key policy.
    this.signerRole = new iam.Role(this, 'SignerRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Token service ${this.rotationId}: the only principal that may sign tokens`,
    });
    const rotatorRole = new iam.Role(this, 'RotatorRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Key rotator ${this.rotationId}: creates, activates and retires its signing keys`,
    });
    const keyPolicy = { signerRoleArns: [this.signerRole.roleArn], rotatorRoleArn: rotatorRole.roleArn };
    const configJson = (settings: TokenServiceSettings) =>
      this.configVariable(composeTokenServiceConfig(settings, { ...deployment, keyPolicy }));
    // The workloads only where they are used: the JWKS and the rotator never see who may ask.
    const withoutWorkloads = { ...props.settings, workloads: [] };

    const common = {
      vpc: props.network.vpc,
      vpcSubnets: props.network.workloadSubnets,
      encryptionKey: props.encryptionKey,
      logRetention,
      removalPolicy,
      // API Gateway invokes both and returns their errors to the caller.
      invocation: { kind: 'synchronous' as const },
      handler: 'index.handler',
    };
    const token = new HardenedFunction(this, 'TokenHandler', {
      ...common,
      role: this.signerRole,
      description: `POST /token: workload tokens signed in KMS (${this.rotationId})`,
      code: tokenServiceCode('token'),
      timeout: Duration.seconds(10),
      environment: {
        POWERTOOLS_SERVICE_NAME: 'zta-token-service',
        ZTA_TOKEN_CONFIG: configJson(props.settings),
      },
    });
    const jwks = new HardenedFunction(this, 'JwksHandler', {
      ...common,
      description: `GET /.well-known/jwks.json: the published signing keys (${this.rotationId})`,
      code: tokenServiceCode('jwks'),
      memorySize: 256,
      timeout: Duration.seconds(5),
      environment: {
        POWERTOOLS_SERVICE_NAME: 'zta-token-jwks',
        ZTA_TOKEN_CONFIG: configJson(withoutWorkloads),
        ZTA_ROTATION_TABLE: this.stateTable.table.tableName,
      },
    });
    this.tokenFunction = token.function;
    this.jwksFunction = jwks.function;
    props.network.allowHttpsToEndpoints(token.securityGroup);
    props.network.allowHttpsToEndpoints(jwks.securityGroup);
    props.network.allowHttpsToDynamoDb(jwks.securityGroup);
    this.stateTable.grantReadState(jwks.role);
    this.tokenFunction.node.addDependency(this.signingPolicy());

    this.rotation = new KeyRotation(this, 'KeyRotation', {
      rotationId: this.rotationId,
      keyAlias: this.keyAlias,
      stateTable: this.stateTable,
      role: rotatorRole,
      environment: { ZTA_TOKEN_CONFIG: configJson(withoutWorkloads) },
      network: props.network,
      encryptionKey: props.encryptionKey,
      logRetention,
      removalPolicy,
      ...(props.rotationCheckInterval ? { checkInterval: props.rotationCheckInterval } : {}),
      ...(props.alarmTopic ? { alarmTopic: props.alarmTopic } : {}),
      ...(props.rotatorReservedConcurrency === undefined
        ? {}
        : { reservedConcurrentExecutions: props.rotatorReservedConcurrency }),
    });

    this.api = new TokenApi(this, 'Api', {
      tokenHandler: this.tokenFunction,
      jwksHandler: this.jwksFunction,
      restApiName: `zta-tokens-${props.environment}`,
      workloadRoleArns: this.config.workloads.map((w) => w.roleArn),
      encryptionKey: props.encryptionKey,
      logRetention,
      removalPolicy,
      ...(props.endpointType ? { endpointType: props.endpointType } : {}),
      ...(this.privateApi && props.network.executeApiEndpoint
        ? { vpcEndpoint: props.network.executeApiEndpoint }
        : {}),
      ...(props.stageName ? { stageName: props.stageName } : {}),
      ...(props.throttling ? { throttling: props.throttling } : {}),
    });
  }

  /** Where workloads `POST` (SigV4) for a token. */
  public get tokenUrl(): string {
    return this.api.tokenUrl;
  }

  /** The issuer's JWKS URL (a CloudFormation reference: the API id is assigned at deployment). */
  public get jwksUrl(): string {
    return this.api.jwksUrl;
  }

  /**
   * This issuer as an authorizer trusts it: ES256 only, lifetime and clock tolerance matching
   * the tokens, and a JWKS cache shorter than the propagation delay (so a verifier always holds
   * a next key before it signs).
   */
  public trustedIssuer(options: IssuerTrustOptions): TrustedIssuer {
    const cacheSeconds = options.jwksCache?.toSeconds() ?? 600;
    const delay = this.config.rotation.propagationDelaySeconds;
    if (cacheSeconds >= delay) {
      throw new Error(
        `${this.node.path}: jwksCache must be shorter than the propagation delay (${delay} s), got ${cacheSeconds} s`,
      );
    }
    return {
      issuer: this.issuer,
      audience: [...options.audience],
      algorithms: ['ES256'],
      jwksUri: this.jwksUrl,
      jwksCache: { maxAgeSeconds: cacheSeconds },
      clockToleranceSeconds: this.config.tokens.clockToleranceSeconds,
      maxLifetimeSeconds: this.config.tokens.maxTtlSeconds,
    };
  }

  /**
   * Makes `authorizer` trust this issuer, and opens the path to the JWKS: through the
   * `execute-api` endpoint for a PRIVATE API, through NAT otherwise. Throws when the
   * authorizer's subnets have no route to a REGIONAL API.
   */
  public trustedBy(authorizer: ZeroTrustAuthorizer, options: IssuerTrustOptions): void {
    if (this.privateApi) {
      this.network.allowHttpsToEndpoints(authorizer.securityGroup);
    } else if (this.network.workloadSubnets.subnetType === ec2.SubnetType.PRIVATE_WITH_EGRESS) {
      authorizer.securityGroup.addEgressRule(
        ec2.Peer.anyIpv4(),
        ec2.Port.tcp(443),
        'HTTPS to the token API JWKS (REGIONAL, through NAT)',
      );
    } else {
      throw new Error(
        `${this.node.path}: the authorizer cannot reach a REGIONAL token API from isolated subnets; ` +
          'use a PRIVATE API or NAT',
      );
    }
    authorizer.trustIssuer(this.trustedIssuer(options));
  }

  /**
   * The signer's KMS permissions, in a policy of their own: sign (ES256 only), resolve the alias
   * and read public keys, on this rotation's keys only. Every key's policy also denies `kms:Sign`
   * to any other principal.
   */
  private signingPolicy(): iam.Policy {
    const ownKeys = { [`aws:ResourceTag/${SIGNING_KEY_ROTATION_TAG}`]: this.rotationId };
    const keys = `arn:${Aws.PARTITION}:kms:${Aws.REGION}:${Aws.ACCOUNT_ID}:key/*`;
    const policy = new iam.Policy(this, 'SigningPolicy', {
      roles: [this.signerRole],
      statements: [
        new iam.PolicyStatement({
          sid: 'ResolveAliasAndReadPublicKeys',
          actions: [...SIGNER_KEY_ACTIONS],
          resources: [keys],
          conditions: { StringEquals: ownKeys },
        }),
        new iam.PolicyStatement({
          sid: 'SignEs256WithThisRotationsKeys',
          actions: [SIGN_ACTION],
          resources: [keys],
          conditions: { StringEquals: { ...ownKeys, 'kms:SigningAlgorithm': SIGNING_ALGORITHM } },
        }),
      ],
    });
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:kms:<AWS::Region>:<AWS::AccountId>:key/*]',
      reason:
        'The signing keys are created at run time by the rotator and replaced every rotation, so no key ARN exists ' +
        "at synth time. Both statements require aws:ResourceTag/zta:rotation-id to equal this rotation's id; the " +
        "keys' own policy denies kms:Sign to every other principal.",
    });
    return policy;
  }

  /**
   * `ZTA_TOKEN_CONFIG` (a CloudFormation `Fn::Join`: the role ARNs are references). Refused when
   * it could outgrow Lambda's 4 KB environment limit, which would only fail at deployment.
   */
  private configVariable(config: Record<string, unknown>): string {
    const json = Stack.of(this).toJsonString(config);
    const worstCase = JSON.stringify(config, (_key, value: unknown) =>
      typeof value === 'string' && Token.isUnresolved(value) ? 'x'.repeat(ROLE_ARN_BYTES) : value,
    );
    if (worstCase.length > MAX_CONFIG_BYTES) {
      throw new Error(
        `${this.node.path}: the token service config may reach ${worstCase.length} bytes, over the ` +
          `${MAX_CONFIG_BYTES} that fit in a Lambda environment; list fewer workloads or audiences`,
      );
    }
    return json;
  }
}

/** The stack outputs operators use (`cdk deploy` prints them). */
export function workloadTokenOutputs(stack: Stack, tokens: WorkloadTokens): void {
  new CfnOutput(stack, 'TokenEndpointUrl', {
    value: tokens.tokenUrl,
    description: 'POST a SigV4-signed { "audience": ... } here for a workload token',
  });
  new CfnOutput(stack, 'JwksUrl', { value: tokens.jwksUrl, description: `The JWKS of ${tokens.issuer}` });
  new CfnOutput(stack, 'TokenIssuer', { value: tokens.issuer, description: 'The iss of workload tokens' });
  new CfnOutput(stack, 'KeyRotatorFunctionName', {
    value: tokens.rotation.onDemandFunction.functionName,
    description:
      'On-demand and emergency rotation: aws lambda invoke --function-name <this> --cli-binary-format ' +
      'raw-in-base64-out --payload \'{"action":"status"|"rotate"|"emergency"}\' out.json',
  });
  new CfnOutput(stack, 'KeyRotationBootstrapCommand', {
    value: `aws lambda invoke --region ${Aws.REGION} --function-name ${tokens.rotation.scheduledFunction.functionName} out.json`,
    description:
      'Run once after the first deployment: creates and activates the first signing key and the alias (the ' +
      'schedule would on its first run). POST /token and the JWKS answer 503 until then.',
  });
}

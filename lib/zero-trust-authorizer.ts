import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { AssetHashType, DockerImage, Duration, Lazy, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { type HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { bundleAuthorizer, type RuntimeConfigJson } from '../functions/authorizer/bundle.ts';
import { parseAuthorizerConfig } from '../functions/core/config/authorizer-config.ts';
import { ConfigError } from '../functions/core/config/reader.ts';
import { withPathPrefix } from './config.ts';
import { DecisionMetrics, type DecisionStatus } from './decision-metrics.ts';
import { HardenedFunction } from './hardened-function.ts';
import { PlatformKey } from './platform-key.ts';
import {
  AcknowledgingHttpLambdaAuthorizer,
  acknowledgeInvokePermission,
} from './private/invoke-permission.ts';
import type { RevocationTable } from './revocation-table.ts';

/**
 * One identity provider the authorizer trusts, in the runtime config's own shape
 * (`issuer`, `audience` and/or `clientIds`, `algorithms`, and `jwksFile`, `jwksUri` or
 * `discovery`, plus the runtime's optional settings such as `typ`, `requiredClaims`,
 * `clockToleranceSeconds`, `maxLifetimeSeconds`, `claims`, `jwksCache`). Validated at synth time
 * by the parser the Lambda runs at cold start.
 */
export type TrustedIssuer = {
  readonly issuer: string;
  /** The token's `aud` must hold one; required unless `clientIds` is given. */
  readonly audience?: string | readonly string[];
  /** When the token has no `aud`, its `client_id` must be one of these (Cognito access tokens). */
  readonly clientIds?: readonly string[];
  readonly algorithms: readonly string[];
  /** Fetch the keys through OpenID discovery of `issuer`; needs a route to the internet (NAT). */
  readonly discovery?: boolean;
  /** Public JWKS shipped in the deployment package; relative to `configBaseDir`. */
  readonly jwksFile?: string;
  /** JWKS fetched at run time; needs a route to the internet (NAT). */
  readonly jwksUri?: string;
  readonly [option: string]: unknown;
};

/** Where the authorizer reads revocations, and how long it may reuse an answer. */
export interface AuthorizerRevocations {
  /** The DynamoDB revocation table; read-only access is granted, its name set as `ZTA_REVOCATIONS_TABLE`. */
  readonly table: RevocationTable;
  /**
   * How long a lookup answer is reused in memory: a revocation takes effect within this long.
   * @default 5 (the runtime's default)
   */
  readonly cacheSeconds?: number;
  /**
   * @default 10000 (the runtime's default)
   */
  readonly maxCacheEntries?: number;
}

export interface ZeroTrustAuthorizerProps {
  /** The identity providers whose tokens are accepted. */
  readonly issuers: readonly TrustedIssuer[];
  /** The VPC the authorizer function runs in. */
  readonly vpc: ec2.IVpc;
  /**
   * Folder with the Cedar schema and policies (`*.cedarschema`, `*.cedar`), relative to
   * `configBaseDir` or absolute. Validated at synth time: an invalid policy fails the synth.
   * There are no built-in policies: a missing folder fails the synth (`npx zta init` writes one).
   * @default 'policies'
   */
  readonly policiesDir?: string;
  /**
   * Folder that relative paths (`jwksFile`, `policiesDir`) resolve against. Never this
   * package's own folder: the policies and keys are the app's.
   * @default - the current working directory: the CDK app's folder when `cdk synth` runs it
   */
  readonly configBaseDir?: string;
  /**
   * Largest accepted token, in bytes.
   * @default - the runtime's default (8192)
   */
  readonly maxTokenBytes?: number;
  /**
   * How long API Gateway caches a decision. The cache key is the Authorization header, the
   * HTTP method, the request path and the caller's address, so a cached answer never covers
   * another route or address; it does delay the effect of a revocation (unless the stage's
   * cache is flushed) and of rules on `context.now` by up to this long. `Duration.seconds(0)`
   * disables it.
   * @default Duration.seconds(60)
   */
  readonly resultsCacheTtl?: Duration;
  /**
   * @default - the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /**
   * Encrypts the function's log group.
   * @default - a new customer-managed key with rotation enabled
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Applied to the log group (and the key, when this construct creates it).
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * More memory also means more CPU: Cedar's wasm compiles at cold start.
   * @default 1024
   */
  readonly memorySize?: number;
  /**
   * API Gateway stops waiting for an authorizer after about 10 seconds.
   * @default Duration.seconds(5)
   */
  readonly timeout?: Duration;
  /**
   * Reserved concurrency: caps the authorizer (a flood cannot starve other functions) and
   * guarantees it that much capacity (other functions cannot starve it).
   * @default - unreserved
   */
  readonly reservedConcurrentExecutions?: number;
  /**
   * The revocation store, read on every decision; the authorizer denies when it cannot read it.
   * @default - no revocation store (`revocations: null` in the runtime config)
   */
  readonly revocations?: AuthorizerRevocations;
  /**
   * CloudWatch namespace of the EMF metrics the handler emits (`Decisions`, `DecisionLatency`
   * by `Outcome` and by `Reason`); keep it apart from the metric filters' namespace.
   * @default 'ZeroTrustAuthorizer'
   */
  readonly metricsNamespace?: string;
}

/**
 * Where `functions/authorizer` lives, found from this file (lib/ beside functions/, in the
 * sources and in the package's dist/ alike); the asset's source (its hash is taken from the bundle).
 */
const AUTHORIZER_SOURCE_DIR = resolve(import.meta.dirname, '../functions/authorizer');
/** `policiesDir` when none is given, relative to `configBaseDir`. */
const DEFAULT_POLICIES_DIR = 'policies';
const SERVICE_NAME = 'zta-authorizer';

/**
 * The zero-trust Lambda authorizer, ready to attach to a REST API (`restApiAuthorizer()`, a
 * REQUEST authorizer) or an HTTP API (`httpApiAuthorizer()`, payload 2.0 simple responses).
 *
 * The function is bundled locally with esbuild (never Docker) together with Cedar's wasm, the
 * policies, the JWKS files and a `zta.config.json`; it runs in the VPC with a security group
 * that only reaches what it needs. Decisions are turned into CloudWatch metrics from the
 * decision log (`zta.decision/v1`), so dashboards need nothing from the handler but its logs.
 */
export class ZeroTrustAuthorizer extends Construct implements ec2.IConnectable {
  /**
   * Identity sources of the REST REQUEST authorizer: the token, the route it is used on, and the
   * caller's address — policies may read `context.sourceIp`, so an ALLOW cached for one address
   * must never answer the same token sent from another.
   */
  public static readonly REST_IDENTITY_SOURCES: readonly string[] = Object.freeze([
    apigateway.IdentitySource.header('Authorization'),
    apigateway.IdentitySource.context('httpMethod'),
    apigateway.IdentitySource.context('path'),
    apigateway.IdentitySource.context('identity.sourceIp'),
  ]);
  /** Identity sources of the HTTP API authorizer (same meaning, HTTP API syntax). */
  public static readonly HTTP_IDENTITY_SOURCES: readonly string[] = Object.freeze([
    '$request.header.Authorization',
    '$context.httpMethod',
    '$context.path',
    '$context.identity.sourceIp',
  ]);

  public readonly function: lambda.Function;
  public readonly role: iam.IRole;
  public readonly logGroup: logs.LogGroup;
  public readonly securityGroup: ec2.SecurityGroup;
  public readonly resultsCacheTtl: Duration;
  /** Metrics derived from the decision log: decisions by status, denials by reason, latency. */
  public readonly decisions: DecisionMetrics;
  /** Namespace of the handler's EMF metrics (dimension sets `service`+`Outcome`, `service`+`Reason`). */
  public readonly metricsNamespace: string;
  /** The `service` dimension of the EMF metrics (Powertools' service name). */
  public readonly serviceName: string = SERVICE_NAME;

  private readonly restAuthorizers = new Map<string, apigateway.RequestAuthorizer>();
  private readonly packagedConfig: RuntimeConfigJson;
  private readonly configBaseDir: string;
  /** Issuers added by `trustIssuer`, with the stand-in used to validate each. */
  private readonly deployedIssuers: Array<{
    readonly issuer: TrustedIssuer;
    readonly standIn: TrustedIssuer;
  }> = [];

  constructor(scope: Construct, id: string, props: ZeroTrustAuthorizerProps) {
    super(scope, id);
    const configBaseDir = resolve(props.configBaseDir ?? process.cwd());
    const runtimeConfig: RuntimeConfigJson = {
      issuers: props.issuers.map((issuer) => ({ ...issuer })),
      policies: props.policiesDir ?? DEFAULT_POLICIES_DIR,
      // Without a table: no revocation store, an explicit, visible choice.
      revocations: props.revocations
        ? { dynamodb: revocationsJson(props.revocations, this.node.path) }
        : null,
      ...(props.maxTokenBytes === undefined ? {} : { maxTokenBytes: props.maxTokenBytes }),
    };
    // Validate even when bundling is skipped (unit tests, `cdk ls`), naming the bad key.
    validateRuntimeConfig(runtimeConfig, configBaseDir, this.node.path);
    this.packagedConfig = runtimeConfig;
    this.configBaseDir = configBaseDir;

    this.resultsCacheTtl = props.resultsCacheTtl ?? Duration.seconds(60);
    this.metricsNamespace = props.metricsNamespace ?? 'ZeroTrustAuthorizer';
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const encryptionKey = props.encryptionKey ?? new PlatformKey(this, 'Key', { removalPolicy }).key;

    const hardened = new HardenedFunction(this, 'Handler', {
      description: 'Zero-trust authorizer: JWT verification and Cedar policy decisions',
      code: lambda.Code.fromAsset(AUTHORIZER_SOURCE_DIR, {
        // The bundle, not the source folder, decides the hash: policies and JWKS live elsewhere.
        assetHashType: AssetHashType.OUTPUT,
        bundling: {
          // Never pulled: local bundling either succeeds or throws, so Docker is never tried.
          image: DockerImage.fromRegistry('local-bundling-only'),
          local: {
            tryBundle(outputDir: string): boolean {
              bundleAuthorizer({ outDir: outputDir, config: runtimeConfig, configBaseDir });
              return true;
            },
          },
        },
      }),
      handler: 'index.handler',
      // API Gateway invokes authorizers synchronously: a failure is the caller's 401/500.
      invocation: { kind: 'synchronous' },
      vpc: props.vpc,
      encryptionKey,
      memorySize: props.memorySize ?? 1024,
      timeout: props.timeout ?? Duration.seconds(5),
      logRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy,
      environment: {
        POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: this.metricsNamespace,
        // The reference (not the literal) orders the table before the function.
        ...(props.revocations ? { ZTA_REVOCATIONS_TABLE: props.revocations.table.table.tableName } : {}),
      },
      ...(props.vpcSubnets === undefined ? {} : { vpcSubnets: props.vpcSubnets }),
      ...(props.reservedConcurrentExecutions === undefined
        ? {}
        : { reservedConcurrentExecutions: props.reservedConcurrentExecutions }),
    });
    this.function = hardened.function;
    this.role = hardened.role;
    this.logGroup = hardened.logGroup;
    this.securityGroup = hardened.securityGroup;
    props.revocations?.table.grantLookup(this.role);

    if (props.issuers.some((issuer) => typeof issuer.jwksUri === 'string' || issuer.discovery === true)) {
      // Identity providers publish keys on the internet; only HTTPS, and only when asked for.
      this.securityGroup.addEgressRule(
        ec2.Peer.anyIpv4(),
        ec2.Port.tcp(443),
        'HTTPS to identity providers (JWKS, OpenID discovery)',
      );
    }

    this.decisions = new DecisionMetrics(this, 'DecisionMetrics', {
      logGroup: this.logGroup,
      namespace: `ZeroTrustAuthorizer/${Names.uniqueId(this)}`,
    });
  }

  public get connections(): ec2.Connections {
    return this.function.connections;
  }

  /**
   * A REQUEST authorizer for one RestApi (an API Gateway authorizer belongs to a single API):
   * call once per RestApi with a distinct `id`; the same `id` returns the same authorizer.
   */
  public restApiAuthorizer(id = 'RestApiAuthorizer'): apigateway.RequestAuthorizer {
    let authorizer = this.restAuthorizers.get(id);
    if (!authorizer) {
      authorizer = new apigateway.RequestAuthorizer(this, id, {
        handler: this.function,
        identitySources: [...ZeroTrustAuthorizer.REST_IDENTITY_SOURCES],
        resultsCacheTtl: this.resultsCacheTtl,
      });
      this.restAuthorizers.set(id, authorizer);
      const permission = this.function.node.tryFindChild(`${Names.uniqueId(authorizer)}:Permissions`);
      if (permission) acknowledgeInvokePermission(permission);
    }
    return authorizer;
  }

  /**
   * An authorizer for an HttpApi route (payload format 2.0, simple `{ isAuthorized }`
   * responses). Use one per HttpApi; `id` names the authorizer inside that API.
   */
  public httpApiAuthorizer(id = 'ZeroTrustAuthorizer'): HttpLambdaAuthorizer {
    return new AcknowledgingHttpLambdaAuthorizer(id, this.function, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: [...ZeroTrustAuthorizer.HTTP_IDENTITY_SOURCES],
      resultsCacheTtl: this.resultsCacheTtl,
    });
  }

  /**
   * Trusts an issuer known only at deployment: its `jwksUri` may hold CloudFormation references
   * (the suite's own token API), so it cannot be packaged, and the function reads it from
   * `ZTA_DEPLOYED_ISSUERS` at cold start. Validated now, with the references standing in, by the
   * parser the function runs. The caller opens the network path to the JWKS (e.g.
   * `WorkloadTokens.trustedBy`).
   */
  public trustIssuer(issuer: TrustedIssuer): void {
    if (typeof issuer.jwksUri !== 'string' || issuer.jwksFile !== undefined) {
      throw new Error(`${this.node.path}: an issuer trusted at deployment needs a jwksUri and no jwksFile`);
    }
    const standIn = Token.isUnresolved(issuer.jwksUri)
      ? { ...issuer, jwksUri: 'https://deploy-time.invalid/.well-known/jwks.json' }
      : { ...issuer };
    const issuers = [...this.packagedConfig.issuers, ...this.deployedIssuers.map((d) => d.standIn), standIn];
    validateRuntimeConfig({ ...this.packagedConfig, issuers }, this.configBaseDir, this.node.path);
    if (this.deployedIssuers.length === 0) {
      this.function.addEnvironment(
        'ZTA_DEPLOYED_ISSUERS',
        Lazy.string({
          produce: () => Stack.of(this).toJsonString(this.deployedIssuers.map((d) => d.issuer)),
        }),
      );
    }
    this.deployedIssuers.push({ issuer: { ...issuer }, standIn });
  }

  /** Lets `grantee` invoke the authorizer function (e.g. an API Gateway credentials role). */
  public grantInvoke(grantee: iam.IGrantable): iam.Grant {
    return this.function.grantInvoke(grantee);
  }

  /** Decisions with the given status: 200 allowed, 401 unauthenticated, 403 forbidden. */
  public metricDecisions(status: DecisionStatus, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.decisions.metricDecisions(status, props);
  }

  /**
   * Decisions with the given outcome, from the handler's EMF metrics (namespace
   * `metricsNamespace`, dimensions `service` and `Outcome`).
   */
  public metricDecisionsByOutcome(
    outcome: 'ALLOW' | 'DENY',
    props?: cloudwatch.MetricOptions,
  ): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: this.metricsNamespace,
      metricName: 'Decisions',
      dimensionsMap: { service: this.serviceName, Outcome: outcome },
      statistic: cloudwatch.Stats.SUM,
      ...props,
    });
  }

  /**
   * Lambda `Errors`. Note that these include every 401: API Gateway only answers 401 when the
   * authorizer *throws* `Unauthorized`, which Lambda counts as an error. See `metricFailures`.
   */
  public metricErrors(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.function.metricErrors(props);
  }

  /**
   * Real failures: Lambda errors minus the deliberate 401 throws (decisions with status 401).
   * A crash, timeout or out-of-memory writes no decision record, so it stays counted.
   */
  public metricFailures(props?: {
    readonly period?: Duration;
    readonly label?: string;
  }): cloudwatch.MathExpression {
    const period = props?.period ?? Duration.minutes(5);
    return new cloudwatch.MathExpression({
      expression:
        'IF(FILL(errors, 0) - FILL(unauthenticated, 0) > 0, FILL(errors, 0) - FILL(unauthenticated, 0), 0)',
      usingMetrics: {
        errors: this.metricErrors({ period, statistic: cloudwatch.Stats.SUM }),
        unauthenticated: this.metricDecisions(401, { period }),
      },
      label: props?.label ?? 'failures',
      period,
    });
  }

  public metricDuration(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.function.metricDuration(props);
  }

  public metricThrottles(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.function.metricThrottles(props);
  }
}

/** The runtime config's `revocations.dynamodb`, which the bundle carries (so the name must be a literal). */
function revocationsJson(revocations: AuthorizerRevocations, constructPath: string): Record<string, unknown> {
  const { tableName } = revocations.table;
  if (Token.isUnresolved(tableName)) {
    throw new Error(`${constructPath}: revocations.table needs a literal table name (the bundle names it)`);
  }
  return {
    tableName,
    ...(revocations.cacheSeconds === undefined ? {} : { cacheSeconds: revocations.cacheSeconds }),
    ...(revocations.maxCacheEntries === undefined ? {} : { maxCacheEntries: revocations.maxCacheEntries }),
  };
}

/** Refuses, at synth time, what the Lambda would refuse at cold start (or could not load). */
function validateRuntimeConfig(config: RuntimeConfigJson, baseDir: string, constructPath: string): void {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  try {
    const policies = abs(config.policies ?? DEFAULT_POLICIES_DIR);
    if (!existsSync(policies)) {
      // Never a fallback to the suite's demo policies: an app deploys only what it wrote.
      throw new ConfigError(
        'policiesDir',
        `no such folder: ${JSON.stringify(policies)} (relative paths resolve against ${JSON.stringify(baseDir)}): ` +
          'run `npx zta init` in the app to scaffold one, or pass the folder of your Cedar schema and policies',
      );
    }
    parseAuthorizerConfig(config, { baseDir, defaultPoliciesDir: policies });
    config.issuers.forEach((issuer, i) => {
      if (typeof issuer.jwksFile === 'string' && !existsSync(abs(issuer.jwksFile))) {
        throw new ConfigError(
          `issuers[${i}].jwksFile`,
          `no such file: ${JSON.stringify(abs(issuer.jwksFile))}`,
        );
      }
    });
  } catch (error) {
    if (error instanceof ConfigError) throw withPathPrefix(error, `${constructPath}: `);
    throw error;
  }
}

import { Aws, type RemovalPolicy, Token, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, type IConstruct } from 'constructs';
import { acknowledgeNoWebAcl } from './demo-protected-api.ts';
import { hardenedRestApi } from './private/hardened-rest-api.ts';

/** The routes, as docs/key-rotation.md documents them. */
export const TOKEN_PATH = '/token';
export const JWKS_PATH = '/.well-known/jwks.json';

export interface TokenApiProps {
  /** Answers `POST /token` (`functions/token-service/token-handler.ts`). */
  readonly tokenHandler: lambda.IFunction;
  /** Answers `GET /.well-known/jwks.json` (`functions/token-service/jwks-handler.ts`). */
  readonly jwksHandler: lambda.IFunction;
  /**
   * The only principals `POST /token` answers: the workloads' IAM roles (the API's resource
   * policy denies every other principal, before the function runs). Empty: nobody.
   */
  readonly workloadRoleArns: readonly string[];
  /** Encrypts the access log group. */
  readonly encryptionKey: kms.IKey;
  /**
   * `PRIVATE` APIs are reachable only through `vpcEndpoint`. A `REGIONAL` stage faces the
   * internet: put a web ACL in front of it (`ApiWebAcl.associate`), or the guardrails' cdk-nag
   * APIG3 finding fails the synth until someone acknowledges why not.
   * @default apigateway.EndpointType.REGIONAL
   */
  readonly endpointType?: apigateway.EndpointType.REGIONAL | apigateway.EndpointType.PRIVATE;
  /**
   * The `execute-api` interface endpoint; required for a PRIVATE API.
   * @default - none
   */
  readonly vpcEndpoint?: ec2.IVpcEndpoint;
  /**
   * @default - the construct's id
   */
  readonly restApiName?: string;
  /**
   * A literal: the JWKS URL is built from it without depending on the stage resource.
   * @default 'v1'
   */
  readonly stageName?: string;
  /**
   * Requests per second and burst for the stage: `POST /token` costs a KMS `Sign`, whose quota
   * the account shares.
   * @default { rateLimit: 10, burstLimit: 20 }
   */
  readonly throttling?: { readonly rateLimit: number; readonly burstLimit: number };
  /**
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Applied to the access log group.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * The token service's REST API: `POST /token` with `AWS_IAM` authorization (SigV4: callers come
 * here because they have no token yet, so never the JWT authorizer) and the public, cacheable
 * `GET /.well-known/jwks.json`. JSON access logs into an encrypted log group, X-Ray, throttling.
 *
 * A separate API from the protected ones on purpose: the JWKS URL is a long-lived contract that
 * verifiers pin (the demo API is meant to be replaced), `POST /token` gets its own throttling
 * and resource policy, and nothing here sits behind the zero-trust authorizer by default.
 */
export class TokenApi extends Construct {
  public readonly api: apigateway.RestApi;
  public readonly accessLogGroup: logs.LogGroup;
  public readonly stageName: string;
  public readonly tokenMethod: apigateway.Method;
  public readonly jwksMethod: apigateway.Method;

  constructor(scope: Construct, id: string, props: TokenApiProps) {
    super(scope, id);
    const endpointType = props.endpointType ?? apigateway.EndpointType.REGIONAL;
    const privateApi = endpointType === apigateway.EndpointType.PRIVATE;
    this.stageName = props.stageName ?? 'v1';
    if (Token.isUnresolved(this.stageName)) throw new Error(`${this.node.path}: stageName must be a literal`);
    ({ api: this.api, accessLogGroup: this.accessLogGroup } = hardenedRestApi(this, {
      description: 'Workload token service: POST /token (AWS_IAM) and the issuer JWKS',
      ...(props.restApiName === undefined ? {} : { restApiName: props.restApiName }),
      encryptionKey: props.encryptionKey,
      endpointType,
      ...(props.vpcEndpoint ? { vpcEndpoint: props.vpcEndpoint } : {}),
      policy: resourcePolicy(props.workloadRoleArns, privateApi ? props.vpcEndpoint : undefined),
      stageName: this.stageName,
      throttling: props.throttling ?? { rateLimit: 10, burstLimit: 20 },
      logRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      ...(props.removalPolicy ? { removalPolicy: props.removalPolicy } : {}),
      accessLogFields: ACCESS_LOG_FIELDS,
    }));

    // The handlers answer `{ error, message }` with no-store; keep the gateway's own refusals alike.
    this.api.addGatewayResponse('BadRequestBody', {
      type: apigateway.ResponseType.BAD_REQUEST_BODY,
      statusCode: '400',
      responseHeaders: { 'Cache-Control': "'no-store'" },
      templates: {
        // messageString is the message in quotes (a JSON string); validationErrorString is bare and
        // may itself hold quotes, which would break the JSON.
        'application/json': '{"error":"invalid_request","message":$context.error.messageString}',
      },
    });
    const validator = this.api.addRequestValidator('RequestValidator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const tokenRequest = this.api.addModel('TokenRequest', {
      contentType: 'application/json',
      description: 'POST /token body: { "audience": string, "ttlSeconds"?: integer }',
      schema: {
        schema: apigateway.JsonSchemaVersion.DRAFT4,
        type: apigateway.JsonSchemaType.OBJECT,
        required: ['audience'],
        additionalProperties: false,
        properties: {
          audience: { type: apigateway.JsonSchemaType.STRING, minLength: 1 },
          ttlSeconds: { type: apigateway.JsonSchemaType.INTEGER },
        },
      },
    });

    this.tokenMethod = this.api.root
      .addResource(TOKEN_PATH.slice(1))
      .addMethod('POST', new apigateway.LambdaIntegration(props.tokenHandler, { allowTestInvoke: false }), {
        authorizationType: apigateway.AuthorizationType.IAM,
        requestValidator: validator,
        requestModels: { 'application/json': tokenRequest },
      });
    const [wellKnown = '', jwksName = ''] = JWKS_PATH.slice(1).split('/');
    this.jwksMethod = this.api.root
      .addResource(wellKnown)
      .addResource(jwksName)
      .addMethod('GET', new apigateway.LambdaIntegration(props.jwksHandler, { allowTestInvoke: false }), {
        authorizationType: apigateway.AuthorizationType.NONE,
        requestValidator: validator,
      });

    acknowledgeMethods(this.tokenMethod, this.jwksMethod);
    Validations.of(this.api.deploymentStage).acknowledge(
      {
        id: 'AwsSolutions::AwsSolutions-APIG6',
        reason:
          'Execution logging stays off: API Gateway writes it to a log group it creates outside this stack (no KMS ' +
          'key, no retention). Every request is in the KMS-encrypted JSON access log with the caller ARN, and every ' +
          'token issued or refused in the token log.',
      },
      {
        id: 'cdk-validator-cfnguard::api_gw_v1_execution_logging_enabled_check',
        reason:
          'Control Tower CT.APIGATEWAY.PR.1 is cdk-nag APIG6 again: see that reason (access logs instead).',
      },
    );
    // As for the demo API: a REGIONAL stage gets a web ACL from its owner (or fails APIG3).
    if (privateApi) acknowledgeNoWebAcl(this.api.deploymentStage);
  }

  /** `https://<api>.execute-api.<region>.<suffix>/<stage><path>`, without a reference to the stage. */
  public urlForPath(path: string): string {
    return `https://${this.api.restApiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}/${this.stageName}${path}`;
  }

  /** Where workloads `POST` for a token. */
  public get tokenUrl(): string {
    return this.urlForPath(TOKEN_PATH);
  }

  /** The issuer's JWKS: the `jwksUri` verifiers fetch. */
  public get jwksUrl(): string {
    return this.urlForPath(JWKS_PATH);
  }
}

/** Access log record: one JSON object per request, with the SigV4 caller. */
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  requestTime: '$context.requestTime',
  sourceIp: '$context.identity.sourceIp',
  sourceVpce: '$context.identity.vpceId',
  userAgent: '$context.identity.userAgent',
  caller: '$context.identity.userArn',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  error: '$context.error.message',
  xrayTraceId: '$context.xrayTraceId',
};

/**
 * Who may call what. The JWKS is for anyone who can reach the API; `POST /token` is denied to
 * every principal but the workload roles, whatever their IAM policies allow (a principal of
 * this account with `execute-api:*` still gets no token), and a PRIVATE API answers only
 * through its VPC endpoint.
 */
function resourcePolicy(
  workloadRoleArns: readonly string[],
  endpoint?: ec2.IVpcEndpoint,
): iam.PolicyDocument {
  const invoke = { principals: [new iam.AnyPrincipal()], actions: ['execute-api:Invoke'] };
  const sourceVpce = endpoint ? { 'aws:SourceVpce': endpoint.vpcEndpointId } : undefined;
  const statements = [
    new iam.PolicyStatement({
      ...invoke,
      resources: ['execute-api:/*'],
      ...(sourceVpce ? { conditions: { StringEquals: sourceVpce } } : {}),
    }),
    new iam.PolicyStatement({
      ...invoke,
      effect: iam.Effect.DENY,
      resources: [`execute-api:/*/*${TOKEN_PATH}`],
      // No workload: no token for anyone (an unconditional deny), never "anyone".
      ...(workloadRoleArns.length > 0
        ? { conditions: { ArnNotEquals: { 'aws:PrincipalArn': [...workloadRoleArns] } } }
        : {}),
    }),
  ];
  if (sourceVpce) {
    statements.push(
      new iam.PolicyStatement({
        ...invoke,
        effect: iam.Effect.DENY,
        resources: ['execute-api:/*'],
        conditions: { StringNotEquals: sourceVpce },
      }),
    );
  }
  return new iam.PolicyDocument({ statements });
}

function acknowledgeMethods(tokenMethod: apigateway.Method, jwksMethod: apigateway.Method): void {
  Validations.of(tokenMethod).acknowledge({
    id: 'AwsSolutions::AwsSolutions-COG4',
    reason:
      'Workloads authenticate with SigV4 (AWS_IAM) and their IAM role is their identity; the resource policy only ' +
      'lets the configured workload roles in. Callers come here because they have no token yet.',
  });
  Validations.of(jwksMethod).acknowledge(
    {
      id: 'AwsSolutions::AwsSolutions-APIG4',
      reason:
        'The JWKS holds public keys only and every verifier must be able to fetch it without credentials ' +
        '(RFC 8414/OIDC discovery practice). It is read-only, cacheable and throttled with the stage.',
    },
    {
      id: 'AwsSolutions::AwsSolutions-COG4',
      reason: 'Public keys for every verifier: no authorization of any kind, by design (see APIG4).',
    },
  );
  for (const method of [tokenMethod, jwksMethod]) {
    // LambdaIntegration adds its invoke permission under the method.
    for (const child of method.node.children as IConstruct[]) {
      if (!(child instanceof lambda.CfnPermission)) continue;
      Validations.of(child).acknowledge({
        id: 'cdk-validator-cfnguard::lambda_function_public_access_prohibited_check',
        reason:
          'Not public: only apigateway.amazonaws.com may invoke, and SourceArn pins it to this API, stage, method ' +
          'and path. The Control Tower rule cannot read the Fn::Join that builds that ARN.',
      });
    }
  }
}

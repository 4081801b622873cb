import { type RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { hardenedRestApi } from './private/hardened-rest-api.ts';
import type { ZeroTrustAuthorizer } from './zero-trust-authorizer.ts';

export interface DemoProtectedApiProps {
  /** Decides every request. */
  readonly authorizer: ZeroTrustAuthorizer;
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
   * @default 'v1'
   */
  readonly stageName?: string;
  /**
   * Steady-state requests per second and burst for the whole stage.
   * @default { rateLimit: 50, burstLimit: 100 }
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

/** The demo routes; their Cedar policies live in `policies/`. */
export const DEMO_ROUTES = ['/api/sensitive', '/api/profile'] as const;

/**
 * A demo REST API behind the zero-trust authorizer: `GET /api/sensitive` and `GET /api/profile`
 * answered by mock integrations, JSON access logs (with the authorizer's decision id and
 * reason) into an encrypted log group, X-Ray tracing, stage throttling, request validation.
 */
export class DemoProtectedApi extends Construct {
  public readonly api: apigateway.RestApi;
  public readonly accessLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: DemoProtectedApiProps) {
    super(scope, id);
    const endpointType = props.endpointType ?? apigateway.EndpointType.REGIONAL;
    ({ api: this.api, accessLogGroup: this.accessLogGroup } = hardenedRestApi(this, {
      description: 'Demo API protected by the zero-trust authorizer',
      encryptionKey: props.encryptionKey,
      endpointType,
      ...(props.vpcEndpoint ? { vpcEndpoint: props.vpcEndpoint } : {}),
      ...(props.vpcEndpoint && endpointType === apigateway.EndpointType.PRIVATE
        ? { policy: onlyThroughEndpoint(props.vpcEndpoint) }
        : {}),
      stageName: props.stageName ?? 'v1',
      throttling: props.throttling ?? { rateLimit: 50, burstLimit: 100 },
      logRetention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      ...(props.removalPolicy ? { removalPolicy: props.removalPolicy } : {}),
      accessLogFields: ACCESS_LOG_FIELDS,
      defaultMethodOptions: { authorizer: props.authorizer.restApiAuthorizer() },
    }));

    // RFC 6750: a 401 tells the client which scheme to use, and nothing about why.
    this.api.addGatewayResponse('Unauthorized', {
      type: apigateway.ResponseType.UNAUTHORIZED,
      statusCode: '401',
      responseHeaders: { 'WWW-Authenticate': "'Bearer'" },
      templates: { 'application/json': '{"message":"Unauthorized"}' },
    });
    this.api.addGatewayResponse('AccessDenied', {
      type: apigateway.ResponseType.ACCESS_DENIED,
      statusCode: '403',
      templates: { 'application/json': '{"message":"Forbidden"}' },
    });

    const validator = this.api.addRequestValidator('RequestValidator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const apiResource = this.api.root.addResource('api');
    for (const route of DEMO_ROUTES) {
      const name = route.split('/').pop() ?? route;
      const method = apiResource.addResource(name).addMethod('GET', mockIntegration(route), {
        requestValidator: validator,
        requestParameters: { 'method.request.header.Authorization': true },
        methodResponses: [{ statusCode: '200' }],
      });
      Validations.of(method).acknowledge({
        id: 'AwsSolutions::AwsSolutions-COG4',
        reason:
          'The method is protected by the zero-trust Lambda authorizer (JWT from any configured OIDC issuer, ' +
          'Cedar policy per route), which replaces a Cognito user pool authorizer by design.',
      });
    }

    const stage = this.api.deploymentStage;
    Validations.of(stage).acknowledge(
      {
        id: 'AwsSolutions::AwsSolutions-APIG6',
        reason:
          'Execution logging stays off on purpose: API Gateway writes it to a log group it creates outside this ' +
          'stack (no KMS key, no retention), with request details the decision log already keeps. Every request is ' +
          "recorded in the KMS-encrypted JSON access log, with the authorizer's decision id and reason, and every " +
          "decision in the authorizer's decision log.",
      },
      {
        id: 'cdk-validator-cfnguard::api_gw_v1_execution_logging_enabled_check',
        reason:
          'Control Tower CT.APIGATEWAY.PR.1 is cdk-nag APIG6 again: see that reason (access logs instead).',
      },
    );
    // A REGIONAL stage faces the internet: its owner associates a web ACL (ApiWebAcl), or the
    // synth fails (cdk-nag APIG3) until someone acknowledges why not.
    if (endpointType === apigateway.EndpointType.PRIVATE) acknowledgeNoWebAcl(stage);
  }
}

/** Access log record: one JSON object per request, including the authorizer's verdict. */
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  requestTime: '$context.requestTime',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  path: '$context.path',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  authorizerStatus: '$context.authorizer.status',
  authorizerLatency: '$context.authorizer.latency',
  authorizerError: '$context.authorizer.error',
  principalId: '$context.authorizer.principalId',
  decisionId: '$context.authorizer.decisionId',
  decisionReason: '$context.authorizer.reason',
  xrayTraceId: '$context.xrayTraceId',
};

function mockIntegration(route: string): apigateway.MockIntegration {
  return new apigateway.MockIntegration({
    passthroughBehavior: apigateway.PassthroughBehavior.NEVER,
    requestTemplates: { 'application/json': '{"statusCode": 200}' },
    integrationResponses: [
      {
        statusCode: '200',
        responseTemplates: {
          // The principal comes from the authorizer; escaped so a crafted `sub` cannot break the JSON.
          'application/json': `{"route":"${route}","principal":"$util.escapeJavaScript($context.authorizer.principalId)","decisionId":"$context.authorizer.decisionId"}`,
        },
      },
    ],
  });
}

/** A PRIVATE stage is not on the internet: what WAF would filter cannot reach it. */
export function acknowledgeNoWebAcl(stage: apigateway.Stage): void {
  Validations.of(stage).acknowledge({
    id: 'AwsSolutions::AwsSolutions-APIG3',
    reason:
      'A PRIVATE API: its resource policy denies every request that does not come through the VPC endpoint, so ' +
      'only workloads inside the VPC reach it, each request passes the zero-trust authorizer or SigV4, and the ' +
      'stage is throttled. Web ACLs are attached to the REGIONAL stages (api.webAcl).',
  });
}

/** A PRIVATE API's resource policy: invocations through this VPC endpoint, and no other way. */
function onlyThroughEndpoint(endpoint: ec2.IVpcEndpoint): iam.PolicyDocument {
  const invoke = {
    principals: [new iam.AnyPrincipal()],
    actions: ['execute-api:Invoke'],
    resources: ['execute-api:/*'],
  };
  return new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({
        ...invoke,
        effect: iam.Effect.DENY,
        conditions: { StringNotEquals: { 'aws:SourceVpce': endpoint.vpcEndpointId } },
      }),
      new iam.PolicyStatement({
        ...invoke,
        conditions: { StringEquals: { 'aws:SourceVpce': endpoint.vpcEndpointId } },
      }),
    ],
  });
}

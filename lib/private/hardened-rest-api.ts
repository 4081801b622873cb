import { RemovalPolicy } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

/** What every REST API of the suite shares, and what each one says for itself. */
export interface HardenedRestApiProps {
  readonly description: string;
  readonly restApiName?: string;
  /** Encrypts the access log group. */
  readonly encryptionKey: kms.IKey;
  readonly endpointType: apigateway.EndpointType.REGIONAL | apigateway.EndpointType.PRIVATE;
  /** Required for a PRIVATE API: the `execute-api` interface endpoint. */
  readonly vpcEndpoint?: ec2.IVpcEndpoint;
  /** The API's resource policy. */
  readonly policy?: iam.PolicyDocument;
  readonly stageName: string;
  readonly throttling: { readonly rateLimit: number; readonly burstLimit: number };
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy?: RemovalPolicy;
  /** One JSON object per request: what the access log records. */
  readonly accessLogFields: Readonly<Record<string, string>>;
  readonly defaultMethodOptions?: apigateway.MethodOptions;
}

/**
 * The suite's hardened REST API: X-Ray tracing, stage metrics, throttling, JSON access logs to a
 * KMS-encrypted log group, and for a PRIVATE endpoint the VPC endpoint it must be reached
 * through. One base for the demo API and the token API, so a hardening lands in both.
 *
 * It adds its children (`AccessLogs`, `Api`) to `scope` itself rather than a construct of its
 * own: construct IDs are contract, and an extra level would rename both resources.
 */
export function hardenedRestApi(
  scope: Construct,
  props: HardenedRestApiProps,
): { api: apigateway.RestApi; accessLogGroup: logs.LogGroup } {
  const privateApi = props.endpointType === apigateway.EndpointType.PRIVATE;
  if (privateApi && !props.vpcEndpoint) {
    throw new Error(
      `${scope.node.path}: a PRIVATE API needs vpcEndpoint (the execute-api interface endpoint)`,
    );
  }
  const accessLogGroup = new logs.LogGroup(scope, 'AccessLogs', {
    encryptionKey: props.encryptionKey,
    retention: props.logRetention,
    removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
  });
  const api = new apigateway.RestApi(scope, 'Api', {
    description: props.description,
    ...(props.restApiName === undefined ? {} : { restApiName: props.restApiName }),
    // The account-wide CloudWatch role is a singleton (ApiGatewayAccount); access logs need none.
    cloudWatchRole: false,
    endpointConfiguration:
      privateApi && props.vpcEndpoint
        ? { types: [props.endpointType], vpcEndpoints: [props.vpcEndpoint] }
        : { types: [props.endpointType] },
    ...(props.policy ? { policy: props.policy } : {}),
    deployOptions: {
      stageName: props.stageName,
      tracingEnabled: true,
      metricsEnabled: true,
      throttlingRateLimit: props.throttling.rateLimit,
      throttlingBurstLimit: props.throttling.burstLimit,
      accessLogDestination: new apigateway.LogGroupLogDestination(accessLogGroup),
      accessLogFormat: apigateway.AccessLogFormat.custom(JSON.stringify(props.accessLogFields)),
    },
    ...(props.defaultMethodOptions ? { defaultMethodOptions: props.defaultMethodOptions } : {}),
  });
  return { api, accessLogGroup };
}

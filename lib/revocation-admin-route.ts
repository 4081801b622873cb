import { Duration, RemovalPolicy, Token, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { AutoRevocation } from './auto-revocation.ts';
import { PipelineFunction } from './pipeline-function.ts';
import type { RevocationTable } from './revocation-table.ts';
import type { ZeroTrustNetwork } from './zero-trust-network.ts';

/** The admin route's path and methods (`functions/revocation-admin/request.ts`). */
export const REVOCATION_ADMIN_PATH = '/revocations';
export const REVOCATION_ADMIN_METHODS = ['POST', 'DELETE', 'GET'] as const;

export interface RevocationAdminRouteProps {
  /** The API the route is added to; its other routes keep their own authorization. */
  readonly api: apigateway.RestApi;
  /** The API's stage (a literal), for the admin role's `execute-api:Invoke` resources. */
  readonly stageName: string;
  readonly revocations: RevocationTable;
  /** Shares the revoker's environment and powers (cache flush, `Credential Revoked`, SNS). */
  readonly autoRevocation: AutoRevocation;
  readonly network: ZeroTrustNetwork;
  /** Encrypts the function's log group. */
  readonly encryptionKey: kms.IKey;
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
 * Manual revocation, un-revocation and audit history: `POST`, `DELETE`, `GET /revocations`
 * with `AWS_IAM` authorization (SigV4; the caller's ARN becomes the audit trail's actor),
 * answered by the revocation-admin function. The API's resource policy denies the route to
 * every principal but `adminRole`, which this account's IAM administrators decide who may
 * assume: a principal with `execute-api:*` on `*` still cannot revoke or un-revoke.
 */
export class RevocationAdminRoute extends Construct {
  public readonly handler: PipelineFunction;
  /** The only principal the route answers. Assumable from this account (its IAM decides who). */
  public readonly adminRole: iam.Role;
  public readonly resource: apigateway.Resource;

  constructor(scope: Construct, id: string, props: RevocationAdminRouteProps) {
    super(scope, id);
    if (Token.isUnresolved(props.stageName)) {
      throw new Error(`${this.node.path}: stageName must be a literal, got a token`);
    }
    this.handler = new PipelineFunction(this, 'Function', {
      handler: 'revocation-admin',
      description: 'Revocation admin route: manual revoke, un-revoke and audit history (AWS_IAM)',
      network: props.network,
      encryptionKey: props.encryptionKey,
      invocation: 'synchronous',
      timeout: Duration.seconds(30),
      reachesDynamoDb: true,
      environment: props.autoRevocation.environment,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      ...(props.logRetention === undefined ? {} : { logRetention: props.logRetention }),
    });
    props.revocations.grantAdminister(this.handler);
    props.autoRevocation.grantRevocationEffects(this.handler);

    this.adminRole = new iam.Role(this, 'AdminRole', {
      assumedBy: new iam.AccountRootPrincipal(),
      description: `May call ${REVOCATION_ADMIN_PATH} on the protected API (manual revocation, audit)`,
      maxSessionDuration: Duration.hours(1),
    });
    this.adminRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['execute-api:Invoke'],
        resources: REVOCATION_ADMIN_METHODS.map((m) =>
          props.api.arnForExecuteApi(m, REVOCATION_ADMIN_PATH, props.stageName),
        ),
      }),
    );

    // Not behind the zero-trust authorizer: the API's default (CUSTOM) is overridden here only.
    this.resource = props.api.root.addResource(REVOCATION_ADMIN_PATH.slice(1), {
      defaultMethodOptions: { authorizer: undefined, authorizationType: apigateway.AuthorizationType.IAM },
    });
    const integration = new apigateway.LambdaIntegration(this.handler.function, { allowTestInvoke: false });
    for (const httpMethod of REVOCATION_ADMIN_METHODS) {
      const method = this.resource.addMethod(httpMethod, integration, {
        authorizationType: apigateway.AuthorizationType.IAM,
      });
      Validations.of(method).acknowledge({
        id: 'AwsSolutions::AwsSolutions-COG4',
        reason:
          'An operator route, authorized with AWS_IAM (SigV4) and restricted by the API resource policy to the ' +
          'revocation admin role; the caller ARN is the audit trail actor. A Cognito user pool has no place here.',
      });
      // LambdaIntegration adds its invoke permission under the method.
      for (const child of method.node.children) {
        if (!(child instanceof lambda.CfnPermission)) continue;
        Validations.of(child).acknowledge({
          id: 'cdk-validator-cfnguard::lambda_function_public_access_prohibited_check',
          reason:
            'Not public: only apigateway.amazonaws.com may invoke, and SourceArn pins it to this API, stage, ' +
            `method and ${REVOCATION_ADMIN_PATH}. The Control Tower rule cannot read the Fn::Join that builds that ARN.`,
        });
      }
    }

    // Only the admin role, whatever else IAM allows: deny every other principal on this path.
    props.api.addToResourcePolicy(
      new iam.PolicyStatement({
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['execute-api:Invoke'],
        resources: [`execute-api:/*/*${REVOCATION_ADMIN_PATH}`],
        conditions: { StringNotEquals: { 'aws:PrincipalArn': this.adminRole.roleArn } },
      }),
    );
  }
}

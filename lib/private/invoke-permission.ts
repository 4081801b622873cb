import { Validations } from 'aws-cdk-lib';
import type { HttpRouteAuthorizerBindOptions, HttpRouteAuthorizerConfig } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges Control Tower's CT.LAMBDA.PR.2 on an API Gateway invoke permission. The rule
 * accepts a service principal's `SourceArn` only as a literal or a plain reference, and CDK
 * builds the authorizer ARN with Fn::Join, which the rule cannot read.
 */
export function acknowledgeInvokePermission(permission: IConstruct): void {
  Validations.of(permission).acknowledge({
    id: 'cdk-validator-cfnguard::lambda_function_public_access_prohibited_check',
    reason:
      "Not public: only apigateway.amazonaws.com may invoke, and SourceArn pins it to this API's authorizer " +
      '(arn:…:execute-api:region:account:api-id/authorizers/id). The Control Tower rule cannot read the ' +
      'Fn::Join that builds that ARN.',
  });
}

/** An HttpLambdaAuthorizer that acknowledges the invoke permission it creates when first bound. */
export class AcknowledgingHttpLambdaAuthorizer extends HttpLambdaAuthorizer {
  private readonly handlerArn: string;

  constructor(
    id: string,
    handler: lambda.IFunction,
    props: ConstructorParameters<typeof HttpLambdaAuthorizer>[2],
  ) {
    super(id, handler, props);
    this.handlerArn = handler.functionArn;
  }

  public override bind(options: HttpRouteAuthorizerBindOptions): HttpRouteAuthorizerConfig {
    const config = super.bind(options);
    // HttpLambdaAuthorizer adds its permission to the HttpApi's scope, not to the function.
    for (const child of options.scope.node.children) {
      if (child instanceof lambda.CfnPermission && child.functionName === this.handlerArn) {
        acknowledgeInvokePermission(child);
      }
    }
    return config;
  }
}

import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type { Construct } from 'constructs';
import { ZeroTrustAuthorizer } from 'zero-trust-authorizer';

/**
 * A team's existing REST API, now behind the zero-trust authorizer. Everything between the
 * "README" markers is the README's "Protect an existing API" code, verbatim (a test checks it).
 */
export class OrdersApiStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    // What the team already has: a VPC with private subnets, an API and an integration.
    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    });
    const api = new apigateway.RestApi(this, 'OrdersApi', { cloudWatchRole: false });
    const integration = new apigateway.MockIntegration({
      requestTemplates: { 'application/json': '{ "statusCode": 200 }' },
      integrationResponses: [{ statusCode: '200', responseTemplates: { 'application/json': '[]' } }],
    });

    // README: begin
    const zta = new ZeroTrustAuthorizer(this, 'Authorizer', {
      vpc,                                        // your VPC (private subnets are used)
      issuers: [{ issuer: 'https://login.example.com', audience: ['orders-api'],
                  algorithms: ['RS256'], jwksFile: 'jwks/login.json' }],
      policiesDir: 'policies',                    // Cedar schema + policies, validated at synth
      resultsCacheTtl: Duration.seconds(60),
    });
    api.root.addResource('orders').addMethod('GET', integration, { authorizer: zta.restApiAuthorizer() });
    // README: end
  }
}

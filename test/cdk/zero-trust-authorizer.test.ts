import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpUrlIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { afterAll, describe, expect, it } from 'vitest';
import { CONFIG_DIR } from '../../lib/config.ts';
import {
  type TrustedIssuer,
  ZeroTrustAuthorizer,
  type ZeroTrustAuthorizerProps,
} from '../../lib/zero-trust-authorizer.ts';
import { fastApp, removeOutdirs } from './helpers.ts';

afterAll(removeOutdirs);

const ISSUER: TrustedIssuer = {
  issuer: 'https://idp.example.test',
  audience: ['zt-api'],
  algorithms: ['ES256'],
  jwksFile: './jwks/example-idp.json',
};

function setup(props: Partial<ZeroTrustAuthorizerProps> = {}) {
  const stack = new Stack(fastApp(), 'Test');
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    natGateways: 0,
    subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  const authorizer = new ZeroTrustAuthorizer(stack, 'Zta', {
    issuers: [ISSUER],
    configBaseDir: CONFIG_DIR,
    policiesDir: '../policies',
    vpc,
    ...props,
  });
  return { stack, vpc, authorizer };
}

describe('ZeroTrustAuthorizer on an existing RestApi', () => {
  const { stack, authorizer } = setup();
  // The README's "protect an existing API" example, verbatim in spirit.
  const api = new apigateway.RestApi(stack, 'ExistingApi', { cloudWatchRole: false });
  api.root.addResource('orders').addMethod('GET', new apigateway.MockIntegration(), {
    authorizer: authorizer.restApiAuthorizer(),
  });
  const template = Template.fromStack(stack);

  it('is a REQUEST authorizer keyed on token, method, path and caller address, caching 60 s by default', () => {
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'REQUEST',
      IdentitySource:
        'method.request.header.Authorization,context.httpMethod,context.path,context.identity.sourceIp',
      AuthorizerResultTtlInSeconds: 60,
      RestApiId: { Ref: Match.stringLikeRegexp('^ExistingApi') },
    });
    template.hasResourceProperties('AWS::ApiGateway::Method', { AuthorizationType: 'CUSTOM' });
  });

  it('lets only this API authorizer invoke the function', () => {
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'apigateway.amazonaws.com',
      SourceArn: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith(['/authorizers/'])] }),
    });
  });

  it('returns the same authorizer for the same id', () => {
    expect(authorizer.restApiAuthorizer()).toBe(authorizer.restApiAuthorizer());
  });

  it('creates a rotating key for its logs when none is given', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ZtaKey'), 'Arn'] },
      RetentionInDays: 30,
    });
  });

  it('starts with no egress but the placeholder (the stack opens what it needs)', () => {
    template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: 'Test/Zta/Handler: no ingress, egress only as granted',
      SecurityGroupEgress: [Match.objectLike({ CidrIp: '255.255.255.255/32' })],
    });
  });

  it('records the reasoned acknowledgement on the invoke permission it created', () => {
    const permission = authorizer.function.node.children.find((c) => c instanceof lambda.CfnPermission);
    const acknowledged = permission?.node.metadata.filter(
      (m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY,
    );
    expect(JSON.stringify(acknowledged)).toContain('lambda_function_public_access_prohibited_check');
  });
});

describe('ZeroTrustAuthorizer on an HttpApi', () => {
  const { stack, authorizer } = setup({ resultsCacheTtl: Duration.seconds(0) });
  const api = new apigwv2.HttpApi(stack, 'HttpApi');
  api.addRoutes({
    path: '/orders',
    methods: [apigwv2.HttpMethod.GET],
    integration: new HttpUrlIntegration('Backend', 'https://backend.example.test/orders'),
    authorizer: authorizer.httpApiAuthorizer(),
  });
  const template = Template.fromStack(stack);

  it('uses payload format 2.0 with simple responses, keyed on token, method, path and caller address', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      IdentitySource: [
        '$request.header.Authorization',
        '$context.httpMethod',
        '$context.path',
        '$context.identity.sourceIp',
      ],
      AuthorizerResultTtlInSeconds: 0,
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'GET /orders',
      AuthorizationType: 'CUSTOM',
    });
  });

  it('acknowledges the invoke permission it creates for the HttpApi', () => {
    const permission = api.node.children.find((c) => c instanceof lambda.CfnPermission);
    expect(permission).toBeDefined();
    const metadata = JSON.stringify(permission?.node.metadata);
    expect(metadata).toContain('lambda_function_public_access_prohibited_check');
  });
});

describe('ZeroTrustAuthorizer props', () => {
  it.each([
    { name: 'jwksUri', fetched: { jwksUri: 'https://idp.example.test/jwks.json' } },
    { name: 'OpenID discovery', fetched: { discovery: true } },
  ])('opens HTTPS to the internet only for issuers whose keys are fetched ($name)', ({ fetched }) => {
    const { jwksFile: _, ...withoutFile } = ISSUER;
    const { stack } = setup({ issuers: [{ ...withoutFile, ...fetched }] });
    Template.fromStack(stack).hasResourceProperties('AWS::EC2::SecurityGroup', {
      GroupDescription: Match.stringLikeRegexp('Zta/Handler'),
      SecurityGroupEgress: [
        {
          CidrIp: '0.0.0.0/0',
          IpProtocol: 'tcp',
          FromPort: 443,
          ToPort: 443,
          Description: 'HTTPS to identity providers (JWKS, OpenID discovery)',
        },
      ],
    });
  });

  it('applies memory, timeout, reserved concurrency and log retention', () => {
    const { stack } = setup({
      memorySize: 2048,
      timeout: Duration.seconds(3),
      reservedConcurrentExecutions: 50,
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 2048,
      Timeout: 3,
      ReservedConcurrentExecutions: 50,
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
    });
  });

  it('grantInvoke gives lambda:InvokeFunction on the function only', () => {
    const { stack, authorizer } = setup();
    const role = new iam.Role(stack, 'Caller', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
    });
    authorizer.grantInvoke(role);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Caller') }],
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: 'lambda:InvokeFunction',
            Resource: Match.arrayWith([
              { 'Fn::GetAtt': [Match.stringLikeRegexp('^ZtaHandlerFunction'), 'Arn'] },
            ]),
          }),
        ],
      },
    });
  });

  it.each<[string, Partial<ZeroTrustAuthorizerProps>, RegExp]>([
    [
      'an HMAC algorithm',
      { issuers: [{ ...ISSUER, algorithms: ['HS256'] }] },
      /^Test\/Zta: issuers\[0\]\.algorithms\[0\]: "HS256" is not allowed/,
    ],
    ['no issuer', { issuers: [] }, /^Test\/Zta: issuers: must list at least one issuer/],
    [
      'an http:// JWKS URI',
      { issuers: [{ ...ISSUER, jwksFile: undefined, jwksUri: 'http://idp.example.test/jwks' }] },
      /issuers\[0\]\.jwksUri: must be https:\/\//,
    ],
    [
      'a missing JWKS file',
      { issuers: [{ ...ISSUER, jwksFile: './jwks/nope.json' }] },
      /^Test\/Zta: issuers\[0\]\.jwksFile: no such file/,
    ],
    [
      'a missing policies folder',
      { policiesDir: './no-policies' },
      /^Test\/Zta: policiesDir: no such folder/,
    ],
  ])('refuses %s at synth time, naming the key', (_name, props, message) => {
    expect(() => setup(props)).toThrow(message);
  });
});

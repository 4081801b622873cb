import { Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { HardenedFunction, type InvocationMode } from '../../lib/hardened-function.ts';
import { fastApp, removeOutdirs } from './helpers.ts';

afterAll(removeOutdirs);

function build(invocation: (stack: Stack) => InvocationMode) {
  const stack = new Stack(fastApp(), 'Test');
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    natGateways: 0,
    subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
  });
  const fn = new HardenedFunction(stack, 'Fn', {
    code: lambda.Code.fromInline('exports.handler = async () => {};'),
    handler: 'index.handler',
    invocation: invocation(stack),
    vpc,
    encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }),
  });
  return { fn, template: Template.fromStack(stack) };
}

describe('HardenedFunction', () => {
  it.each<[string, (stack: Stack) => InvocationMode, boolean]>([
    ['synchronous', () => ({ kind: 'synchronous' }), false],
    [
      'asynchronous',
      (stack) => ({
        kind: 'asynchronous',
        onFailure: new destinations.SqsDestination(new sqs.Queue(stack, 'Failed')),
      }),
      true,
    ],
  ])('%s: keeps failed events only where there can be any', (_name, invocation, hasDestination) => {
    const { template } = build(invocation);
    template.resourceCountIs('AWS::Lambda::EventInvokeConfig', hasDestination ? 1 : 0);
    if (hasDestination) {
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
        MaximumRetryAttempts: 2,
        DestinationConfig: {
          OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Failed'), 'Arn'] } },
        },
      });
    }
  });

  it('applies the platform defaults', () => {
    const { template } = build(() => ({ kind: 'synchronous' }));
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: HardenedFunction.RUNTIME.name,
      Architectures: ['arm64'],
      TracingConfig: { Mode: 'Active' },
      MemorySize: 512,
      Timeout: 10,
      RecursiveLoop: 'Terminate',
      LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'INFO', SystemLogLevel: 'WARN' },
      VpcConfig: Match.objectLike({ SecurityGroupIds: Match.anyValue() }),
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      RetentionInDays: 30,
      KmsKeyId: Match.anyValue(),
    });
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
    expect(HardenedFunction.RUNTIME.name).toBe('nodejs24.x');
  });

  it('writes logs only to its own log group', () => {
    const { template } = build(() => ({ kind: 'synchronous' }));
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FnLogGroup'), 'Arn'] },
          }),
        ]),
      },
    });
  });

  it('acknowledges its two expected findings with reasons', () => {
    const { fn } = build(() => ({ kind: 'synchronous' }));
    const acknowledged = [fn.function, fn.role.node.findChild('DefaultPolicy')].flatMap((c) =>
      c.node.metadata
        .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .map((m) => m.data),
    );
    expect(acknowledged).toEqual([
      { 'Serverless::Serverless-LambdaDLQ': expect.stringContaining('synchronously') },
      { 'AwsSolutions::AwsSolutions-IAM5[Resource::*]': expect.stringContaining('resource-level') },
    ]);
  });
});

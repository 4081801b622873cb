import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { type App, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { INFRA_RULES_DIR } from '../../lib/guardrails.ts';
import { FailClosedPlugin } from '../../lib/private/fail-closed-plugin.ts';
import { fastApp, removeOutdirs } from './helpers.ts';

afterAll(removeOutdirs);

/** Synthesizes `build`'s stack with only this repository's Guard rules; returns the violated rule names. */
function violatedRules(build: (stack: Stack) => void): string[] {
  const app = fastApp();
  Validations.of(app).addPlugins(
    new FailClosedPlugin(
      new CfnGuardValidator({ controlTowerRulesEnabled: false, rules: [INFRA_RULES_DIR] }),
    ),
  );
  build(new Stack(app, 'Subject'));
  let failed = false;
  try {
    app.synth();
  } catch (error) {
    expect(String(error)).toMatch(/ValidationFailed/);
    failed = true;
  }
  const rules = readReport(app);
  // A synth fails exactly when a rule is violated.
  expect(failed).toBe(rules.length > 0);
  return rules;
}

function readReport(app: App): string[] {
  const report = JSON.parse(readFileSync(join(app.outdir, 'validation-report.json'), 'utf8')) as {
    pluginReports: Array<{ violations: Array<{ ruleName: string }> }>;
  };
  return [...new Set(report.pluginReports.flatMap((p) => p.violations.map((v) => v.ruleName)))].sort();
}

const importedVpc = (stack: Stack) =>
  ec2.Vpc.fromVpcAttributes(stack, 'Vpc', { vpcId: 'vpc-12345678', availabilityZones: ['eu-west-1a'] });
const securityGroup = (stack: Stack, id: string, props: Partial<ec2.CfnSecurityGroupProps> = {}) =>
  new ec2.CfnSecurityGroup(stack, id, { groupDescription: `${id} group`, vpcId: 'vpc-12345678', ...props });
const noEgress = [{ cidrIp: '255.255.255.255/32', ipProtocol: 'icmp', fromPort: 252, toPort: 86 }];
// With cdk.json's `@aws-cdk/aws-lambda:useCdkManagedLogGroup`, a function without a log group
// gets one CDK makes (no key, no retention): give each its compliant one, as HardenedFunction does.
const fn = (stack: Stack, id: string, props: Partial<lambda.FunctionProps> = {}) =>
  new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => {};'),
    logGroup: new logs.LogGroup(stack, `${id}Logs`, {
      retention: logs.RetentionDays.ONE_MONTH,
      encryptionKey: new kms.Key(stack, `${id}LogsKey`, { enableKeyRotation: true }),
    }),
    ...props,
  });
const hourly = (stack: Stack, id: string, target: lambda.IFunction) =>
  new events.Rule(stack, id, {
    schedule: events.Schedule.rate(Duration.hours(1)),
    targets: [new targets.LambdaFunction(target)],
  });

// Each rule fails on a deliberately bad stack, and only that rule fails.
describe('each Guard rule fails on a deliberately bad stack', () => {
  it.each<[string, (stack: Stack) => void]>([
    [
      'security_group_ingress_https_only_inline',
      (stack) => {
        const group = new ec2.SecurityGroup(stack, 'Ssh', {
          vpc: importedVpc(stack),
          allowAllOutbound: false,
        });
        group.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(22), 'SSH from anywhere');
      },
    ],
    [
      'security_group_ingress_https_only_standalone',
      (stack) => {
        const group = securityGroup(stack, 'Web', { securityGroupEgress: noEgress });
        new ec2.CfnSecurityGroupIngress(stack, 'Http', {
          groupId: group.attrGroupId,
          cidrIpv6: '::/0',
          ipProtocol: 'tcp',
          fromPort: 80,
          toPort: 80,
        });
      },
    ],
    ['security_group_no_default_egress', (stack) => securityGroup(stack, 'Bare')],
    [
      'security_group_no_default_egress_mixed',
      (stack) => {
        const narrowed = securityGroup(stack, 'Narrowed');
        new ec2.CfnSecurityGroupEgress(stack, 'ToPeer', {
          groupId: narrowed.attrGroupId,
          ipProtocol: 'tcp',
          fromPort: 443,
          toPort: 443,
          destinationSecurityGroupId: 'sg-12345678',
        });
        securityGroup(stack, 'Bare');
      },
    ],
    // CDK's own default: allowAllOutbound is true unless you say otherwise.
    [
      'security_group_no_open_egress_inline',
      (stack) => new ec2.SecurityGroup(stack, 'Open', { vpc: importedVpc(stack) }),
    ],
    [
      'security_group_no_open_egress_standalone',
      (stack) => {
        const group = securityGroup(stack, 'Leaky', { securityGroupEgress: noEgress });
        new ec2.CfnSecurityGroupEgress(stack, 'All', {
          groupId: group.attrGroupId,
          ipProtocol: '-1',
          cidrIp: '0.0.0.0/0',
        });
      },
    ],
    ['kms_symmetric_key_rotation', (stack) => new kms.Key(stack, 'Key')],
    [
      'log_group_retention_and_encryption',
      (stack) => new logs.LogGroup(stack, 'Logs', { retention: logs.RetentionDays.INFINITE }),
    ],
    ['lambda_async_failure_handling', (stack) => hourly(stack, 'Hourly', fn(stack, 'Job'))],
    [
      'lambda_async_failure_handling_mixed',
      (stack) => {
        const covered = fn(stack, 'Covered', {
          onFailure: new destinations.SqsDestination(new sqs.Queue(stack, 'Failed')),
        });
        hourly(stack, 'CoveredSchedule', covered);
        hourly(stack, 'UncoveredSchedule', fn(stack, 'Uncovered'));
      },
    ],
    [
      'lambda_async_permission_names_function',
      (stack) =>
        new lambda.CfnPermission(stack, 'ByName', {
          action: 'lambda:InvokeFunction',
          functionName: 'some-function',
          principal: 'sns.amazonaws.com',
          sourceArn: 'arn:aws:sns:eu-west-1:123456789012:topic',
        }),
    ],
  ])('%s', (rule, build) => {
    expect(violatedRules(build)).toEqual([rule]);
  });

  it('covers every rule in policies/infra', () => {
    const declared = readdirSync(INFRA_RULES_DIR)
      .flatMap((file) => [...readFileSync(join(INFRA_RULES_DIR, file), 'utf8').matchAll(/^rule (\w+)/gm)])
      .map((match) => match[1])
      .sort();
    expect(declared).toEqual([
      'kms_symmetric_key_rotation',
      'lambda_async_failure_handling',
      'lambda_async_failure_handling_mixed',
      'lambda_async_permission_names_function',
      'log_group_retention_and_encryption',
      'security_group_ingress_https_only_inline',
      'security_group_ingress_https_only_standalone',
      'security_group_no_default_egress',
      'security_group_no_default_egress_mixed',
      'security_group_no_open_egress_inline',
      'security_group_no_open_egress_standalone',
    ]);
  });
});

describe('the Guard rules pass what they should', () => {
  it.each<[string, (stack: Stack) => void]>([
    [
      'HTTPS from anywhere, egress to one peer',
      (stack) => {
        const group = new ec2.SecurityGroup(stack, 'Https', {
          vpc: importedVpc(stack),
          allowAllOutbound: false,
        });
        group.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443));
        group.addEgressRule(ec2.Peer.ipv4('10.0.0.0/16'), ec2.Port.tcp(443));
      },
    ],
    [
      'a group whose only egress rule is standalone',
      (stack) => {
        const group = securityGroup(stack, 'Narrowed');
        new ec2.CfnSecurityGroupEgress(stack, 'ToPeer', {
          groupId: group.attrGroupId,
          ipProtocol: 'tcp',
          fromPort: 443,
          toPort: 443,
          destinationSecurityGroupId: 'sg-12345678',
        });
      },
    ],
    [
      'a rotating key, and an asymmetric one',
      (stack) => {
        new kms.Key(stack, 'Symmetric', { enableKeyRotation: true });
        new kms.Key(stack, 'Signing', {
          keySpec: kms.KeySpec.ECC_NIST_P256,
          keyUsage: kms.KeyUsage.SIGN_VERIFY,
        });
      },
    ],
    [
      'an encrypted log group with retention',
      (stack) =>
        new logs.LogGroup(stack, 'Logs', {
          retention: logs.RetentionDays.ONE_MONTH,
          encryptionKey: new kms.Key(stack, 'Key', { enableKeyRotation: true }),
        }),
    ],
    [
      'async functions with a dead-letter queue or an on-failure destination, and a synchronous one without',
      (stack) => {
        hourly(stack, 'WithDlq', fn(stack, 'Dlq', { deadLetterQueue: new sqs.Queue(stack, 'Dead') }));
        const destination = new destinations.SqsDestination(new sqs.Queue(stack, 'Failed'));
        hourly(stack, 'WithDestination', fn(stack, 'Destination', { onFailure: destination }));
        fn(stack, 'Synchronous').grantInvoke(new iam.ServicePrincipal('apigateway.amazonaws.com'));
      },
    ],
  ])('%s', (_name, build) => {
    expect(violatedRules(build)).toEqual([]);
  });
});

describe('acknowledging one finding', () => {
  it('does not let any other finding through (the fail-closed wrapper)', () => {
    const rules = violatedRules((stack) => {
      const key = new kms.Key(stack, 'Key');
      Validations.of(key).acknowledge({
        id: 'cdk-validator-cfnguard::kms_symmetric_key_rotation',
        reason: 'test',
      });
      new logs.LogGroup(stack, 'Logs', { retention: logs.RetentionDays.INFINITE });
    });
    expect(rules).toEqual(['log_group_retention_and_encryption']);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { describe, expect, it } from 'vitest';
import { type EnvironmentConfig, loadEnvironmentConfig, REPO_ROOT } from '../../lib/config.ts';
import { concurrencyQuotaNeeded, reservedConcurrencyTotal } from '../../lib/private/account-config-fields.ts';
import { API_GATEWAY_LOGGING_ACTIONS } from '../../lib/private/iam-actions.ts';
import { createZeroTrustApp } from '../../lib/zero-trust-app.ts';
import { ZeroTrustStack } from '../../lib/zero-trust-stack.ts';
import {
  CDK_JSON_CONTEXT,
  ENVIRONMENTS,
  everyEnvironmentStack,
  fastApp,
  resourcesOfType,
  tempOutdir,
} from './helpers.ts';
import { logicalId } from './pipeline-helpers.ts';

// What a first `cdk deploy` into a fresh account depends on (issue 12): the API Gateway
// account's logging role, data kept across deletions but not across a failed creation, deletion
// protections that would block that rollback, and reserved concurrency the account can grant.
const { stacks, template } = everyEnvironmentStack();

type Resource = { Type: string; Properties?: Record<string, unknown>; DependsOn?: string[] };
const resources = (env: (typeof ENVIRONMENTS)[number]) =>
  (template(env).toJSON() as { Resources: Record<string, Resource & Record<string, unknown>> }).Resources;

/** Where data lives: deleting one of these loses something already recorded. */
const DATA_TYPES = [
  'AWS::DynamoDB::Table',
  'AWS::KMS::Key',
  'AWS::Logs::LogGroup',
  'AWS::SQS::Queue',
  'AWS::Events::Archive',
];

describe.each(ENVIRONMENTS)("%s: API Gateway's account CloudWatch role", (env) => {
  const accountId = () => logicalId(template(env), 'AWS::ApiGateway::Account', 'ApiGatewayAccount');
  const roleId = () => logicalId(template(env), 'AWS::IAM::Role', 'ApiGatewayAccountRole');

  it('is created as the config says, and kept when the stack or the resource goes', () => {
    expect(stacks[env].config.apiGatewayAccountRole).toBe('create');
    template(env).resourceCountIs('AWS::ApiGateway::Account', 1);
    const kept = { DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain' };
    expect(resources(env)[accountId()]).toMatchObject({
      ...kept,
      Properties: { CloudWatchRoleArn: { 'Fn::GetAtt': [roleId(), 'Arn'] } },
    });
    expect(resources(env)[roleId()]).toMatchObject({
      ...kept,
      Properties: {
        AssumeRolePolicyDocument: {
          Statement: [
            { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'apigateway.amazonaws.com' } },
          ],
        },
      },
    });
  });

  it('holds exactly the actions API Gateway checks for, and the setting waits for them', () => {
    const policies = Object.entries(resourcesOfType(template(env), 'AWS::IAM::Policy')).filter(([, p]) =>
      JSON.stringify(p.Properties?.Roles).includes(`"${roleId()}"`),
    );
    expect(policies).toHaveLength(1);
    const [policyId, policy] = policies[0] as [string, Resource];
    expect(policy).toMatchObject({
      DeletionPolicy: 'RetainExceptOnCreate',
      Properties: {
        PolicyDocument: {
          Statement: [{ Effect: 'Allow', Action: [...API_GATEWAY_LOGGING_ACTIONS].sort(), Resource: '*' }],
        },
      },
    });
    expect(resources(env)[accountId()]?.DependsOn).toContain(policyId);
  });

  it('is set before any stage with access logging is created', () => {
    const stages = Object.entries(resourcesOfType(template(env), 'AWS::ApiGateway::Stage'));
    expect(stages).toHaveLength(2); // the demo API's and the token API's
    for (const [id, stage] of stages) {
      expect(stage.Properties?.AccessLogSetting, id).toBeDefined();
      expect(resources(env)[id]?.DependsOn, id).toContain(accountId());
    }
  });
});

describe('apiGatewayAccountRole "existing"', () => {
  it('creates neither the role nor the setting: the account already has them', () => {
    const config: EnvironmentConfig = { ...loadEnvironmentConfig('dev'), apiGatewayAccountRole: 'existing' };
    const stack = new ZeroTrustStack(fastApp(), 'ZeroTrust-dev', { config });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::ApiGateway::Account', 0);
    const apiGatewayRoles = Object.values(resourcesOfType(t, 'AWS::IAM::Role')).filter((r) =>
      JSON.stringify(r.Properties?.AssumeRolePolicyDocument).includes('apigateway.amazonaws.com'),
    );
    expect(apiGatewayRoles).toEqual([]);
  });
});

describe.each(ENVIRONMENTS)('%s: data on deletion, replacement and a failed first creation', (env) => {
  const retain = () => stacks[env].config.removalPolicy === 'retain';

  it.each(DATA_TYPES)(
    '%s: kept on deletion and replacement where retained, but not when creation rolls back',
    (type) => {
      const found = Object.entries(resourcesOfType(template(env), type));
      expect(found.length).toBeGreaterThan(0);
      for (const [id] of found) {
        expect(resources(env)[id], id).toMatchObject(
          retain()
            ? { DeletionPolicy: 'RetainExceptOnCreate', UpdateReplacePolicy: 'Retain' }
            : { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' },
        );
      }
    },
  );

  it('has no plain Retain: it would keep fixed names through a rolled-back creation and fail the retry', () => {
    const retained = Object.entries(resources(env)).filter(([, r]) => r.DeletionPolicy === 'Retain');
    expect(retained.map(([id]) => id)).toEqual([]);
  });

  it('protects the tables from deletion exactly where data is retained', () => {
    const tables = Object.values(resourcesOfType(template(env), 'AWS::DynamoDB::Table'));
    expect(tables).toHaveLength(4);
    for (const table of tables) expect(table.Properties?.DeletionProtectionEnabled).toBe(retain());
  });
});

// The CLI enables termination protection before it executes the first change set, and deletes
// a stack that failed creation before it retries: a protected stack cannot be deleted, nor can
// a table with deletion protection. So a first deploy of a retaining environment leaves both
// off, and the next ordinary deploy turns them on. Read from the construct tree: no synth.
describe('termination and deletion protection, and -c firstDeploy', () => {
  const build = (env: string, firstDeploy?: unknown) =>
    createZeroTrustApp({
      outdir: tempOutdir(),
      context: {
        ...CDK_JSON_CONTEXT,
        'aws:cdk:bundling-stacks': [],
        env,
        ...(firstDeploy === undefined ? {} : { firstDeploy }),
      },
    }).stack;
  const tables = (stack: ZeroTrustStack) =>
    stack.node.findAll().filter((c): c is dynamodb.CfnTable => c instanceof dynamodb.CfnTable);

  it.each([
    ['prod', undefined, true],
    ['prod', 'false', true],
    ['prod', 'true', false],
    ['prod', true, false],
    ['dev', undefined, false],
    ['dev', 'true', false],
  ] as const)('%s with firstDeploy=%s: protected %s', (env, firstDeploy, protectedStack) => {
    const stack = build(env, firstDeploy);
    expect(stack.terminationProtection).toBe(protectedStack);
    expect(tables(stack)).toHaveLength(4);
    for (const table of tables(stack)) expect(table.deletionProtectionEnabled).toBe(protectedStack);
    // The data stays retained either way: only the protections wait for the stack to exist.
    const kept = env === 'prod' ? 'RetainExceptOnCreate' : 'Delete';
    for (const table of tables(stack)) expect(table.cfnOptions.deletionPolicy).toBe(kept);
  });

  it.each(['yes', '1', ''])('refuses firstDeploy=%j, naming the context key', (firstDeploy) => {
    expect(() => build('prod', firstDeploy)).toThrow(/^firstDeploy: expected true or false/);
  });
});

describe.each(ENVIRONMENTS)('%s: reserved concurrency and the account quota it needs', (env) => {
  const functions = () => Object.entries(resourcesOfType(template(env), 'AWS::Lambda::Function'));
  const reservedOf = (prefix: string) =>
    functions()
      .filter(([id]) => id.startsWith(prefix))
      .map(([, f]) => f.Properties?.ReservedConcurrentExecutions);

  it('reserves what the config says per function, and nothing for any other function', () => {
    const { reservedConcurrency } = stacks[env].config;
    expect(reservedOf('AuthorizerHandler')).toEqual([reservedConcurrency.authorizer ?? undefined]);
    expect(reservedOf('WorkloadTokensKeyRotation')).toEqual([
      reservedConcurrency.keyRotator ?? undefined,
      reservedConcurrency.keyRotator ?? undefined,
    ]);
    const total = functions().reduce(
      (sum, [, f]) => sum + ((f.Properties?.ReservedConcurrentExecutions as number | undefined) ?? 0),
      0,
    );
    expect(total).toBe(reservedConcurrencyTotal(reservedConcurrency));
    if (env === 'dev') expect(total).toBe(0); // any account, even a new one with a quota of 10
  });

  it('matches the quota docs/deployment.md tells operators to check', () => {
    const docs = readFileSync(join(REPO_ROOT, 'docs', 'deployment.md'), 'utf8');
    const row = docs
      .split('\n')
      .find((line) => line.startsWith('| Lambda concurrency quota the account needs'));
    const cells = row
      ?.split('|')
      .slice(2, 5)
      .map((cell) => cell.trim());
    const needed = concurrencyQuotaNeeded(stacks[env].config.reservedConcurrency);
    expect(cells?.[ENVIRONMENTS.indexOf(env)]).toBe(needed === 0 ? 'any' : `≥ ${needed}`);
  });
});

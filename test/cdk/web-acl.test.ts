import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type App, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { ApiWebAcl, MANAGED_RULE_GROUPS } from '../../lib/api-web-acl.ts';
import { type EnvironmentConfig, loadEnvironmentConfig } from '../../lib/config.ts';
import { ZeroTrustStack } from '../../lib/zero-trust-stack.ts';
import { ENVIRONMENTS, everyEnvironmentStack, fastApp, resourcesOfType } from './helpers.ts';

// Internet-facing (REGIONAL) stages get AWS WAF: a per-IP rate rule and AWS managed rule
// groups, before API Gateway spends an authorizer call. PRIVATE stages answer only through the
// VPC endpoint. cdk-nag APIG3 keeps failing the synth for a REGIONAL stage with neither.
const { stacks, template } = everyEnvironmentStack();

const acknowledged = (construct: IConstruct): string[] =>
  construct.node.metadata
    .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((m) => Object.keys(m.data as Record<string, string>));

describe.each(ENVIRONMENTS)('%s: web ACL', (env) => {
  // The stacks are built in beforeAll: read them inside the tests.
  const config = () => stacks[env].config;
  const regionalOf = () => config().api.endpointType === 'REGIONAL';

  it('exists exactly where the API is REGIONAL, with the configured rate limit and the managed groups', () => {
    const regional = regionalOf();
    template(env).resourceCountIs('AWS::WAFv2::WebACL', regional ? 1 : 0);
    if (!regional) return;
    const visibility = Match.objectLike({ CloudWatchMetricsEnabled: true, SampledRequestsEnabled: true });
    template(env).hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      DefaultAction: { Allow: {} },
      VisibilityConfig: visibility,
      Rules: [
        {
          Name: 'RateLimitPerIp',
          Priority: 0,
          Action: { Block: {} },
          Statement: {
            RateBasedStatement: {
              Limit: config().api.webAcl?.requestsPerIpPer5Minutes,
              AggregateKeyType: 'IP',
            },
          },
          VisibilityConfig: visibility,
        },
        ...MANAGED_RULE_GROUPS.map((group, i) => ({
          Name: `AWS-${group}`,
          Priority: i + 1,
          OverrideAction: { None: {} },
          Statement: { ManagedRuleGroupStatement: { VendorName: 'AWS', Name: group } },
          VisibilityConfig: visibility,
        })),
      ],
    });
  });

  it('protects both stages (demo API and token API), each association waiting for its stage', () => {
    const regional = regionalOf();
    const associations = Object.values(resourcesOfType(template(env), 'AWS::WAFv2::WebACLAssociation'));
    const stages = Object.entries(resourcesOfType(template(env), 'AWS::ApiGateway::Stage'));
    expect(associations).toHaveLength(regional ? stages.length : 0);
    for (const [stageId, stage] of stages) {
      const association = associations.find((a) =>
        (a as { DependsOn?: string[] }).DependsOn?.includes(stageId),
      );
      if (!regional) continue;
      expect(association, stageId).toBeDefined();
      // arn:<partition>:apigateway:<region>::/restapis/<api>/stages/<stage> (a stage's Ref is its name)
      const arn = JSON.stringify(association?.Properties?.ResourceArn);
      expect(stage.Properties?.StageName).toBe(config().api.stageName);
      expect(arn).toContain(
        `"::/restapis/",${JSON.stringify(stage.Properties?.RestApiId)},"/stages/",{"Ref":"${stageId}"}`,
      );
      expect(association?.Properties?.WebACLArn).toEqual({
        'Fn::GetAtt': [expect.stringMatching(/^WebAcl/), 'Arn'],
      });
    }
  });

  it('acknowledges cdk-nag APIG3 only on PRIVATE stages, with the reason', () => {
    const regional = regionalOf();
    for (const stage of [
      stacks[env].stack.api.api.deploymentStage,
      stacks[env].stack.tokens.api.api.deploymentStage,
    ]) {
      expect(acknowledged(stage).includes('AwsSolutions::AwsSolutions-APIG3')).toBe(!regional);
    }
  });
});

describe('api.webAcl: null on a REGIONAL API', () => {
  it('deploys no web ACL, and says on both stages that the config chose so', () => {
    const dev = loadEnvironmentConfig('dev');
    const config: EnvironmentConfig = { ...dev, api: { ...dev.api, webAcl: null } };
    const stack = new ZeroTrustStack(fastApp(), 'ZeroTrust-dev', { config });
    Template.fromStack(stack).resourceCountIs('AWS::WAFv2::WebACL', 0);
    for (const stage of [stack.api.api.deploymentStage, stack.tokens.api.api.deploymentStage]) {
      const reasons = stage.node.metadata
        .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .map((m) => (m.data as Record<string, string>)['AwsSolutions::AwsSolutions-APIG3']);
      expect(reasons.join()).toMatch(/config\/dev\.json sets api\.webAcl to null/);
    }
  });
});

/** Synthesizes a REGIONAL REST API under cdk-nag AwsSolutions; the rules it violated. */
function nagFindings(withWebAcl: boolean): string[] {
  const app: App = fastApp();
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stack = new Stack(app, 'Subject');
  const api = new apigateway.RestApi(stack, 'Api', { cloudWatchRole: false });
  api.root.addMethod('GET', new apigateway.MockIntegration());
  if (withWebAcl) new ApiWebAcl(stack, 'WebAcl').associate('Stage', api.deploymentStage);
  try {
    app.synth();
  } catch {
    // Findings fail the synth; the report says which.
  }
  const report = JSON.parse(readFileSync(join(app.outdir, 'validation-report.json'), 'utf8')) as {
    pluginReports: Array<{ violations: Array<{ ruleName: string }> }>;
  };
  return report.pluginReports.flatMap((p) => p.violations.map((v) => v.ruleName));
}

describe('the guardrail stays live', () => {
  it.each([
    [false, true],
    [true, false],
  ])('a REGIONAL stage with a web ACL %s: cdk-nag APIG3 violated %s', (withWebAcl, violated) => {
    expect(nagFindings(withWebAcl).includes('AwsSolutions-APIG3')).toBe(violated);
  });
});

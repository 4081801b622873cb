import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { Stack, Validations } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { afterAll, describe, expect, it } from 'vitest';
import { INFRA_RULES_DIR } from '../../lib/guardrails.ts';
import { FailClosedPlugin } from '../../lib/private/fail-closed-plugin.ts';
import { fastApp, removeOutdirs } from './helpers.ts';

afterAll(removeOutdirs);

// ZTA.SG.2 with several groups whose egress is standalone only (every function of the pipeline
// has such a group). cfn-guard 3.1 selects every key with `keys !in %query` once the query
// yields two values, which made the rule fail every such group; these cases pin the fix.

function violations(build: (stack: Stack) => void): string[] {
  const app = fastApp();
  Validations.of(app).addPlugins(
    new FailClosedPlugin(
      new CfnGuardValidator({ controlTowerRulesEnabled: false, rules: [INFRA_RULES_DIR] }),
    ),
  );
  build(new Stack(app, 'Subject'));
  try {
    app.synth();
  } catch {
    /* the report says why */
  }
  const report = JSON.parse(readFileSync(join(app.outdir, 'validation-report.json'), 'utf8')) as {
    pluginReports: Array<{
      violations: Array<{
        ruleName: string;
        violatingConstructs: Array<{ cloudFormationResource?: { logicalId: string } }>;
      }>;
    }>;
  };
  return report.pluginReports
    .flatMap((p) => p.violations)
    .flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName}:${c.cloudFormationResource?.logicalId}`))
    .sort();
}

const group = (stack: Stack, id: string, description = `${id} group`) =>
  new ec2.CfnSecurityGroup(stack, id, { groupDescription: description, vpcId: 'vpc-12345678' });
const egressTo = (
  stack: Stack,
  id: string,
  of: ec2.CfnSecurityGroup,
  peer: Partial<ec2.CfnSecurityGroupEgressProps>,
) =>
  new ec2.CfnSecurityGroupEgress(stack, id, {
    groupId: of.attrGroupId,
    ipProtocol: 'tcp',
    fromPort: 443,
    toPort: 443,
    ...peer,
  });

describe('ZTA.SG.2 with standalone egress rules only', () => {
  it('passes several groups, each narrowed by its own standalone rules', () => {
    const ids = violations((stack) => {
      for (const name of ['Authorizer', 'Forwarder', 'Revoker']) {
        const g = group(stack, name);
        egressTo(stack, `${name}ToEndpoints`, g, { destinationSecurityGroupId: 'sg-12345678' });
        egressTo(stack, `${name}ToDynamoDb`, g, { destinationPrefixListId: 'pl-12345678' });
      }
    });
    expect(ids).toEqual([]);
  });

  it('still names a group with no egress rule at all among them', () => {
    const ids = violations((stack) => {
      for (const name of ['Authorizer', 'Forwarder']) {
        egressTo(stack, `${name}ToEndpoints`, group(stack, name), {
          destinationSecurityGroupId: 'sg-12345678',
        });
      }
      group(stack, 'Bare');
    });
    expect(ids).toEqual([expect.stringMatching(/^security_group_no_default_egress_mixed:Bare/)]);
  });

  it('still fails when the bare group is a twin of a narrowed one (compared by value)', () => {
    const ids = violations((stack) => {
      egressTo(stack, 'ToEndpoints', group(stack, 'Narrowed', 'same'), {
        destinationSecurityGroupId: 'sg-1',
      });
      egressTo(stack, 'OtherToEndpoints', group(stack, 'Other'), { destinationSecurityGroupId: 'sg-1' });
      group(stack, 'Twin', 'same');
    });
    expect(ids.some((id) => id.startsWith('security_group_no_default_egress_mixed'))).toBe(true);
  });
});

import { join } from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { type Stage, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { REPO_ROOT } from './config.ts';
import { FailClosedPlugin } from './private/fail-closed-plugin.ts';

/** The CloudFormation Guard rules of this repository (one concern per file). */
export const INFRA_RULES_DIR = join(REPO_ROOT, 'policies', 'infra');

/**
 * Registers the guardrails on an app (or stage): the cdk-nag AwsSolutions pack and the Guard
 * rules in `policies/infra/`. Any unacknowledged finding fails the synth. Acknowledge one
 * finding at a time, on the narrowest construct, with a reason:
 *
 *     Validations.of(construct).acknowledge({ id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]', reason: '…' });
 */
export function applyGuardrails(scope: Stage): void {
  Validations.of(scope).addPlugins(
    new FailClosedPlugin(new AwsSolutionsChecks(scope)),
    new FailClosedPlugin(new ServerlessChecks(scope)),
    new FailClosedPlugin(new CfnGuardValidator({ controlTowerRulesEnabled: true, rules: [INFRA_RULES_DIR] })),
  );
}

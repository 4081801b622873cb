import { App, type AppProps } from 'aws-cdk-lib';
import { loadEnvironmentConfig } from './config.ts';
import { applyGuardrails } from './guardrails.ts';
import { ZeroTrustStack } from './zero-trust-stack.ts';

/**
 * The CDK app: the stack of the environment named by the `env` context value
 * (`cdk synth -c env=dev`), configured from `config/<env>.json`, with the guardrails on.
 *
 * Stacks are environment-agnostic: the account and region are those of the credentials
 * `cdk deploy` runs with (e.g. `--profile prod`), so synth needs no AWS account.
 */
export function createZeroTrustApp(props: AppProps = {}): {
  readonly app: App;
  readonly stack: ZeroTrustStack;
} {
  const app = new App(props);
  const config = loadEnvironmentConfig(app.node.tryGetContext('env'));
  const stack = new ZeroTrustStack(app, `ZeroTrust-${config.name}`, {
    config,
    description: `Zero-trust authorizer suite (${config.name})`,
    terminationProtection: config.removalPolicy === 'retain',
    tags: { Project: 'zero-trust-authorizer', Environment: config.name },
  });
  applyGuardrails(app);
  return { app, stack };
}

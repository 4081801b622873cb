import { App, type AppProps } from 'aws-cdk-lib';
import { ConfigError, show } from '../functions/core/config/reader.ts';
import { loadEnvironmentConfig } from './config.ts';
import { applyGuardrails } from './guardrails.ts';
import { ZeroTrustStack } from './zero-trust-stack.ts';

/**
 * The CDK app: the stack of the environment named by the `env` context value
 * (`cdk synth -c env=dev`), configured from `config/<env>.json`, with the guardrails on.
 *
 * Stacks are environment-agnostic: the account and region are those of the credentials
 * `cdk deploy` runs with (e.g. `--profile prod`), so synth needs no AWS account.
 *
 * An environment that retains its data is also protected from deletion: stack termination
 * protection and DynamoDB deletion protection. Both would block the cleanup of a first creation
 * that fails (the CLI enables termination protection before it executes the change set, and
 * deletes a failed stack before retrying), so `-c firstDeploy=true` leaves them off until the
 * stack exists; the next ordinary deploy turns them on.
 */
export function createZeroTrustApp(props: AppProps = {}): {
  readonly app: App;
  readonly stack: ZeroTrustStack;
} {
  const app = new App(props);
  const config = loadEnvironmentConfig(app.node.tryGetContext('env'));
  const protect = config.removalPolicy === 'retain' && !firstDeploy(app.node.tryGetContext('firstDeploy'));
  const stack = new ZeroTrustStack(app, `ZeroTrust-${config.name}`, {
    config,
    description: `Zero-trust authorizer suite (${config.name})`,
    terminationProtection: protect,
    deletionProtection: protect,
    tags: { Project: 'zero-trust-authorizer', Environment: config.name },
  });
  applyGuardrails(app);
  return { app, stack };
}

/** `-c firstDeploy=true` arrives as a string; anything but true or false is a mistake. */
function firstDeploy(value: unknown): boolean {
  if (value === undefined || value === false || value === 'false') return false;
  if (value === true || value === 'true') return true;
  throw new ConfigError('firstDeploy', `expected true or false (-c firstDeploy=true), got ${show(value)}`);
}

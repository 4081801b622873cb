import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type AppProps } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll } from 'vitest';
import { type EnvironmentConfig, loadEnvironmentConfig, REPO_ROOT } from '../../lib/config.ts';
import { ZeroTrustStack } from '../../lib/zero-trust-stack.ts';

export const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
export type EnvironmentName = (typeof ENVIRONMENTS)[number];

const outdirs: string[] = [];

/** A fresh cloud-assembly folder, removed by `removeOutdirs()`. */
export function tempOutdir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'zta-cdk-'));
  outdirs.push(dir);
  return dir;
}

/** Call from `afterAll`: test apps must not leave `/tmp/cdk.out*` behind. */
export function removeOutdirs(): void {
  for (const dir of outdirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * The `context` of `cdk.json`: the feature flags `cdk synth` and `cdk deploy` run with. Every
 * test App starts from it, so the tests check the templates that deploy (a flag can change
 * logical ids, policies and defaults).
 */
export const CDK_JSON_CONTEXT: Readonly<Record<string, unknown>> = Object.freeze(
  (JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> })
    .context,
);

/**
 * A unit-test App with cdk.json's feature flags: bundling skipped (no esbuild), the built-in
 * CloudFormation validator off (~4.5 s per synth, see FACTS), its own outdir.
 */
export function fastApp(context: Record<string, unknown> = {}, props: AppProps = {}): App {
  return new App({
    outdir: tempOutdir(),
    builtinCloudFormationValidation: false,
    ...props,
    context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [], ...context },
  });
}

export interface EnvironmentStack {
  readonly config: EnvironmentConfig;
  readonly stack: ZeroTrustStack;
  readonly template: Template;
}

/** The environment's stack as the app builds it, without guardrails or bundling. */
export function environmentStack(name: EnvironmentName): EnvironmentStack {
  const config = loadEnvironmentConfig(name);
  const stack = new ZeroTrustStack(fastApp(), `ZeroTrust-${name}`, { config });
  return { config, stack, template: Template.fromStack(stack) };
}

/**
 * Every environment's stack, built once before the calling test file's tests (register it at
 * the top of the file) and its synth folders removed after them.
 */
export function everyEnvironmentStack(): {
  readonly stacks: Record<EnvironmentName, EnvironmentStack>;
  readonly template: (env: EnvironmentName) => Template;
} {
  const stacks = {} as Record<EnvironmentName, EnvironmentStack>;
  beforeAll(() => {
    for (const name of ENVIRONMENTS) stacks[name] = environmentStack(name);
  });
  afterAll(removeOutdirs);
  return { stacks, template: (env) => stacks[env].template };
}

/** `Fn::GetAtt` of the resource whose logical id starts with `prefix`. */
export const getAttOf = (prefix: string, attribute = 'Arn') => ({
  'Fn::GetAtt': [Match.stringLikeRegexp(`^${prefix}`), attribute],
});

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

/** Every resource of a type, by logical id. */
export function resourcesOfType(template: Template, type: string): Resources {
  return template.findResources(type) as Resources;
}

/** Statements of every IAM-ish policy document in the template (roles, policies, keys, endpoints). */
export function allPolicyStatements(template: Template): Array<Record<string, unknown>> {
  const json = template.toJSON() as { Resources: Resources };
  const statements: Array<Record<string, unknown>> = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
    } else if (value && typeof value === 'object') {
      const obj = value as Record<string, unknown>;
      if (Array.isArray(obj.Statement) && typeof obj.Version === 'string') {
        statements.push(...(obj.Statement as Array<Record<string, unknown>>));
      }
      for (const child of Object.values(obj)) visit(child);
    }
  };
  visit(json.Resources);
  return statements;
}

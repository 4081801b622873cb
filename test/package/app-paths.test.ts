/**
 * Relative paths in `ZeroTrustAuthorizer` props are the app's: they resolve against
 * `configBaseDir`, by default the working directory (the folder `cdk synth` runs the app in),
 * never against the suite's own folder, and there is no fallback to the suite's demo policies.
 * (consumer-app.test.ts proves the same from the installed package, down to the asset.)
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { afterAll, describe, expect, it } from 'vitest';
import { ZeroTrustAuthorizer, type ZeroTrustAuthorizerProps } from '../../lib/zero-trust-authorizer.ts';
import { CDK_JSON_CONTEXT, fastApp, removeOutdirs } from '../cdk/helpers.ts';

const EXAMPLE = resolve(import.meta.dirname, '../../examples/protect-existing-api');
const root = mkdtempSync(join(tmpdir(), 'zta-app-paths-'));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
  removeOutdirs();
});

/** A folder laid out like an app: `policies/` and `jwks/login.json` (the example's), or less. */
function appFolder(name: string, parts: { policies: boolean; jwks: boolean }): string {
  const dir = join(root, name);
  mkdirSync(dir);
  if (parts.policies) cpSync(join(EXAMPLE, 'policies'), join(dir, 'policies'), { recursive: true });
  if (parts.jwks) cpSync(join(EXAMPLE, 'jwks'), join(dir, 'jwks'), { recursive: true });
  return dir;
}

/** Builds the authorizer the README's way (relative paths, no base folder) from `cwd`. */
function synthFrom(cwd: string, props: Partial<ZeroTrustAuthorizerProps> = {}): ZeroTrustAuthorizer {
  const previous = process.cwd();
  process.chdir(cwd);
  try {
    const stack = new Stack(fastApp(), 'App');
    const vpc = new ec2.Vpc(stack, 'Vpc', {
      natGateways: 0,
      subnetConfiguration: [{ name: 'Private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    });
    return new ZeroTrustAuthorizer(stack, 'Authorizer', {
      vpc,
      issuers: [
        {
          issuer: 'https://login.example.com',
          audience: ['orders-api'],
          algorithms: ['RS256'],
          jwksFile: 'jwks/login.json',
        },
      ],
      ...props,
    });
  } finally {
    process.chdir(previous);
  }
}

describe("ZeroTrustAuthorizer resolves relative paths against the app's folder", () => {
  it('finds policies/ and the JWKS file in the working directory, with no policiesDir given', () => {
    const app = appFolder('complete', { policies: true, jwks: true });

    expect(() => synthFrom(app)).not.toThrow();
  });

  it.each([
    [
      'no policies/',
      'no-policies',
      { policies: false, jwks: true },
      /policiesDir: no such folder: ".*\/no-policies\/policies".*npx zta init/,
    ],
    [
      'no JWKS file',
      'no-jwks',
      { policies: true, jwks: false },
      /issuers\[0\]\.jwksFile: no such file: ".*\/no-jwks\/jwks\/login\.json"/,
    ],
  ])('fails the synth when the app has %s, naming the path it looked at', (_name, folder, parts, message) => {
    const app = appFolder(folder, parts);

    expect(() => synthFrom(app)).toThrow(message);
  });

  it('uses configBaseDir, when given, instead of the working directory', () => {
    const app = appFolder('elsewhere', { policies: true, jwks: true });
    const empty = appFolder('empty', { policies: false, jwks: false });

    expect(() => synthFrom(empty, { configBaseDir: app })).not.toThrow();
    expect(() => synthFrom(app, { configBaseDir: empty })).toThrow(
      /policiesDir: no such folder: ".*\/empty\/policies"/,
    );
  });
});

describe('the example app a team copies', () => {
  it("sets the same recommended feature flags as the suite's own cdk.json", () => {
    // A flag set later moves logical IDs: an app copied from the example must start with them.
    const example = JSON.parse(readFileSync(join(EXAMPLE, 'cdk.json'), 'utf8')) as {
      context: Record<string, unknown>;
    };
    const flags = (context: Readonly<Record<string, unknown>>) =>
      Object.fromEntries(Object.entries(context).filter(([key]) => key.startsWith('@aws-cdk')));

    expect(Object.keys(flags(CDK_JSON_CONTEXT)).length).toBeGreaterThan(80);
    expect(flags(example.context)).toEqual(flags(CDK_JSON_CONTEXT));
  });
});

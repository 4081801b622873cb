import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createZeroTrustApp } from '../../lib/zero-trust-app.ts';
import { CDK_JSON_CONTEXT, ENVIRONMENTS, removeOutdirs, tempOutdir } from './helpers.ts';

afterAll(removeOutdirs);

interface Report {
  pluginReports: Array<{
    pluginName: string;
    conclusion: string;
    violations: unknown[];
    suppressedViolations?: Array<{ ruleName: string; reason?: string; acknowledgedId: string }>;
  }>;
}

// The real thing, as `cdk synth -c env=<name>` runs it: esbuild bundling, the built-in
// CloudFormation validator, cdk-nag and the Guard rules all on. Any unacknowledged finding
// throws out of app.synth().
describe.each(ENVIRONMENTS)('cdk synth -c env=%s', (env) => {
  const outdir = tempOutdir();
  let functionAsset = '';

  // Five bundles, cdk-nag, Guard and CloudFormation's validator over ~150 resources: 10-20 s
  // alone, more while other test files share the two cores.
  it('synthesizes with bundling and every guardrail on, with nothing left unacknowledged', {
    timeout: 120_000,
  }, () => {
    const { app, stack } = createZeroTrustApp({ outdir, context: { ...CDK_JSON_CONTEXT, env } });
    const assembly = app.synth();
    // prod retains its data, and its stack cannot be deleted by accident either.
    expect(stack.terminationProtection).toBe(env === 'prod');

    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as Report;
    const plugins = Object.fromEntries(report.pluginReports.map((p) => [p.pluginName, p]));
    for (const name of ['AwsSolutions', 'Serverless', 'cdk-validator-cfnguard']) {
      expect(plugins[name]).toMatchObject({ conclusion: 'success', violations: [] });
    }
    const acknowledged = report.pluginReports.flatMap((p) => p.suppressedViolations ?? []);
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const finding of acknowledged) expect(finding.reason?.length ?? 0).toBeGreaterThan(40);

    const template = assembly.getStackArtifact(stack.artifactId).template as {
      Resources: Record<
        string,
        { Type: string; Properties: { Description?: string; Code?: { S3Key?: string } } }
      >;
    };
    // Every function's handler is index.handler: find the authorizer by its description.
    const authorizer = Object.values(template.Resources).find(
      (r) =>
        r.Type === 'AWS::Lambda::Function' && r.Properties.Description?.startsWith('Zero-trust authorizer'),
    );
    const hash = authorizer?.Properties.Code?.S3Key?.replace(/\.zip$/, '');
    functionAsset = join(outdir, `asset.${hash}`);
    expect(existsSync(functionAsset)).toBe(true);
  });

  it('packages the handler, Cedar wasm, policies, keys and a runtime config naming the revocation table', () => {
    expect(readdirSync(functionAsset)).toEqual(
      expect.arrayContaining(['index.js', 'cedar_wasm_bg.wasm', 'zta.config.json', 'policies']),
    );
    expect(readdirSync(join(functionAsset, 'policies')).some((f) => f.endsWith('.cedar'))).toBe(true);
    // Only Cedar files ship: the Guard rules in policies/infra stay out of the function.
    expect(readdirSync(join(functionAsset, 'policies')).every((f) => /\.cedar(schema)?$/.test(f))).toBe(true);
    const config = JSON.parse(readFileSync(join(functionAsset, 'zta.config.json'), 'utf8'));
    expect(config).toMatchObject({
      policies: './policies',
      revocations: { dynamodb: { tableName: `zta-${env}-revocations` } },
      issuers: [{ issuer: 'https://idp.example.test' }],
    });
    if (config.issuers[0].jwksFile) {
      expect(config.issuers[0].jwksFile).toBe('./jwks/0.json');
      const jwks = JSON.parse(readFileSync(join(functionAsset, 'jwks', '0.json'), 'utf8'));
      // Public keys only: no private or symmetric members in a deployment package.
      for (const key of jwks.keys)
        expect(Object.keys(key).filter((k) => ['d', 'p', 'q', 'k'].includes(k))).toEqual([]);
    }
  });

  it('boots from the package and denies a request without a token', async () => {
    // No token means no key is needed: prod's jwksUri is never fetched, so this stays offline.
    const previous = process.env.LAMBDA_TASK_ROOT;
    process.env.LAMBDA_TASK_ROOT = functionAsset;
    try {
      const { handler } = createRequire(join(functionAsset, 'index.js'))('./index.js') as {
        handler: (event: unknown) => Promise<unknown>;
      };
      const event = {
        type: 'REQUEST',
        methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:api123/v1/GET/api/sensitive',
        resource: '/api/sensitive',
        path: '/api/sensitive',
        httpMethod: 'GET',
        headers: {},
        requestContext: {
          apiId: 'api123',
          stage: 'v1',
          requestId: 'r-1',
          identity: { sourceIp: '10.0.0.1' },
        },
      };
      await expect(handler(event)).rejects.toThrow('Unauthorized');
    } finally {
      if (previous === undefined) delete process.env.LAMBDA_TASK_ROOT;
      else process.env.LAMBDA_TASK_ROOT = previous;
    }
  });
});

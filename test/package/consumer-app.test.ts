/**
 * The whole path a team takes (issue 12): `npm pack` → install into a `cdk init`-style app
 * (examples/protect-existing-api) → type-check with TypeScript 5.9 and 7 → synthesize → the
 * authorizer's asset holds the app's policies and keys, not the suite's demo policies; `zta`
 * runs from node_modules/.bin with plain node and writes only under the app's folder.
 * Slow by nature (a pack, two type-checks, a synth with esbuild): nothing here measures time.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopProcess } from '../cli/harness.ts';
import {
  installApp,
  PACKAGE_NAME,
  packSuite,
  REPO_NODE_MODULES,
  run,
  tarballFiles,
} from './consumer-fixture.ts';

const TSX = join(REPO_NODE_MODULES, 'tsx', 'dist', 'cli.mjs');
const COMPILERS = [
  ['TypeScript 5.9', join(REPO_NODE_MODULES, 'typescript-5.9', 'bin', 'tsc')],
  ['TypeScript 7', join(REPO_NODE_MODULES, 'typescript', 'bin', 'tsc')],
] as const;

/** A pack, a type-check or a synth can take minutes on a loaded 2-core machine. */
const SLOW = { timeout: 300_000 };

let tmp: string;
let tarball: string;
let app: string;

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'zta-consumer-'));
  tarball = await packSuite(tmp);
  app = await installApp(tmp, tarball);
}, 600_000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the packed package', SLOW, () => {
  it("ships compiled JavaScript, its types, the CLI and its templates, and none of the repository's own files", async () => {
    const files = await tarballFiles(tarball);

    expect(files).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'LICENSE',
        'CHANGELOG.md',
        'bin/zta.mjs',
        'dist/lib/index.js',
        'dist/lib/index.d.ts',
        'dist/bin/cli/main.js',
        'dist/functions/authorizer/index.js',
        'policies/schema.cedarschema',
        'templates/init/policies/orders.cedar',
      ]),
    );
    const sources = files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));
    expect(sources).toEqual([]);
    const repositoryOnly = files.filter((f) => /^(test|bench|examples|config|docs|scripts)\//.test(f));
    expect(repositoryOnly).toEqual([]);
  });

  it('declares its types with .js import paths (no .ts path a consumer compiler must accept)', async () => {
    const installed = join(app, 'node_modules', PACKAGE_NAME, 'dist');
    const declarations = readdirSync(installed, { recursive: true, encoding: 'utf8' }).filter((f) =>
      f.endsWith('.d.ts'),
    );
    const withTsPaths = declarations.filter((f) =>
      /(?:from|import)\s*\(?\s*['"]\.{1,2}\/[^'"]*\.ts['"]/.test(readFileSync(join(installed, f), 'utf8')),
    );
    expect(declarations.length).toBeGreaterThan(10);
    expect(withTsPaths).toEqual([]);
  });
});

describe('a cdk init-style app that installs it (CommonJS, module NodeNext, strict)', SLOW, () => {
  it.each(COMPILERS)('type-checks with %s', async (_name, tsc) => {
    const checked = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: app });
    expect(checked.stdout + checked.stderr).toBe('');
    expect(checked.code).toBe(0);
  });

  it("synthesizes, and the authorizer's asset holds the app's policies and keys, not the demo policies", async () => {
    // Act: what `cdk synth` runs (cdk.json: `npx tsx bin/orders-api.ts`), from the app's folder.
    const outdir = join(app, 'cdk.out');
    const synth = await run(process.execPath, [TSX, 'bin/orders-api.ts'], {
      cwd: app,
      env: { CDK_OUTDIR: outdir },
    });
    expect(synth.code, synth.stderr).toBe(0);

    // Assess: the authorizer function's asset folder.
    const template = JSON.parse(readFileSync(join(outdir, 'OrdersApi.template.json'), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
    const [authorizer] = Object.values(template.Resources).filter(
      (r) =>
        r.Type === 'AWS::Lambda::Function' &&
        String(r.Properties.Description).startsWith('Zero-trust authorizer'),
    );
    const s3Key = (authorizer?.Properties.Code as { S3Key?: string } | undefined)?.S3Key ?? '';
    const asset = join(outdir, `asset.${s3Key.replace(/\.zip$/, '')}`);
    expect(existsSync(join(asset, 'index.js')), asset).toBe(true);
    expect(existsSync(join(asset, 'cedar_wasm_bg.wasm'))).toBe(true);
    expect(readdirSync(join(asset, 'policies')).sort()).toEqual(['orders.cedar', 'schema.cedarschema']);
    expect(readFileSync(join(asset, 'policies', 'orders.cedar'), 'utf8')).toBe(
      readFileSync(join(app, 'policies', 'orders.cedar'), 'utf8'),
    );
    expect(JSON.parse(readFileSync(join(asset, 'jwks', '0.json'), 'utf8'))).toEqual(
      JSON.parse(readFileSync(join(app, 'jwks', 'login.json'), 'utf8')),
    );
    const packaged = JSON.parse(readFileSync(join(asset, 'zta.config.json'), 'utf8'));
    expect(packaged.issuers).toEqual([
      expect.objectContaining({ issuer: 'https://login.example.com', jwksFile: './jwks/0.json' }),
    ]);
  });

  it('fails the synth and says what to do when the folder it runs in has no policies', async () => {
    // Prepare: the same app, run from a folder without policies/ (paths resolve against it).
    const elsewhere = join(tmp, 'no-policies-here');
    mkdirSync(elsewhere);

    const synth = await run(process.execPath, [TSX, join(app, 'bin', 'orders-api.ts')], {
      cwd: elsewhere,
      env: { CDK_OUTDIR: join(elsewhere, 'cdk.out') },
    });

    expect(synth.code).not.toBe(0);
    expect(synth.stderr).toContain(`policiesDir: no such folder: "${join(elsewhere, 'policies')}"`);
    expect(synth.stderr).toContain('npx zta init');
  });

  it('imports it from an ES module too', async () => {
    const probe = [
      `import { App, Stack } from 'aws-cdk-lib';`,
      `import * as ec2 from 'aws-cdk-lib/aws-ec2';`,
      `import { ZeroTrustAuthorizer, DecisionPipeline, WorkloadTokens } from '${PACKAGE_NAME}';`,
      `const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Probe');`,
      `const vpc = new ec2.Vpc(stack, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'P', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });`,
      `new ZeroTrustAuthorizer(stack, 'Authorizer', { vpc, issuers: [{ issuer: 'https://login.example.com', audience: 'orders-api', algorithms: ['RS256'], jwksFile: 'jwks/login.json' }] });`,
      `console.log([typeof DecisionPipeline, typeof WorkloadTokens].join(' '));`,
    ].join('\n');

    const imported = await run(process.execPath, ['--input-type=module', '-e', probe], { cwd: app });

    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout.trim()).toBe('function function');
  });
});

describe('zta from node_modules/.bin, with plain node', SLOW, () => {
  const zta = (args: string[], cwd = app) =>
    run(process.execPath, [join(app, 'node_modules', '.bin', 'zta'), ...args], { cwd });

  it('scaffolds with init, and the scaffold validates', async () => {
    const init = await zta(['init', '--dir', 'scaffold']);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain('Next steps');

    const validate = await zta(['validate', '--policies', 'scaffold/policies']);
    expect(validate.code, validate.stdout).toBe(0);
    expect(validate.stdout).toMatch(/5 passed, 0 failed/);
  });

  it('refuses to write inside node_modules', async () => {
    const inside = await zta(['init'], join(app, 'node_modules', PACKAGE_NAME));

    expect(inside.code).toBe(2);
    expect(inside.stderr).toMatch(/^zta init: refusing to write inside node_modules .*\n$/);
    expect(existsSync(join(app, 'node_modules', PACKAGE_NAME, 'zta.config.json'))).toBe(false);
  });

  it('start keeps its keys and state in the app folder, not in the package', async () => {
    const child = spawn(
      process.execPath,
      [join(app, 'node_modules', '.bin', 'zta'), 'start', '--port', '0'],
      {
        cwd: app,
      },
    );
    try {
      await new Promise<void>((ready, fail) => {
        let out = '';
        child.stdout.on('data', (d) => {
          out += d;
          if (out.includes('Press Ctrl-C')) ready();
        });
        child.on('exit', (code) => fail(new Error(`zta start exited ${code}: ${out}`)));
      });
    } finally {
      await stopProcess(child);
    }

    expect(JSON.parse(readFileSync(join(app, '.zta', 'revocations.json'), 'utf8'))).toEqual({
      version: 1,
      revocations: [],
      audit: [],
    });
    expect(readdirSync(join(app, '.zta', 'keys')).length).toBeGreaterThan(0);
    expect(existsSync(join(app, 'node_modules', PACKAGE_NAME, '.zta'))).toBe(false);
  });
});

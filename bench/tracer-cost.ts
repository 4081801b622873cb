/**
 * What the Powertools Tracer would cost the authorizer's cold start: the authorizer bundle
 * (built as CDK builds it) against the same bundle wrapped with a module-scope Tracer and a
 * subsegment per invocation, tracing on as in Lambda (`AWS_EXECUTION_ENV`, `_X_AMZN_TRACE_ID`,
 * segments sent over UDP to a loopback port nobody listens on). Each run is a fresh `node`
 * process deciding one REST REQUEST event (it must ALLOW); runs interleave after a warm-up.
 *   npx tsx bench/tracer-cost.ts [runs]      (prints JSON; not part of `npm test`)
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { SignJWT } from 'jose';
import { bundleAuthorizer } from '../functions/authorizer/bundle.ts';
import { restEvent } from '../test/cli/harness.ts';
import { keyPair } from '../test/support/keys.ts';
import { median } from './support/stats.ts';

const REPO = resolve(import.meta.dirname, '..');
const INVOKE_BUNDLE = join(REPO, 'test', 'lambda', 'invoke-bundle.cjs');
const runs = Number(process.argv[2] ?? 15);
const tmp = mkdtempSync(join(tmpdir(), 'zta-bench-tracer-'));
try {
  const { privateKey, publicKey } = keyPair({ type: 'ec', namedCurve: 'P-256' });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'ES256', use: 'sig' };
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ role: 'admin', amr: ['pwd', 'mfa'] })
    .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: 'k1' })
    .setIssuer('https://idp.example.test')
    .setAudience('zt-api')
    .setSubject('alice')
    .setIssuedAt(now)
    .setExpirationTime(now + 900)
    .setJti(randomUUID())
    .sign(privateKey);
  const configDir = join(tmp, 'config');
  mkdirSync(configDir);
  writeFileSync(join(configDir, 'jwks.json'), JSON.stringify({ keys: [jwk] }));
  writeFileSync(join(configDir, 'revocations.json'), JSON.stringify({ version: 1, revocations: [] }));
  const plain = join(tmp, 'plain');
  bundleAuthorizer({
    outDir: plain,
    configBaseDir: configDir,
    config: {
      issuers: [
        {
          issuer: 'https://idp.example.test',
          audience: 'zt-api',
          jwksFile: './jwks.json',
          algorithms: ['ES256'],
        },
      ],
      revocations: { file: './revocations.json' },
    },
  });
  const traced = join(tmp, 'traced');
  cpSync(plain, traced, { recursive: true });
  renameSync(join(traced, 'index.js'), join(traced, 'authorizer.js'));
  buildSync({
    entryPoints: [join(import.meta.dirname, 'cold-start', 'traced-authorizer-entry.ts')],
    outfile: join(traced, 'index.js'),
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    external: ['./authorizer.js'],
    logLevel: 'error',
  });
  const event = restEvent('GET', '/api/sensitive', `Bearer ${token}`);
  const lambdaEnv = {
    PATH: process.env.PATH ?? '',
    TZ: 'UTC',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    _X_AMZN_TRACE_ID: 'Root=1-6a0f0c00-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1',
    AWS_XRAY_DAEMON_ADDRESS: '127.0.0.1:2',
    AWS_XRAY_LOG_LEVEL: 'silent',
  };
  const time = (dir: string) =>
    new Promise<number>((done, fail) => {
      const start = performance.now();
      let out = '';
      const child = spawn(process.execPath, [INVOKE_BUNDLE, JSON.stringify([event])], {
        cwd: dir,
        env: { ...lambdaEnv, LAMBDA_TASK_ROOT: dir },
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      child.stdout.on('data', (d) => {
        out += d;
      });
      child.on('close', (code) => {
        const elapsed = performance.now() - start;
        if (code !== 0 || !out.includes('"Effect":"Allow"'))
          fail(new Error(`${dir}: no ALLOW (exit ${code})`));
        else done(elapsed);
      });
    });
  await time(plain);
  await time(traced);
  const samples = { plain: [] as number[], traced: [] as number[] };
  for (let i = 0; i < runs; i++) {
    samples.plain.push(await time(plain));
    samples.traced.push(await time(traced));
  }
  const size = (f: string) => statSync(f).size;
  const result = {
    runs,
    authorizerMs: Math.round(median(samples.plain) * 10) / 10,
    authorizerWithTracerMs: Math.round(median(samples.traced) * 10) / 10,
    tracerBundleBytes: size(join(traced, 'index.js')),
    authorizerBundleBytes: size(join(plain, 'index.js')),
    samples,
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

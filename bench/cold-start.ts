/**
 * Cold start: wall-clock ms from spawn to exit of a fresh `node` process that loads a Lambda
 * bundle and decides exactly one request, for our authorizer package and for an aws-jwt-verify
 * peer, next to a bare `node -e ""`; and the zipped size of every Lambda package of the suite.
 * Every child must give the right answer (ALLOW / a verified payload) or the benchmark throws.
 * Runs are interleaved (ours, peer, empty, ours, …) after one untimed warm-up of each.
 *   npx tsx bench/cold-start.ts        (prints the result as JSON)
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { deflateRawSync } from 'node:zlib';
import { SignJWT } from 'jose';
import { bundleAuthorizer } from '../functions/authorizer/bundle.ts';
import { restEvent } from '../test/cli/harness.ts';
import { keyPair } from '../test/support/keys.ts';
import { median } from './support/stats.ts';

export interface ColdStartResult {
  /** Median wall-clock ms, spawn → process exit, of a fresh `node` process that loads our authorizer bundle and decides one REST REQUEST event (ES256 token, must ALLOW). */
  readonly authorizerMs: { median: number; runs: number[] };
  /**
   * Same processes as `authorizerMs`, spawn → the answer line on stdout. The gap to exit is V8
   * finishing background wasm (Cedar) tier-up compiles before the process may end (it is gone
   * under `node --liftoff-only`): a Lambda container does not exit, so this is the closer
   * figure for what a first caller waits.
   */
  readonly authorizerAnswerMs: { median: number; runs: number[] };
  /** Same for a fresh process running an esbuild bundle of aws-jwt-verify `JwtVerifier` with a pre-loaded JWKS (`verifier.cacheJwks(jwks)`) verifying one token. */
  readonly awsJwtVerifyMs: { median: number; runs: number[] };
  /** Same for a bare `node -e ""`-like process (so readers can subtract Node's own start). */
  readonly emptyNodeMs: { median: number; runs: number[] };
  /** Zipped size in bytes of each Lambda bundle of the suite (name → bytes), plus 'aws-jwt-verify-peer'. */
  readonly bundleZipBytes: Record<string, number>;
}

const ISS = 'https://idp.example.test';
const AUD = 'zt-api';
const KID = 'bench-es256';
const REPO = resolve(import.meta.dirname, '..');
/** The driver the Lambda bundle tests use: `require`s the package's index.js as the runtime would. */
const INVOKE_BUNDLE = join(REPO, 'test', 'lambda', 'invoke-bundle.cjs');
const CHILD_TIMEOUT_MS = 60_000;

interface Child {
  readonly name: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Throws unless the child's stdout shows the right answer. */
  readonly check: (stdout: string) => void;
}

interface Timing {
  /** spawn → exit */
  readonly exitMs: number;
  /** spawn → the first `RESULT ` line arrived */
  readonly answerMs: number;
}

/** Spawns one child; resolves with its timings once its output has been checked. */
function timeChild(child: Child): Promise<Timing> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    let answerMs = Number.NaN;
    const start = performance.now();
    const proc = spawn(process.execPath, child.args, {
      cwd: child.cwd,
      env: child.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: CHILD_TIMEOUT_MS,
    });
    let exitMs = 0;
    proc.stdout.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      if (Number.isNaN(answerMs) && Buffer.concat(chunks).includes('RESULT ')) {
        answerMs = performance.now() - start;
      }
    });
    proc.stderr.resume(); // drained, never shown: it could echo inputs
    proc.on('exit', () => {
      exitMs = performance.now() - start;
    });
    proc.on('error', fail);
    proc.on('close', (code, signal) => {
      try {
        if (code !== 0) throw new Error(`${child.name}: child exited with ${signal ?? code}`);
        child.check(Buffer.concat(chunks).toString('utf8'));
        done({ exitMs, answerMs: Number.isNaN(answerMs) ? exitMs : answerMs });
      } catch (error) {
        fail(error);
      }
    });
  });
}

/** The first `RESULT <json>` line of a child's stdout, parsed. */
function resultOf(name: string, stdout: string): Record<string, unknown> {
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
  if (line === undefined) throw new Error(`${name}: no RESULT line`);
  return JSON.parse(line.slice('RESULT '.length)) as Record<string, unknown>;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

/**
 * The size of `dir` as a zip archive of deflated entries (level 9, as `zip -9`): local header
 * and central directory record per file plus the end record, computed with node:zlib so the
 * benchmark needs no `zip` binary. (`zip` adds ~24 bytes of extra fields per entry.)
 */
function zipBytes(dir: string): number {
  let total = 22; // end of central directory
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const name = Buffer.byteLength(relative(dir, path));
    const data = readFileSync(path);
    const deflated = deflateRawSync(data, { level: 9 }).length;
    total += 30 + name + Math.min(deflated, data.length) + 46 + name;
  }
  return total;
}

/**
 * Bundles every other Lambda of the suite with the helpers the CDK app itself calls in
 * `tryBundle` (lib/private: `bundleHandler` for the pipeline handlers, `bundleTokenServiceEntry`
 * for the token service and key rotation), so the sizes are those of the deployed packages.
 * Imported lazily: those modules load aws-cdk-lib (~1 s).
 */
async function otherBundles(root: string): Promise<Record<string, string>> {
  const { bundleHandler } = await import('../lib/private/bundled-handler.ts');
  const { bundleTokenServiceEntry, TOKEN_SERVICE_ENTRIES } = await import('../lib/private/token-bundles.ts');
  const pipeline = ['decision-forwarder', 'spike-detector', 'revoker', 'revocation-admin'] as const;
  const dirs: Record<string, string> = {};
  for (const name of pipeline) {
    dirs[name] = join(root, name);
    bundleHandler(name, dirs[name]);
  }
  for (const entry of Object.keys(TOKEN_SERVICE_ENTRIES) as Array<keyof typeof TOKEN_SERVICE_ENTRIES>) {
    dirs[entry] = join(root, entry);
    bundleTokenServiceEntry(entry, dirs[entry]);
  }
  return dirs;
}

export async function measureColdStart(
  options: {
    runs?: number;
    /** Writes a `node --cpu-prof` profile of each of our runs here (diagnosis; slows them). */
    cpuProfileDir?: string;
  } = {},
): Promise<ColdStartResult> {
  const runs = options.runs ?? 7;
  if (!Number.isInteger(runs) || runs < 5) throw new RangeError(`runs must be an integer ≥ 5, got ${runs}`);
  const tmp = mkdtempSync(join(tmpdir(), 'zta-bench-cold-'));
  try {
    // Keys, a JWKS file and a token minted now; none of them is ever printed.
    const { privateKey, publicKey } = keyPair({ type: 'ec', namedCurve: 'P-256' });
    const jwk = { ...publicKey.export({ format: 'jwk' }), kid: KID, alg: 'ES256', use: 'sig' };
    const jwks = JSON.stringify({ keys: [jwk] });
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ role: 'admin', amr: ['pwd', 'mfa'] })
      .setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: KID })
      .setIssuer(ISS)
      .setAudience(AUD)
      .setSubject('alice')
      .setIssuedAt(now)
      .setExpirationTime(now + 900)
      .setJti(randomUUID())
      .sign(privateKey);

    // Our package, built by the same function CDK calls. Revocations come from a packaged
    // (empty) file: the dev deployment reads DynamoDB instead, which needs a network, so the
    // SDK client's first request is not in this figure (its code is loaded either way).
    const configDir = join(tmp, 'config');
    mkdirSync(configDir);
    writeFileSync(join(configDir, 'jwks.json'), jwks);
    writeFileSync(join(configDir, 'revocations.json'), JSON.stringify({ version: 1, revocations: [] }));
    const bundles: Record<string, string> = { authorizer: join(tmp, 'bundles', 'authorizer') };
    bundleAuthorizer({
      outDir: bundles.authorizer as string,
      configBaseDir: configDir,
      config: {
        issuers: [{ issuer: ISS, audience: AUD, jwksFile: './jwks.json', algorithms: ['ES256'] }],
        revocations: { file: './revocations.json' },
      },
    });
    // The peer, bundled with exactly the suite's esbuild options (CJS, node20, minified).
    const { esbuildHandler } = await import('../lib/private/bundled-handler.ts');
    bundles['aws-jwt-verify-peer'] = join(tmp, 'bundles', 'aws-jwt-verify-peer');
    esbuildHandler(
      join(import.meta.dirname, 'cold-start', 'aws-jwt-verify-entry.ts'),
      bundles['aws-jwt-verify-peer'],
    );
    Object.assign(bundles, await otherBundles(join(tmp, 'bundles')));

    const baseEnv = { PATH: process.env.PATH ?? '', TZ: 'UTC' };
    const authorizerDir = bundles.authorizer as string;
    const peerDir = bundles['aws-jwt-verify-peer'] as string;
    const event = restEvent('GET', '/api/sensitive', `Bearer ${token}`);
    const ours: Child = {
      name: 'authorizer',
      // GET /api/sensitive, which the default policies allow to admins with MFA only.
      args: [
        ...(options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : []),
        INVOKE_BUNDLE,
        JSON.stringify([event]),
      ],
      cwd: authorizerDir,
      env: { ...baseEnv, LAMBDA_TASK_ROOT: authorizerDir },
      check: (stdout) => {
        const value = resultOf('authorizer', stdout).value as
          | { policyDocument?: { Statement?: Array<{ Effect?: string; Resource?: string }> } }
          | undefined;
        const statement = value?.policyDocument?.Statement?.[0];
        if (statement?.Effect !== 'Allow' || statement.Resource !== event.methodArn) {
          throw new Error('authorizer: the bundle did not ALLOW the admin-with-MFA request');
        }
      },
    };
    const peer: Child = {
      name: 'aws-jwt-verify-peer',
      args: [join(peerDir, 'index.js')],
      cwd: peerDir,
      env: { ...baseEnv, BENCH_ISSUER: ISS, BENCH_AUDIENCE: AUD, BENCH_JWKS: jwks, BENCH_TOKEN: token },
      check: (stdout) => {
        if (resultOf('aws-jwt-verify-peer', stdout).sub !== 'alice') {
          throw new Error('aws-jwt-verify-peer: the token was not verified');
        }
      },
    };
    const empty: Child = { name: 'empty node', args: ['-e', ''], cwd: tmp, env: baseEnv, check: () => {} };

    const children = [ours, peer, empty];
    for (const child of children) await timeChild(child); // warm-up: file-system cache, untimed
    const samples: Timing[][] = children.map(() => []);
    for (let i = 0; i < runs; i++) {
      for (const [c, child] of children.entries()) samples[c]?.push(await timeChild(child));
    }
    const summary = (timings: Timing[] = [], key: keyof Timing = 'exitMs') => {
      const values = timings.map((t) => t[key]);
      return { median: round(median(values)), runs: values.map(round) };
    };

    const bundleZipBytes: Record<string, number> = {};
    for (const [name, dir] of Object.entries(bundles)) bundleZipBytes[name] = zipBytes(dir);
    return {
      authorizerMs: summary(samples[0]),
      authorizerAnswerMs: summary(samples[0], 'answerMs'),
      awsJwtVerifyMs: summary(samples[1]),
      emptyNodeMs: summary(samples[2]),
      bundleZipBytes,
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  // `--cpu-prof <dir>` profiles our runs: see what a cold start spends its time on.
  const at = process.argv.indexOf('--cpu-prof');
  const result = await measureColdStart(
    at > 0 ? { cpuProfileDir: resolve(process.argv[at + 1] ?? '.') } : {},
  );
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}

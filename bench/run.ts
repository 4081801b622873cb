/**
 * `npm run bench`: every benchmark figure, side by side with the libraries users would pick
 * instead, measured in this run on this machine. Writes bench/results/latest.json and
 * bench/results/latest.md and prints the Markdown. Not a test: nothing here asserts a time.
 *
 *   npm run bench              full run (≥ 20,000 iterations per latency figure; ~3–5 min)
 *   npm run bench -- --quick   a smoke run with small counts (the figures are not meaningful)
 *   npm run bench -- --baseline bench/results/latest.json
 *                              also compares every ratio with an earlier run's (read before
 *                              this run overwrites it)
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { measureColdStart } from './cold-start.ts';
import {
  type BenchFigures,
  compareRatios,
  markdown,
  type Ratios,
  ratiosOf,
  readBaseline,
  targetsOf,
} from './report.ts';
import { measureLatency } from './sections/latency.ts';
import type { MemoryResult } from './sections/memory.ts';
import { measurePolicyScale } from './sections/policy-scale.ts';
import { benchKey } from './support/world.ts';

const ROOT = resolve(import.meta.dirname, '..');

export interface BenchOptions {
  readonly quick: boolean;
  /** An earlier latest.json whose ratios this run is compared with. */
  readonly baseline?: string;
  /** Where latest.json and latest.md go. @default bench/results */
  readonly outDir: string;
}

export function parseArgs(argv: readonly string[]): BenchOptions {
  let quick = false;
  let baseline: string | undefined;
  let outDir = join(ROOT, 'bench', 'results');
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--quick') quick = true;
    else if (arg === '--out' && argv[i + 1] !== undefined) outDir = resolve(argv[++i] as string);
    else if (arg === '--baseline' && argv[i + 1] !== undefined) baseline = resolve(argv[++i] as string);
    else {
      throw new Error(
        `bench: unknown argument ${JSON.stringify(arg)}; expected --quick, --out <dir> or --baseline <latest.json>`,
      );
    }
  }
  return { quick, outDir, ...(baseline ? { baseline } : {}) };
}

export async function runBench(
  options: BenchOptions,
): Promise<{ json: Record<string, unknown>; markdown: string }> {
  const counts = options.quick
    ? { iterations: 2_000, warmup: 200, uncachedIterations: 200, memoryTokens: 5_000, coldRuns: 5 }
    : { iterations: 20_000, warmup: 2_000, uncachedIterations: 1_000, memoryTokens: 100_000, coldRuns: 7 };
  const started = new Date();
  const loadBefore = loadavg();
  const key = benchKey();
  const log = (what: string) => process.stderr.write(`bench: ${what}…\n`);

  log('latency, fresh and repeated tokens');
  const latency = await measureLatency(key, counts);
  log('policy scale');
  const policyScale = await measurePolicyScale(key, counts);
  log(`memory, ${counts.memoryTokens} tokens in a fresh process`);
  const memory = await measureMemory(counts.memoryTokens);
  log('cold start and bundle sizes');
  const coldStart = await measureColdStart({ runs: counts.coldRuns });

  const figures: BenchFigures = { latency, coldStart, policyScale, memory };
  const ratios = ratiosOf(figures);
  const targets = targetsOf(ratios, memory);
  const machine = machineFacts(loadBefore);
  const json = {
    schema: 'zta.bench/v1',
    startedAt: started.toISOString(),
    durationSeconds: Math.round((Date.now() - started.getTime()) / 1000),
    quick: options.quick,
    machine,
    versions: versions(),
    counts,
    ...figures,
    ratios,
    rss_growth_mib: memory.rssGrowthMiB,
    targets,
  };
  const label = `${machine.cpu}, ${machine.cores} cores, node ${machine.node}, load ${machine.loadAverage.before} → ${machine.loadAverage.after}${options.quick ? ', QUICK run: figures not meaningful' : ''}`;
  return { json, markdown: markdown(figures, ratios, targets, label) };
}

async function measureMemory(tokens: number): Promise<MemoryResult> {
  const script = join(ROOT, 'bench', 'sections', 'memory.ts');
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', script, String(tokens)],
    { cwd: ROOT, maxBuffer: 1024 * 1024 },
  );
  const line = stdout.trim().split('\n').at(-1) ?? '';
  return JSON.parse(line) as MemoryResult;
}

function machineFacts(loadBefore: number[]) {
  const round = (values: number[]) => values.map((v) => Math.round(v * 100) / 100).join('/');
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown cpu',
    cores: cpus().length,
    totalMemoryMiB: Math.round(totalmem() / 1024 / 1024),
    os: `${process.platform} ${release()} ${process.arch}`,
    node: process.version,
    // 1/5/15-minute load: a busy machine inflates every figure, ours and the peers' alike.
    loadAverage: { before: round(loadBefore), after: round(loadavg()) },
  };
}

function versions(): Record<string, string> {
  const version = (name: string) => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as {
      version: string;
    };
    return pkg.version;
  };
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: ROOT, encoding: 'utf8' }).trim();
    if (dirty) commit += '+changes';
  } catch {
    // Not a git checkout (an unpacked tarball): the versions below still say what ran.
  }
  return {
    commit,
    jose: version('jose'),
    'aws-jwt-verify': version('aws-jwt-verify'),
    '@cedar-policy/cedar-wasm': version('@cedar-policy/cedar-wasm'),
  };
}

const isMain = process.argv[1] !== undefined && resolve(process.argv[1]) === resolve(import.meta.filename);
if (isMain) {
  const options = parseArgs(process.argv.slice(2));
  // Read first: the run below may overwrite the very file.
  const baseline = options.baseline === undefined ? undefined : readBaseline(options.baseline);
  const result = await runBench(options);
  if (baseline) result.markdown += `\n${compareRatios(baseline, result.json.ratios as Ratios)}`;
  mkdirSync(options.outDir, { recursive: true });
  writeFileSync(join(options.outDir, 'latest.json'), `${JSON.stringify(result.json, null, 2)}\n`);
  writeFileSync(join(options.outDir, 'latest.md'), result.markdown);
  console.log(result.markdown);
  console.log(`written: ${join(options.outDir, 'latest.json')}, latest.md`);
}

/**
 * The benchmark harness runs and reports what the issue asks for. Tiny counts: nothing here
 * judges a time (figures from a test run mean nothing); it keeps `npm run bench` from rotting.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { ColdStartResult } from '../../bench/cold-start.ts';
import { compareRatios, markdown, ratiosOf, readBaseline, targetsOf } from '../../bench/report.ts';
import { parseArgs } from '../../bench/run.ts';
import { FRESH, measureLatency, REPEATED } from '../../bench/sections/latency.ts';
import type { MemoryResult } from '../../bench/sections/memory.ts';
import { generatedPolicies, measurePolicyScale, POLICY_COUNTS } from '../../bench/sections/policy-scale.ts';
import { benchKey } from '../../bench/support/world.ts';
import { createPolicyEngine } from '../../functions/core/policy/engine.ts';

const cold = (oursMs: number): ColdStartResult => ({
  authorizerMs: { median: oursMs, runs: [oursMs] },
  authorizerAnswerMs: { median: oursMs / 2, runs: [oursMs / 2] },
  awsJwtVerifyMs: { median: 50, runs: [50] },
  emptyNodeMs: { median: 40, runs: [40] },
  bundleZipBytes: { authorizer: 1_600_000, 'aws-jwt-verify-peer': 5_000 },
});

describe('npm run bench', () => {
  it('measures every contender side by side and reports the ratios and targets', {
    timeout: 120_000,
  }, async () => {
    // Prepare
    const key = benchKey();

    // Act
    const latency = await measureLatency(key, { iterations: 40, warmup: 5 });
    const policyScale = await measurePolicyScale(key, { iterations: 20, warmup: 2, uncachedIterations: 5 });
    const memory: MemoryResult = {
      tokens: 100_000,
      rssBeforeMiB: 100,
      rssAfterMiB: 180,
      rssGrowthMiB: 80,
      heapUsedGrowthMiB: 10,
    };
    const figures = { latency, coldStart: cold(500), policyScale, memory };
    const ratios = ratiosOf(figures);
    const targets = targetsOf(ratios, memory);
    const table = markdown(figures, ratios, targets, 'test machine');

    // Assess
    expect(Object.keys(latency.fresh).sort()).toEqual(Object.values(FRESH).sort());
    expect(Object.keys(latency.repeated).sort()).toEqual(Object.values(REPEATED).sort());
    for (const summary of [...Object.values(latency.fresh), ...Object.values(latency.repeated)]) {
      expect(summary).toMatchObject({ iterations: 40 });
      expect(summary.p50).toBeGreaterThan(0);
      expect(summary.p99).toBeGreaterThanOrEqual(summary.p50);
    }
    expect(policyScale.map((row) => row.policies)).toEqual([...POLICY_COUNTS]);
    for (const key of [
      'fresh_vs_bare_verify',
      'fresh_vs_composed_peer',
      'repeated_vs_bare_verify',
      'cold_start_vs_aws_jwt_verify',
      'policies_1000_vs_10',
    ] as const) {
      expect(Number.isFinite(ratios[key])).toBe(true);
    }
    expect(ratios.cold_start_vs_aws_jwt_verify).toBe(10);
    const missed = targets.filter((t) => !t.met).map((t) => t.ratio);
    expect(missed).toEqual(expect.arrayContaining(['cold_start_vs_aws_jwt_verify', 'rss_growth_mib']));
    expect(table).toContain('| cold start ≤ 2 × aws-jwt-verify bundle | 10.00× | **MISSED** |');
  });

  it('generates policy sets that load and validate at every size', () => {
    for (const count of POLICY_COUNTS) {
      expect(createPolicyEngine(generatedPolicies(count), { decisionCacheSize: 0 }).policyIds).toHaveLength(
        count,
      );
    }
  });

  it('measures memory in a fresh process and reports MiB figures', { timeout: 60_000 }, async () => {
    // Act
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        '--expose-gc',
        '--import',
        'tsx',
        resolve(import.meta.dirname, '../../bench/sections/memory.ts'),
        '300',
      ],
      { cwd: resolve(import.meta.dirname, '../..') },
    );
    const result = JSON.parse(stdout.trim()) as MemoryResult;

    // Assess
    expect(result.tokens).toBe(300);
    expect(result.rssAfterMiB).toBeGreaterThan(0);
    expect(result.rssGrowthMiB).toBe(result.rssAfterMiB - result.rssBeforeMiB);
  });

  it('refuses an argument it does not know, naming it', () => {
    expect(() => parseArgs(['--fast'])).toThrow(
      'bench: unknown argument "--fast"; expected --quick, --out <dir> or --baseline <latest.json>',
    );
    expect(parseArgs(['--quick', '--baseline', 'old.json'])).toMatchObject({
      quick: true,
      baseline: resolve('old.json'),
    });
  });

  it('compares every ratio with a baseline run, and names a file that is not one', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'zta-bench-test-'));
    const file = join(dir, 'latest.json');
    writeFileSync(
      file,
      JSON.stringify({ versions: { commit: 'abc1234' }, ratios: { fresh_vs_bare_verify: 2 } }),
    );
    writeFileSync(join(dir, 'other.json'), '{"figures":[]}');

    // Act
    const table = compareRatios(readBaseline(file), {
      fresh_vs_bare_verify: 1.5,
      repeated_vs_bare_verify: 0.2,
    } as Parameters<typeof compareRatios>[1]);

    // Assess
    expect(table).toContain('### Against the baseline (abc1234');
    expect(table).toContain('| fresh_vs_bare_verify | 2.00× | 1.50× | -25.0 % |');
    expect(table).toContain('| repeated_vs_bare_verify | – | 0.20× | new |');
    expect(() => readBaseline(join(dir, 'other.json'))).toThrow(/has no "ratios" object/);
    expect(() => readBaseline(join(dir, 'missing.json'))).toThrow(/cannot read baseline .*missing\.json/);
    rmSync(dir, { recursive: true, force: true });
  });
});

/**
 * Turns the sections' figures into `bench/results/latest.json` (every figure, the machine,
 * versions, and `ratios` comparable across commits) and a Markdown table. Ratios are "smaller
 * is better": ours divided by the baseline measured in the same run.
 */
import { readFileSync } from 'node:fs';
import type { ColdStartResult } from './cold-start.ts';
import { FRESH, type LatencyResult, REPEATED } from './sections/latency.ts';
import type { MemoryResult } from './sections/memory.ts';
import type { PolicyScaleRow } from './sections/policy-scale.ts';
import type { Summary } from './support/stats.ts';

export interface BenchFigures {
  readonly latency: LatencyResult;
  readonly coldStart: ColdStartResult;
  readonly policyScale: readonly PolicyScaleRow[];
  readonly memory: MemoryResult;
}

export interface Target {
  readonly ratio: keyof Ratios | 'rss_growth_mib';
  readonly says: string;
  readonly limit: number;
  readonly value: number;
  readonly met: boolean;
}

export interface Ratios {
  readonly fresh_vs_bare_verify: number;
  readonly fresh_vs_composed_peer: number;
  readonly repeated_vs_bare_verify: number;
  readonly cold_start_vs_aws_jwt_verify: number;
  readonly policies_1000_vs_10: number;
  // Context for the targets above: how the same figures look without our caches or shortcuts.
  readonly fresh_uncached_vs_bare_verify: number;
  readonly repeated_in_memory_revocations_vs_bare_verify: number;
  readonly fresh_vs_jose: number;
  readonly fresh_vs_aws_jwt_verify: number;
  readonly composed_peer_vs_bare_verify: number;
  readonly cold_start_answer_vs_aws_jwt_verify: number;
  readonly policies_1000_vs_10_uncached: number;
}

const p50 = (figures: Record<string, Summary>, name: string): number => {
  const summary = figures[name];
  if (!summary) throw new Error(`bench: no figure named "${name}"`);
  return summary.p50;
};

export function ratiosOf(figures: BenchFigures): Ratios {
  const { fresh, repeated } = figures.latency;
  const scale = (count: number, which: 'cached' | 'uncached') => {
    const row = figures.policyScale.find((r) => r.policies === count);
    if (!row) throw new Error(`bench: no policy-scale row for ${count}`);
    return row[which].p50;
  };
  const cold = figures.coldStart;
  return {
    fresh_vs_bare_verify: p50(fresh, FRESH.ours) / p50(fresh, FRESH.bare),
    fresh_vs_composed_peer: p50(fresh, FRESH.ours) / p50(fresh, FRESH.composed),
    repeated_vs_bare_verify: p50(repeated, REPEATED.ours) / p50(repeated, REPEATED.bare),
    cold_start_vs_aws_jwt_verify: cold.authorizerMs.median / cold.awsJwtVerifyMs.median,
    policies_1000_vs_10: scale(1000, 'cached') / scale(10, 'cached'),
    fresh_uncached_vs_bare_verify: p50(fresh, FRESH.oursUncached) / p50(fresh, FRESH.bare),
    repeated_in_memory_revocations_vs_bare_verify:
      p50(repeated, REPEATED.oursInMemory) / p50(repeated, REPEATED.bare),
    fresh_vs_jose: p50(fresh, FRESH.ours) / p50(fresh, FRESH.jose),
    fresh_vs_aws_jwt_verify: p50(fresh, FRESH.ours) / p50(fresh, FRESH.awsJwtVerify),
    composed_peer_vs_bare_verify: p50(fresh, FRESH.composed) / p50(fresh, FRESH.bare),
    cold_start_answer_vs_aws_jwt_verify: cold.authorizerAnswerMs.median / cold.awsJwtVerifyMs.median,
    policies_1000_vs_10_uncached: scale(1000, 'uncached') / scale(10, 'uncached'),
  };
}

/** The issue's targets, each judged on this run's figures. */
export function targetsOf(ratios: Ratios, memory: MemoryResult): Target[] {
  const target = (ratio: Target['ratio'], says: string, limit: number): Target => {
    const value = ratio === 'rss_growth_mib' ? memory.rssGrowthMiB : ratios[ratio];
    return { ratio, says, limit, value, met: value <= limit };
  };
  return [
    target('fresh_vs_bare_verify', 'fresh-token decision p50 ≤ 1.5 × bare ES256 verify (a)', 1.5),
    target('fresh_vs_composed_peer', 'fresh-token decision p50 ≤ 0.8 × composed peer (d)', 0.8),
    target('repeated_vs_bare_verify', 'repeated-token decision p50 ≤ 0.1 × bare verify (a)', 0.1),
    target('cold_start_vs_aws_jwt_verify', 'cold start ≤ 2 × aws-jwt-verify bundle', 2),
    target('policies_1000_vs_10', '1,000 policies ≤ 3 × 10 policies', 3),
    target(
      'rss_growth_mib',
      `RSS growth over 100,000 tokens ≤ 64 MiB${memory.tokens === 100_000 ? '' : ` (this run: ${memory.tokens} tokens)`}`,
      64,
    ),
  ];
}

/** The `ratios` of an earlier run's latest.json; throws naming the file when it has none. */
export function readBaseline(path: string): { file: string; commit: string; ratios: Partial<Ratios> } {
  let json: { ratios?: unknown; versions?: { commit?: unknown } };
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new Error(`bench: cannot read baseline ${path}: ${error instanceof Error ? error.message : error}`);
  }
  if (typeof json.ratios !== 'object' || json.ratios === null) {
    throw new Error(`bench: baseline ${path} has no "ratios" object (is it a latest.json?)`);
  }
  const commit = typeof json.versions?.commit === 'string' ? json.versions.commit : 'unknown commit';
  return { file: path, commit, ratios: json.ratios as Partial<Ratios> };
}

/** Each ratio now against the baseline's: smaller is better, so a negative change is a gain. */
export function compareRatios(
  baseline: { file: string; commit: string; ratios: Partial<Ratios> },
  now: Ratios,
): string {
  const rows = (Object.keys(now) as Array<keyof Ratios>).map((name) => {
    const before = baseline.ratios[name];
    if (typeof before !== 'number' || before === 0) return `| ${name} | – | ${x(now[name])} | new |`;
    const change = ((now[name] - before) / before) * 100;
    return `| ${name} | ${x(before)} | ${x(now[name])} | ${change >= 0 ? '+' : ''}${change.toFixed(1)} % |`;
  });
  return [
    `### Against the baseline (${baseline.commit}, ${baseline.file})`,
    '| ratio (smaller is better) | baseline | this run | change |\n|---|---:|---:|---:|',
    ...rows,
    '',
  ].join('\n');
}

const us = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1));
const x = (v: number) => `${v.toFixed(v < 0.1 ? 3 : 2)}×`;

export function markdown(
  figures: BenchFigures,
  ratios: Ratios,
  targets: readonly Target[],
  machine: string,
): string {
  const { fresh, repeated } = figures.latency;
  const bareFresh = p50(fresh, FRESH.bare);
  const peerFresh = p50(fresh, FRESH.composed);
  const rows = (figs: Record<string, Summary>, bare: number, peer: number) =>
    Object.entries(figs).map(
      ([name, s]) =>
        `| ${name} | ${us(s.p50)} | ${us(s.p99)} | ${us(s.mean)} | ${x(s.p50 / bare)} | ${x(s.p50 / peer)} |`,
    );
  const head = '| figure | p50 µs | p99 µs | mean µs | × (a) | × (d) |\n|---|---:|---:|---:|---:|---:|';
  const cold = figures.coldStart;
  const iterations = Object.values(fresh)[0]?.iterations ?? 0;
  return [
    `## Benchmark (${machine})`,
    '',
    `### Warm decision, fresh token (${iterations} tokens, each decided once per contender)`,
    head,
    ...rows(fresh, bareFresh, peerFresh),
    '',
    `Decision-cache hit rate over the fresh-token run: ${(figures.latency.freshPolicyCacheHitRate * 100).toFixed(2)} %.`,
    '',
    '### Warm decision, repeated token (same token, four routes in turn)',
    head,
    ...rows(repeated, p50(repeated, REPEATED.bare), p50(repeated, REPEATED.composed)),
    '',
    `### Cold start (median of ${cold.authorizerMs.runs.length} fresh processes)`,
    '| process | spawn → exit ms | × aws-jwt-verify |\n|---|---:|---:|',
    `| ours: authorizer bundle, one decision | ${cold.authorizerMs.median.toFixed(0)} | ${x(ratios.cold_start_vs_aws_jwt_verify)} |`,
    `| ours: same processes, spawn → answer | ${cold.authorizerAnswerMs.median.toFixed(0)} | ${x(ratios.cold_start_answer_vs_aws_jwt_verify)} |`,
    `| aws-jwt-verify bundle, one verify | ${cold.awsJwtVerifyMs.median.toFixed(0)} | 1.00× |`,
    `| empty node process | ${cold.emptyNodeMs.median.toFixed(0)} | ${x(cold.emptyNodeMs.median / cold.awsJwtVerifyMs.median)} |`,
    '',
    '| Lambda bundle | zipped KiB |\n|---|---:|',
    ...Object.entries(cold.bundleZipBytes).map(
      ([name, bytes]) => `| ${name} | ${(bytes / 1024).toFixed(0)} |`,
    ),
    '',
    '### Policy scale (fresh tokens, 8 roles × 16 routes)',
    '| policies | p50 µs, cache on | p99 µs | hit rate | p50 µs, cache off | p99 µs |\n|---:|---:|---:|---:|---:|---:|',
    ...figures.policyScale.map(
      (r) =>
        `| ${r.policies} | ${us(r.cached.p50)} | ${us(r.cached.p99)} | ${(r.cacheHitRate * 100).toFixed(1)} % | ${us(r.uncached.p50)} | ${us(r.uncached.p99)} |`,
    ),
    '',
    '### Memory',
    `RSS ${figures.memory.rssBeforeMiB.toFixed(1)} → ${figures.memory.rssAfterMiB.toFixed(1)} MiB after ${figures.memory.tokens} distinct tokens (growth ${figures.memory.rssGrowthMiB.toFixed(1)} MiB; heap used ${figures.memory.heapUsedGrowthMiB.toFixed(1)} MiB).`,
    '',
    '### Targets',
    '| target | this run | met |\n|---|---:|:---:|',
    ...targets.map(
      (t) =>
        `| ${t.says} | ${t.ratio === 'rss_growth_mib' ? `${t.value.toFixed(1)} MiB` : x(t.value)} | ${t.met ? 'yes' : '**MISSED**'} |`,
    ),
    '',
  ].join('\n');
}

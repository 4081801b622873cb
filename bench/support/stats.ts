/**
 * Side-by-side timing: contenders run in interleaved batches, so a noisy neighbour or a GC
 * pause lands on all of them alike rather than on whichever ran during it.
 */

/** Latency of one contender, microseconds. */
export interface Summary {
  readonly p50: number;
  readonly p99: number;
  readonly mean: number;
  readonly iterations: number;
}

export interface Contender {
  readonly name: string;
  /** One operation on input `i` (a distinct token per `i` for fresh-token figures). */
  run(i: number): unknown;
}

export interface SideBySideOptions {
  readonly iterations: number;
  readonly warmup: number;
  /** Iterations per contender before switching to the next. @default 250 */
  readonly batch?: number;
}

/**
 * Times every contender over `iterations` inputs after `warmup` untimed ones. Inputs
 * `0 … warmup-1` warm up, `warmup … warmup+iterations-1` are timed: each index is used once
 * per contender.
 */
export async function sideBySide(
  contenders: readonly Contender[],
  options: SideBySideOptions,
): Promise<Record<string, Summary>> {
  const { iterations, warmup } = options;
  const batch = options.batch ?? 250;
  for (const contender of contenders) {
    for (let i = 0; i < warmup; i++) await settle(contender.run(i));
  }
  const samples = contenders.map(() => new Float64Array(iterations));
  for (let start = 0; start < iterations; start += batch) {
    const end = Math.min(iterations, start + batch);
    for (const [c, contender] of contenders.entries()) {
      const times = samples[c] as Float64Array;
      for (let i = start; i < end; i++) {
        const t0 = performance.now();
        const result = contender.run(warmup + i);
        if (result instanceof Promise) await result;
        times[i] = (performance.now() - t0) * 1000;
      }
    }
  }
  return Object.fromEntries(
    contenders.map((c, index) => [c.name, summarize(samples[index] as Float64Array)]),
  );
}

async function settle(result: unknown): Promise<void> {
  if (result instanceof Promise) await result;
}

export function summarize(samples: Float64Array): Summary {
  const sorted = Float64Array.from(samples).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? Number.NaN;
  let sum = 0;
  for (const value of sorted) sum += value;
  return { p50: at(0.5), p99: at(0.99), mean: sum / sorted.length, iterations: sorted.length };
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

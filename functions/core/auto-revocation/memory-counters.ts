import type { DenialCounterStore } from './spike-detector.ts';

interface Bucket {
  count: number;
  readonly decisionIds: Set<string>;
  readonly expiresAt: number;
}

interface PrincipalState {
  readonly buckets: Map<number, Bucket>;
  alert?: { readonly until: number; readonly decisionId: string };
}

/**
 * The denial counters in memory, for `zta serve`: the same contract as the DynamoDB table
 * (idempotent per decision, sums of live buckets, one alert claim per window), in one process.
 * Bounded: expired buckets are pruned on every write, and beyond `maxPrincipals` the
 * least recently denied principal is forgotten (its count restarts; an attacker rotating
 * principals cannot grow memory).
 */
export class MemoryDenialCounters implements DenialCounterStore {
  private readonly principals = new Map<string, PrincipalState>();

  constructor(private readonly maxPrincipals = 10_000) {}

  async addDenial(input: Parameters<DenialCounterStore['addDenial']>[0]) {
    const state = this.touch(input.principal);
    for (const [start, bucket] of state.buckets)
      if (bucket.expiresAt <= input.at) state.buckets.delete(start);
    let bucket = state.buckets.get(input.bucketStart);
    if (!bucket) {
      bucket = { count: 0, decisionIds: new Set(), expiresAt: input.expiresAt };
      state.buckets.set(input.bucketStart, bucket);
    }
    const counted = !bucket.decisionIds.has(input.decisionId);
    if (counted) {
      bucket.count++;
      bucket.decisionIds.add(input.decisionId);
    }
    let total = 0;
    for (const [start, b] of state.buckets) {
      if (start >= input.fromBucket && start <= input.bucketStart && b.expiresAt > input.at) total += b.count;
    }
    return { counted, total };
  }

  async claimAlert(input: Parameters<DenialCounterStore['claimAlert']>[0]) {
    const state = this.touch(input.principal);
    const live = state.alert && state.alert.until > input.at;
    if (live && state.alert?.decisionId !== input.decisionId) return false;
    state.alert = { until: input.until, decisionId: input.decisionId };
    return true;
  }

  private touch(principal: string): PrincipalState {
    let state = this.principals.get(principal);
    if (state) this.principals.delete(principal);
    else state = { buckets: new Map() };
    this.principals.set(principal, state);
    if (this.principals.size > this.maxPrincipals) {
      const oldest = this.principals.keys().next().value;
      if (oldest !== undefined) this.principals.delete(oldest);
    }
    return state;
  }
}

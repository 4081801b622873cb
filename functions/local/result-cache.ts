import type { AuthorizerResponse } from '../core/api-gateway-response.ts';

export interface CachedResult {
  readonly response: AuthorizerResponse;
  readonly decisionId: string;
}

interface Entry extends CachedResult {
  readonly expiresAt: number;
}

export interface ResultCacheOptions {
  readonly ttlSeconds: number;
  /** @default 10,000: past it the cache is emptied, never grown */
  readonly maxEntries?: number;
  /**
   * A value that changes whenever a cached answer may have become wrong (keys, revocations,
   * policy revision); read on every lookup, and a change drops every entry.
   */
  readonly stamp?: () => string;
}

/**
 * The gateway's authorizer-result cache, the local stand-in for API Gateway's: one answer per
 * identity source. It never outlives what it cached: an entry ends at the earlier of the TTL
 * and the moment its token stops verifying (`exp` + clock tolerance, `cacheUntilMs`), and every
 * entry is dropped when the stamp changes. An answer without `cacheUntilMs` (no verified
 * token) is not kept: nothing says how long it stays true. Nor is an answer decided before the
 * stamp moved, even if the cache was emptied while it was being decided: `set` takes the
 * `generation()` read before deciding and drops the answer if it has changed since.
 */
export class ResultCache {
  private readonly entries = new Map<string, Entry>();
  private readonly maxEntries: number;
  private stamp: string | undefined;
  private generationCount = 0;

  constructor(private readonly options: ResultCacheOptions) {
    this.maxEntries = options.maxEntries ?? 10_000;
    this.stamp = options.stamp?.();
  }

  get(key: string, nowMs: number): CachedResult | undefined {
    this.checkStamp();
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= nowMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Changes whenever every entry is dropped for validity (stamp moved, `clear()`); read it before deciding. */
  generation(): number {
    this.checkStamp();
    return this.generationCount;
  }

  set(
    key: string,
    result: CachedResult,
    nowMs: number,
    cacheUntilMs: number | undefined,
    decidedIn: number,
  ): void {
    if (this.options.ttlSeconds <= 0 || cacheUntilMs === undefined) return;
    if (this.generation() !== decidedIn) return;
    const expiresAt = Math.min(nowMs + this.options.ttlSeconds * 1000, cacheUntilMs);
    if (!(expiresAt > nowMs)) return;
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { ...result, expiresAt });
  }

  clear(): void {
    this.entries.clear();
    this.generationCount++;
  }

  private checkStamp(): void {
    if (!this.options.stamp) return;
    const current = this.options.stamp();
    if (current !== this.stamp) {
      this.clear();
      this.stamp = current;
    }
  }
}

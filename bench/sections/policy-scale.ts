/**
 * Section 5: decision latency as the policy set grows (10, 100, 1,000 policies), on fresh
 * tokens, with the decision cache on (the default) and off (every request evaluated by Cedar).
 *
 * Traffic: 8 kinds of caller (one role each) over 16 routes spread across the set, so the
 * decision cache sees the same 128 (role, route) pairs whatever the set's size — the shape of a
 * real API, where many callers share a few roles. The uncached rows show Cedar's own scaling.
 */
import type { PolicySource } from '../../functions/core/policy/engine.ts';
import { type Summary, sideBySide } from '../support/stats.ts';
import {
  type BenchEvent,
  type BenchKey,
  benchAuthorizer,
  decideToNullSink,
  defaultPolicySource,
  mintToken,
  restEvent,
  withBearer,
} from '../support/world.ts';

export const POLICY_COUNTS = [10, 100, 1000] as const;
const ROLES = 8;
const HOT_ROUTES = 16;

export interface PolicyScaleRow {
  readonly policies: number;
  readonly cached: Summary;
  readonly uncached: Summary;
  readonly cacheHitRate: number;
}

/**
 * `count` policies: permits of one role on one route with MFA, and every tenth a forbid that
 * keeps DELETE for admins, so both effects are in play.
 */
export function generatedPolicies(count: number): PolicySource {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 10 === 9) {
      lines.push(
        `@id("gen.${i}")\nforbid (principal, action == ZTA::Action::"DELETE", resource == ZTA::Route::"/svc/${i}")\nunless { principal in ZTA::Role::"admin" };`,
      );
    } else {
      lines.push(
        `@id("gen.${i}")\npermit (principal in ZTA::Role::"team-${i % ROLES}", action == ZTA::Action::"GET", resource == ZTA::Route::"/svc/${i}")\nwhen { context.mfa };`,
      );
    }
  }
  return { schema: defaultPolicySource().schema, policies: { 'generated.cedar': lines.join('\n\n') } };
}

export async function measurePolicyScale(
  key: BenchKey,
  options: { iterations: number; warmup: number; uncachedIterations: number },
): Promise<PolicyScaleRow[]> {
  const now = Math.floor(Date.now() / 1000);
  const total = options.iterations + options.warmup;
  const tokens = Array.from({ length: total }, (_, i) =>
    mintToken(key, `scale-${i}`, now, { role: `team-${i % ROLES}`, amr: ['mfa'] }),
  );
  const rows: PolicyScaleRow[] = [];
  for (const count of POLICY_COUNTS) {
    const policies = generatedPolicies(count);
    const routes = Array.from(
      { length: HOT_ROUTES },
      (_, r) => `/svc/${Math.floor((r * count) / HOT_ROUTES)}`,
    );
    const events = routes.map((path) => restEvent(tokens[0] as string, 'GET', path));
    const eventFor = (i: number) => withBearer(events[i % HOT_ROUTES] as BenchEvent, tokens[i] as string);
    const cached = benchAuthorizer(key, { policies });
    const uncached = benchAuthorizer(key, { policies, decisionCacheSize: 0 });
    try {
      const [withCache, withoutCache] = [
        await sideBySide(
          [{ name: 'cached', run: (i) => decideToNullSink(cached.authorize, eventFor(i)) }],
          options,
        ),
        await sideBySide(
          [{ name: 'uncached', run: (i) => decideToNullSink(uncached.authorize, eventFor(i)) }],
          {
            iterations: options.uncachedIterations,
            warmup: Math.min(options.warmup, options.uncachedIterations),
          },
        ),
      ];
      const stats = cached.policy.cacheStats();
      rows.push({
        policies: count,
        cached: withCache.cached as Summary,
        uncached: withoutCache.uncached as Summary,
        cacheHitRate: stats.hits / (stats.hits + stats.misses),
      });
    } finally {
      cached.close();
      uncached.close();
    }
  }
  return rows;
}

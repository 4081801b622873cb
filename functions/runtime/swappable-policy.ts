/**
 * A policy engine whose set can be replaced while it serves: the runtime half of policy hot
 * reload (`zta serve`). The core's engine stays immutable; this wrapper only chooses which
 * loaded set answers.
 *
 * Why a decision never mixes two sets: the authorizer calls `evaluate` and then reads
 * `revision` for the record with no `await` between them, and `swap` is synchronous, so a swap
 * (which runs in its own timer or file-watch callback) can never fall between the two reads.
 * A reload must therefore load and validate the new set completely first and call `swap` only
 * with a set that is ready — as `reloadPolicies` in build-authorizer.ts does.
 */
import type { DecisionCacheStats } from '../core/policy/decision-cache.ts';
import type { LoadedPolicyEngine } from '../core/policy/engine.ts';
import type { PolicyExplanation, PolicyInput, PolicyResult } from '../core/policy/types.ts';

export interface SwappablePolicyEngine extends LoadedPolicyEngine {
  explain(input: PolicyInput): PolicyExplanation;
  /** The set deciding now. */
  current(): LoadedPolicyEngine;
  /** Makes `next` the deciding set, at once and entirely. */
  swap(next: LoadedPolicyEngine): void;
}

export function swappablePolicyEngine(initial: LoadedPolicyEngine): SwappablePolicyEngine {
  let engine = initial;
  return Object.freeze({
    get revision(): string {
      return engine.revision;
    },
    get policyIds(): readonly string[] {
      return engine.policyIds;
    },
    get fromCompiled(): boolean {
      return engine.fromCompiled;
    },
    cacheStats: (): DecisionCacheStats => engine.cacheStats(),
    compiled: () => engine.compiled(),
    evaluate: (input: PolicyInput): PolicyResult => engine.evaluate(input),
    explain(input: PolicyInput): PolicyExplanation {
      // One read of `engine`: the explanation and its result come from the same set.
      const set = engine;
      return set.explain
        ? set.explain(input)
        : { result: set.evaluate(input), request: undefined, matched: [] };
    },
    current: () => engine,
    swap(next: LoadedPolicyEngine): void {
      engine = next;
    },
  });
}

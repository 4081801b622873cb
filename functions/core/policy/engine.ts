/**
 * The Cedar policy engine: load once, decide many times.
 *
 * Construction (cold start) does all the work that can fail: it validates the set strictly
 * against the schema, pre-parses schema and set into Cedar's cache, and runs one request per
 * action through Cedar to prove the schema accepts what the mapping sends (which also warms the
 * wasm). Any problem throws `PolicyLoadError`.
 *
 * Error semantics of `evaluate` (it never throws; every error path denies):
 * - method not an action of the schema → deny `policy_denied` (nothing can permit it);
 * - Cedar `failure`, an evaluation error in any policy, or an unexpected exception → deny
 *   `policy_error`. An erroring policy counts as failure even when Cedar would still decide,
 *   because Cedar skips an erroring forbid, which could turn a deny into an allow;
 * - deny with no determining policy → `policy_denied`;
 * - deny by forbids → the `@reason` of the first annotated one in load order, else `forbidden_by_policy`.
 */

import type { MatchedPolicy } from '../explain.ts';
import { assertUnreachable, type PolicyReason } from '../reasons.ts';
import { type AuthorizationAnswer, cedar, describeCedarError } from './cedar.ts';
import { type CompiledPolicySet, compiledFrom, fromCompiled } from './compiled.ts';
import { createDecisionCache, type DecisionCacheStats } from './decision-cache.ts';
import { PolicyLoadError } from './errors.ts';
import { type LoadedPolicy, loadPolicySet, type PolicySource } from './load.ts';
import { type CedarRequest, toCedarRequest } from './mapping.ts';
import { policyReads } from './reads.ts';
import type { PolicyEngine, PolicyExplanation, PolicyInput, PolicyResult } from './types.ts';

export type { PolicySource } from './load.ts';
export { revisionOf } from './revision.ts';

import { revisionOf } from './revision.ts';

/** A `PolicyEngine` that also lists what it loaded (for `zta validate` and decision logs). */
export interface LoadedPolicyEngine extends PolicyEngine {
  /** Policy ids in load order: files sorted by name, then position in the file. */
  readonly policyIds: readonly string[];
  /** Decision cache counters, for benchmarks and metrics. */
  cacheStats(): DecisionCacheStats;
  /** True when a matching compiled set spared the full load (`PolicyEngineOptions.compiled`). */
  readonly fromCompiled: boolean;
  /** What this engine loaded and analysed, to ship as `compiled-policies.json` (`compiled.ts`). */
  compiled(): CompiledPolicySet;
}

export interface PolicyEngineOptions {
  /**
   * Most Cedar answers kept in the decision cache (`decision-cache.ts`); 0 asks Cedar every time.
   * @default 4096
   */
  readonly decisionCacheSize?: number;
  /**
   * A `CompiledPolicySet` built from this very source (`compiled.ts`): when it matches, the
   * cold start skips re-validating and re-analysing what the build already did.
   * @default - none: the source is loaded and validated in full
   */
  readonly compiled?: unknown;
}

/** Loads, validates and pre-parses `source`; throws `PolicyLoadError` naming every problem. */
export function createPolicyEngine(
  source: PolicySource,
  options: PolicyEngineOptions = {},
): LoadedPolicyEngine {
  const revision = revisionOf(source);
  const prepared = options.compiled === undefined ? undefined : fromCompiled(options.compiled, revision);
  const { policies, actions } = prepared ?? loadPolicySet(source);
  // Cedar caches pre-parsed sets per thread under this key; the same texts give the same key.
  const key = `zta-${revision}`;
  const staticPolicies = Object.fromEntries(policies.map((policy) => [policy.id, policy.text]));
  for (const answer of [
    cedar.preparseSchema(key, source.schema),
    cedar.preparsePolicySet(key, { staticPolicies }),
  ]) {
    if (answer.type === 'failure') {
      throw new PolicyLoadError(answer.errors.map((error) => describeCedarError(error, 'pre-parse')));
    }
  }
  const authorize = (request: CedarRequest): AuthorizationAnswer =>
    cedar.statefulIsAuthorized({
      ...request,
      preparsedPolicySetId: key,
      preparsedSchemaName: key,
      validateRequest: true,
    });
  // A matching compiled set was built by this same code and Cedar from this same schema, so the
  // build already proved every action's shape: one request still warms the wasm.
  checkRequestShape(prepared ? new Set([...actions].sort().slice(0, 1)) : actions, authorize);
  const reads = prepared?.reads ?? policyReads(policies.map((policy) => policy.text));
  const cache = createDecisionCache(reads, options.decisionCacheSize ?? 4096);

  const rank = new Map(policies.map((policy, index) => [policy.id, { policy, index }]));
  const decide = (input: PolicyInput): PolicyResult => {
    if (!actions.has(input.request.method)) return deny('policy_denied', []);
    const request = toCedarRequest(input);
    return cache.answer(request, () => fromCedar(authorize(request)));
  };
  const fromCedar = (answer: AuthorizationAnswer): PolicyResult => {
    if (answer.type === 'failure') {
      return deny(
        'policy_error',
        [],
        answer.errors.map((error) => error.message),
      );
    }
    const { decision, diagnostics } = answer.response;
    const determining = inLoadOrder(diagnostics.reason, rank);
    if (diagnostics.errors.length > 0) {
      const errors = diagnostics.errors.map(({ policyId, error }) => `${policyId}: ${error.message}`);
      return deny('policy_error', determining, errors);
    }
    switch (decision) {
      case 'allow':
        return { decision: 'allow', determiningPolicies: determining };
      case 'deny': {
        if (determining.length === 0) return deny('policy_denied', []);
        const annotated = determining.map((id) => rank.get(id)?.policy.reason).find((r) => r !== undefined);
        return deny(annotated ?? 'forbidden_by_policy', determining);
      }
      default:
        return assertUnreachable(decision);
    }
  };

  return Object.freeze({
    revision,
    policyIds: Object.freeze(policies.map((policy) => policy.id)),
    cacheStats: cache.stats,
    fromCompiled: prepared !== undefined,
    compiled: () => compiledFrom({ policies, actions, reads }, revision),
    evaluate(input: PolicyInput): PolicyResult {
      try {
        return decide(input);
      } catch (error) {
        return deny('policy_error', [], [error instanceof Error ? error.message : String(error)]);
      }
    },
    explain(input: PolicyInput): PolicyExplanation {
      if (!actions.has(input.request.method)) {
        return { result: deny('policy_denied', []), request: undefined, matched: [] };
      }
      let request: CedarRequest;
      try {
        request = toCedarRequest(input);
      } catch (error) {
        const errors = [error instanceof Error ? error.message : String(error)];
        return { result: deny('policy_error', [], errors), request: undefined, matched: [] };
      }
      // The same request and answer mapping as `evaluate`, without the decision cache.
      const result = fromCedar(authorize(request));
      return {
        result,
        request: request as unknown as Record<string, unknown>,
        matched: matchedBy(request, policies, source.schema),
      };
    },
  });
}

/**
 * Every policy whose conditions the request satisfies, whatever the decision (a permit that a
 * forbid overrode included): each policy alone, asked by Cedar. Slow (one call per policy), so
 * for explanations only, never on the decision path.
 */
function matchedBy(
  request: CedarRequest,
  policies: readonly LoadedPolicy[],
  schema: string,
): MatchedPolicy[] {
  const matched: MatchedPolicy[] = [];
  for (const policy of policies) {
    const answer = cedar.isAuthorized({
      ...request,
      policies: { staticPolicies: { [policy.id]: policy.text } },
      schema,
      validateRequest: true,
    });
    if (answer.type === 'success' && answer.response.diagnostics.reason.includes(policy.id)) {
      matched.push({ id: policy.id, effect: policy.effect, file: policy.file, line: policy.line });
    }
  }
  return matched;
}

function deny(
  reason: PolicyReason,
  determiningPolicies: readonly string[],
  errors: readonly string[] = [],
): PolicyResult {
  return { decision: 'deny', reason, determiningPolicies, errors };
}

function inLoadOrder(ids: readonly string[], rank: ReadonlyMap<string, { index: number }>): string[] {
  const at = (id: string) => rank.get(id)?.index ?? Number.MAX_SAFE_INTEGER;
  return [...ids].sort((a, b) => at(a) - at(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * Sends, for every action, a request with every optional fact and one with none. A schema that
 * does not accept the mapping's shape would otherwise fail every request at run time; the first
 * call also pays the wasm's lazy compile here rather than on a user's request.
 */
function checkRequestShape(
  actions: ReadonlySet<string>,
  authorize: (r: CedarRequest) => AuthorizationAnswer,
) {
  const refused = new Map<string, Set<string>>();
  const full: PolicyInput = {
    principal: {
      issuer: 'https://issuer.invalid',
      subject: 'warm-up',
      roles: ['warm-up'],
      mfa: true,
      authTime: 1,
      scopes: ['warm-up'],
    },
    request: {
      method: '',
      route: '/{proxy+}',
      path: '/warm-up',
      apiId: 'api',
      stage: 'stage',
      sourceIp: '192.0.2.1',
    },
    now: 2,
  };
  const bare: PolicyInput = {
    principal: { issuer: 'https://issuer.invalid', subject: 'warm-up', roles: [], mfa: false },
    request: { method: '', route: '/warm-up', path: '/warm-up' },
    now: 2,
  };
  for (const method of [...actions].sort()) {
    for (const input of [full, bare]) {
      const answer = authorize(toCedarRequest({ ...input, request: { ...input.request, method } }));
      if (answer.type === 'success') continue;
      const detail = answer.errors.map((error) => error.message).join('; ');
      refused.set(detail, (refused.get(detail) ?? new Set()).add(method));
    }
  }
  const problems = [...refused].map(
    ([detail, methods]) =>
      `schema: refuses the request the engine sends for ${methods.size > 1 ? 'actions' : 'action'} ${[...methods].join(', ')}: ${detail}`,
  );
  if (problems.length > 0) throw new PolicyLoadError(problems);
}

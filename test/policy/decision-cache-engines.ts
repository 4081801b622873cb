/**
 * The engines of the decision-cache tests: the policy sets of `fixtures/decision-cache/`, an
 * engine with a small decision cache, the uncached reference engine, and the kind of an answer.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  createPolicyEngine,
  type LoadedPolicyEngine,
  type PolicySource,
} from '../../functions/core/policy/engine.ts';
import type { PolicyResult } from '../../functions/core/policy/types.ts';
import type { PolicyReason } from '../../functions/core/reasons.ts';
import { defaultSource, SCHEMA_WITH_CLAIMS, sourceWith } from './helpers.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/decision-cache/', import.meta.url));

/** The `.cedar` files of `fixtures/decision-cache/<name>/` with the shipped schema, typed claims declared. */
export function fixtureSource(name: string): PolicySource {
  const dir = `${FIXTURES}${name}`;
  const files = readdirSync(dir).filter((file) => file.endsWith('.cedar'));
  return sourceWith(
    Object.fromEntries(files.map((file) => [file, readFileSync(`${dir}/${file}`, 'utf8')])),
    SCHEMA_WITH_CLAIMS,
  );
}

/** A fixture set, `default`, or `default+subject` (the shipped policies plus `subject`). */
export function sourceOf(set: string): PolicySource {
  if (set === 'default') return defaultSource();
  if (set === 'default+subject') {
    return sourceWith({ ...defaultSource().policies, ...fixtureSource('subject').policies });
  }
  return fixtureSource(set);
}

/** A cache small enough that the property runs evict entries too. */
const CACHE_SIZE = 64;

export function cachedEngine(source: PolicySource, decisionCacheSize = CACHE_SIZE): LoadedPolicyEngine {
  return createPolicyEngine(source, { decisionCacheSize });
}

// The reference engine holds no state, so one per set serves the whole test file.
const references = new Map<string, LoadedPolicyEngine>();
export function referenceEngine(name: string, source: () => PolicySource): LoadedPolicyEngine {
  const known = references.get(name);
  if (known) return known;
  const engine = createPolicyEngine(source(), { decisionCacheSize: 0 });
  references.set(name, engine);
  return engine;
}

/** An answer's kind; `evaluation_error` is a `policy_error` raised by a policy, not by the mapping. */
export type Outcome = 'allow' | PolicyReason | 'evaluation_error';
export function outcomeOf(result: PolicyResult, policyIds: readonly string[]): Outcome {
  if (result.decision === 'allow') return 'allow';
  const raised = result.errors.some((error) => policyIds.some((id) => error.startsWith(`${id}: `)));
  return raised ? 'evaluation_error' : result.reason;
}

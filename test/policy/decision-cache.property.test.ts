/**
 * The decision cache may save work, never change an answer. Each policy set of the table is loaded
 * twice, uncached (the reference) and with a small cache, and both get the same sequences of
 * inputs drawn from small alphabets. Sequences are random walks that change one or two facts at a
 * time, so inputs that differ only in a fact the cache key might leave out follow each other often.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LoadedPolicyEngine, PolicySource } from '../../functions/core/policy/engine.ts';
import type { PolicyResult } from '../../functions/core/policy/types.ts';
import {
  cachedEngine,
  fixtureSource,
  type Outcome,
  outcomeOf,
  referenceEngine,
} from './decision-cache-engines.ts';
import { defaultSource, SCHEMA_WITH_CLAIMS, sourceWith } from './helpers.ts';
import { type Facts, toInput } from './policy-facts.ts';
import { sequences } from './policy-walks.ts';

interface PolicySet {
  readonly name: string;
  readonly source: () => PolicySource;
  readonly runs: number;
  /** Outcomes the generated inputs must reach, so that a pass is not one answer by chance. */
  readonly reaches: readonly Outcome[];
}

const fixtureSet = (name: string, runs: number, reaches: readonly Outcome[]): PolicySet => ({
  name,
  source: () => fixtureSource(name),
  runs,
  reaches,
});

// Each fixture set reads a part of the request through one construct only where it can, because
// one construct that needs a part in the key hides a cache that forgets it for another: a policy
// reading the principal whole would hide a cache that drops the id for `principal == …`.
const POLICY_SETS: readonly PolicySet[] = [
  {
    name: 'default',
    // The shipped policies; the schema also declares the typed claims the walks send.
    source: () => sourceWith(defaultSource().policies, SCHEMA_WITH_CLAIMS),
    runs: 100,
    reaches: ['allow', 'policy_denied', 'role_required', 'mfa_required', 'policy_error'],
  },
  fixtureSet('subject', 60, ['allow', 'policy_denied']),
  fixtureSet('identity', 40, ['allow', 'policy_denied']),
  fixtureSet('ancestry', 40, ['allow', 'policy_denied']),
  fixtureSet('attributes', 100, ['allow', 'policy_denied', 'forbidden_by_policy']),
  fixtureSet('time', 100, ['allow', 'policy_denied', 'forbidden_by_policy']),
  fixtureSet('network', 60, ['allow', 'policy_denied', 'forbidden_by_policy']),
  fixtureSet('record', 40, ['allow', 'policy_denied']),
  fixtureSet('conditional', 40, ['allow', 'policy_denied', 'evaluation_error']),
  fixtureSet('collections', 60, ['allow', 'policy_denied']),
  fixtureSet('literals', 60, ['allow', 'policy_denied', 'evaluation_error']),
  fixtureSet('errors', 100, ['allow', 'policy_denied', 'forbidden_by_policy', 'evaluation_error']),
  fixtureSet('scopes', 100, ['allow', 'policy_denied', 'forbidden_by_policy']),
  fixtureSet('claims', 100, ['allow', 'policy_denied', 'forbidden_by_policy', 'policy_error']),
  fixtureSet('reasons', 100, [
    'allow',
    'policy_denied',
    'forbidden_by_policy',
    'role_required',
    'mfa_required',
  ]),
];

/**
 * The reference answer for `facts`. The uncached engine is a pure function of its input, so its
 * answers are memoized on the whole input, the one key that is right by construction; this spends
 * the time on new inputs for the cached engine rather than on Cedar calls for repeated ones.
 */
function memoized(engine: LoadedPolicyEngine): (facts: Facts) => PolicyResult {
  const answers = new Map<string, PolicyResult>();
  return (facts) => {
    // Numbers are tagged so NaN stays apart from an absent fact (JSON writes both as null).
    const key = JSON.stringify(facts, (_, value) =>
      typeof value === 'number' ? `#${value}` : value === undefined ? '#absent' : value,
    );
    let answer = answers.get(key);
    if (answer === undefined) {
      answer = engine.evaluate(toInput(facts));
      answers.set(key, answer);
    }
    return answer;
  };
}

describe('decision cache: same answers as no cache', () => {
  it.each(POLICY_SETS)('$name policies', ({ name, source, runs, reaches }) => {
    // Prepare
    const uncached = referenceEngine(name, source);
    const reference = memoized(uncached);
    const cached = cachedEngine(source());
    const seen = new Set<Outcome>();

    // Act / Assess: the cached engine lives through every run, so entries outlive their sequence
    // and get evicted; a counterexample may therefore depend on earlier runs too.
    fc.assert(
      fc.property(sequences, (sequence) => {
        const expected = sequence.map(reference);
        const actual = sequence.map((facts) => cached.evaluate(toInput(facts)));
        for (const result of expected) seen.add(outcomeOf(result, uncached.policyIds));
        expect(actual).toStrictEqual(expected);
      }),
      { numRuns: runs },
    );
    expect([...seen]).toEqual(expect.arrayContaining([...reaches]));
  });
});

/**
 * The decision cache may save work, never change an answer. Each policy set of the table is loaded
 * twice, uncached (the reference) and with a small cache, and both get the same sequences of
 * inputs drawn from small alphabets. Sequences are random walks that change one or two facts at a
 * time, so inputs that differ only in a fact the cache key might leave out follow each other often.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createPolicyEngine,
  type LoadedPolicyEngine,
  type PolicySource,
} from '../../functions/core/policy/engine.ts';
import type { PolicyInput, PolicyResult } from '../../functions/core/policy/types.ts';
import type { PolicyReason } from '../../functions/core/reasons.ts';
import { defaultSource, NOW, sourceWith } from './helpers.ts';

const FIXTURES = fileURLToPath(new URL('./fixtures/decision-cache/', import.meta.url));

/** The `.cedar` files of `fixtures/decision-cache/<name>/` with the shipped schema. */
function fixtureSource(name: string): PolicySource {
  const dir = `${FIXTURES}${name}`;
  const files = readdirSync(dir).filter((file) => file.endsWith('.cedar'));
  return sourceWith(Object.fromEntries(files.map((file) => [file, readFileSync(`${dir}/${file}`, 'utf8')])));
}

/** A cache small enough that the property runs evict entries too. */
const CACHE_SIZE = 64;
const STEPS = 30;

function cachedEngine(source: PolicySource, decisionCacheSize = CACHE_SIZE): LoadedPolicyEngine {
  return createPolicyEngine(source, { decisionCacheSize });
}

// The reference engine holds no state, so one per set serves the whole file.
const references = new Map<string, LoadedPolicyEngine>();
function referenceEngine(name: string, source: () => PolicySource): LoadedPolicyEngine {
  const known = references.get(name);
  if (known) return known;
  const engine = createPolicyEngine(source(), { decisionCacheSize: 0 });
  references.set(name, engine);
  return engine;
}

/** `auth_time` as seconds before `now` (negative: in the future) or as a fixed time. */
type AuthTime = { readonly ago: number } | { readonly at: number } | undefined;

/** One input, flat, so a walk step can change any single fact. */
interface Facts {
  readonly issuer: string;
  readonly subject: string;
  readonly roles: readonly string[];
  readonly mfa: boolean;
  readonly auth: AuthTime;
  readonly now: number;
  readonly method: string;
  readonly route: string;
  readonly path: string;
  readonly apiId: string | undefined;
  readonly stage: string | undefined;
  readonly sourceIp: string | undefined;
}

function toInput(facts: Facts): PolicyInput {
  const { auth, now, apiId, stage, sourceIp } = facts;
  const authTime = auth === undefined ? undefined : 'ago' in auth ? now - auth.ago : auth.at;
  return {
    principal: {
      issuer: facts.issuer,
      subject: facts.subject,
      roles: facts.roles,
      mfa: facts.mfa,
      ...(authTime === undefined ? {} : { authTime }),
    },
    request: {
      method: facts.method,
      route: facts.route,
      path: facts.path,
      ...(apiId === undefined ? {} : { apiId }),
      ...(stage === undefined ? {} : { stage }),
      ...(sourceIp === undefined ? {} : { sourceIp }),
    },
    now,
  };
}

/** Mostly `common`, sometimes one of `rare`. */
const mostly = <T>(common: readonly T[], rare: readonly T[] = []): fc.Arbitrary<T> =>
  rare.length === 0
    ? fc.constantFrom(...common)
    : fc.oneof(
        { arbitrary: fc.constantFrom(...common), weight: 9 },
        { arbitrary: fc.constantFrom(...rare), weight: 1 },
      );

// Alphabets. "https://a.test" + "x|alice" and "https://a.test|x" + "alice" are one principal id
// with different attributes and issuer parent; a role named like an issuer is another entity;
// NaN and a lone surrogate make the mapping throw, so no cached twin may answer for them.
const FACTS: { readonly [K in keyof Facts]: fc.Arbitrary<Facts[K]> } = {
  issuer: fc.constantFrom('https://a.test', 'https://b.test', 'https://a.test|x'),
  subject: mostly(['alice', 'bob', 'carol', 'x|alice'], ['\ud800']),
  roles: fc.array(mostly(['admin', 'dev', 'ops'], ['https://a.test', 'https://b.test']), { maxLength: 4 }),
  mfa: fc.boolean(),
  auth: mostly<AuthTime>([
    undefined,
    { ago: 0 },
    { ago: 1 },
    { ago: 2 },
    { ago: 299 },
    { ago: 300 },
    { ago: 5000 },
    { ago: -60 },
    { at: 800 },
    { at: NOW - 10 },
  ]),
  now: mostly([0, 1, 500, 999, 999.5, 1000, NOW, NOW + 1], [Number.NaN]),
  // `read` is an action group of the schema, not an action a request may name.
  method: fc.constantFrom('GET', 'HEAD', 'POST', 'DELETE', 'BREW', 'read'),
  route: fc.constantFrom('/items/{id}', '/{proxy+}', '$default', '/api/sensitive', '/api/profile'),
  path: fc.constantFrom('/items/1', '/items/12', '/items/2', '/items/{id}', '/api/sensitive', '/api/profile'),
  apiId: fc.constantFrom(undefined, 'x', 'y'),
  stage: fc.constantFrom(undefined, 'prod', 'dev'),
  sourceIp: fc.constantFrom(
    undefined,
    '10.1.2.3',
    '10.9.9.9',
    '192.0.2.1',
    '::ffff:10.1.2.3',
    '::ffff:192.0.2.1',
    '2001:db8::1',
    '2001:db8::2',
    '2001:DB8::1',
    '::1',
    '10.0.0.0/8',
    'not-an-ip',
  ),
};

const oneFact: fc.Arbitrary<Partial<Facts>> = fc.oneof(
  ...(Object.keys(FACTS) as (keyof Facts)[]).map((key) =>
    (FACTS[key] as fc.Arbitrary<unknown>).map((value) => ({ [key]: value }) as Partial<Facts>),
  ),
);

/** Walkers start anywhere; each step moves one of them by zero (a repeat), one or two facts. */
const sequences: fc.Arbitrary<Facts[]> = fc
  .record({
    walkers: fc.array(fc.record(FACTS), { minLength: 1, maxLength: 4 }),
    steps: fc.array(fc.record({ walker: fc.nat(), moves: fc.array(oneFact, { maxLength: 2 }) }), {
      minLength: STEPS,
      maxLength: STEPS,
    }),
  })
  .map(({ walkers, steps }) => {
    const at = [...walkers];
    return steps.map(({ walker, moves }) => {
      const index = walker % at.length;
      const next: Facts = Object.assign({}, at[index] as Facts, ...moves);
      at[index] = next;
      return next;
    });
  });

/** An answer's kind; `evaluation_error` is a `policy_error` raised by a policy, not by the mapping. */
type Outcome = 'allow' | PolicyReason | 'evaluation_error';
function outcomeOf(result: PolicyResult, policyIds: readonly string[]): Outcome {
  if (result.decision === 'allow') return 'allow';
  const raised = result.errors.some((error) => policyIds.some((id) => error.startsWith(`${id}: `)));
  return raised ? 'evaluation_error' : result.reason;
}

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
    source: defaultSource,
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

const BASE: Facts = {
  issuer: 'https://a.test',
  subject: 'alice',
  roles: [],
  mfa: false,
  auth: undefined,
  now: NOW,
  method: 'GET',
  route: '/api/profile',
  path: '/api/profile',
  apiId: undefined,
  stage: undefined,
  sourceIp: undefined,
};
const BOB = { issuer: 'https://b.test', subject: 'bob' } as const;
const ITEMS_1 = { route: '/items/{id}', path: '/items/1' } as const;
const SENSITIVE = { route: '/api/sensitive', path: '/api/sensitive' } as const;

/** Facts changed from `BASE`, the outcome, and (when given) the determining policies in order. */
type Step = readonly [Partial<Facts>, Outcome, (readonly string[])?];

/** A fixture set, `default`, or `default+subject` (the shipped policies plus `subject`). */
function sourceOf(set: string): PolicySource {
  if (set === 'default') return defaultSource();
  if (set === 'default+subject') {
    return sourceWith({ ...defaultSource().policies, ...fixtureSource('subject').policies });
  }
  return fixtureSource(set);
}

// name, policy set, steps fed in order to one fresh cached engine.
const EXAMPLES: readonly (readonly [string, string, readonly Step[]])[] = [
  [
    'a subject-specific permit next to the default policies still allows only alice',
    'default+subject',
    [
      [{ ...BOB, ...ITEMS_1 }, 'policy_denied'],
      [{ ...ITEMS_1 }, 'allow', ['subject.1']],
      [{ ...BOB, ...ITEMS_1 }, 'policy_denied'],
      [{ subject: 'carol', ...ITEMS_1 }, 'policy_denied'],
      [{ ...BOB }, 'allow', ['profile.any-authenticated']],
      [{}, 'allow', ['profile.any-authenticated', 'subject.1']],
      [{ ...SENSITIVE }, 'role_required', ['sensitive.require-admin', 'sensitive.require-mfa']],
    ],
  ],
  [
    '`principal == User literal` in a condition tells apart callers with the same roles',
    'identity',
    [
      [{ subject: 'x|alice' }, 'allow', ['identity.1']],
      [{ issuer: 'https://a.test|x' }, 'allow', ['identity.1']],
      [{}, 'policy_denied'],
      [{ method: 'POST' }, 'allow', ['identity.2']],
      [{ method: 'POST', ...BOB }, 'policy_denied'],
    ],
  ],
  [
    '`principal in User literal` holds for that user whatever its roles',
    'ancestry',
    [
      [{}, 'allow', ['ancestry.1']],
      [{ subject: 'bob' }, 'policy_denied'],
      [{ roles: ['admin'] }, 'allow', ['ancestry.1']],
      [{ method: 'POST', ...BOB }, 'allow', ['ancestry.2']],
      [{ method: 'POST', issuer: 'https://b.test' }, 'policy_denied'],
    ],
  ],
  [
    'a policy reading context.now answers differently at different now values',
    'time',
    [
      [{ now: 999 }, 'allow', ['time.1']],
      [{ now: 1000 }, 'policy_denied'],
      [{ now: 999.5 }, 'allow', ['time.1']],
      [{ now: NOW }, 'policy_denied'],
      [{ now: 999, ...BOB }, 'allow', ['time.1']],
    ],
  ],
  [
    'the same auth_time ages as now moves',
    'time',
    [
      [{ method: 'POST', auth: { at: 800 }, now: 999 }, 'allow', ['time.2']],
      [{ method: 'POST', auth: { at: 800 }, now: 1099 }, 'allow', ['time.2']],
      [{ method: 'POST', auth: { at: 800 }, now: 1100 }, 'policy_denied'],
      [{ method: 'POST', auth: { ago: -60 }, now: 999 }, 'policy_denied'],
      [{ method: 'POST', auth: { at: 800 }, now: 999 }, 'allow', ['time.2']],
    ],
  ],
  [
    'an evaluation error is answered again, never replaced by a cached answer',
    'errors',
    [
      [{ now: 999 }, 'allow', ['now-overflow']],
      [{ now: 1000 }, 'evaluation_error', []],
      [{ now: 999 }, 'allow', ['now-overflow']],
      [{ now: 1000 }, 'evaluation_error', []],
      [{ method: 'DELETE', now: 999 }, 'allow', ['delete']],
      [{ method: 'DELETE', now: 999, roles: ['ops'] }, 'evaluation_error', ['delete']],
      [{ method: 'DELETE', now: 1, roles: ['ops'] }, 'forbidden_by_policy', ['ops-overflow']],
      [{ method: 'POST', auth: { ago: 0 }, now: 999 }, 'allow', ['post']],
      [{ method: 'POST', auth: { ago: 1 }, now: 999 }, 'forbidden_by_policy', ['age-overflow']],
      [{ method: 'POST', auth: { ago: 2 }, now: 999 }, 'evaluation_error', ['post']],
    ],
  ],
  [
    'two (issuer, subject) pairs with one principal id keep their own attributes',
    'attributes',
    [
      [{ subject: 'x|alice' }, 'policy_denied'],
      [{ issuer: 'https://a.test|x' }, 'allow', ['attributes.1']],
      [{ subject: 'x|alice' }, 'policy_denied'],
    ],
  ],
  [
    'a proxy route reaching "/items/{id}" shares the template route\'s id but not its template',
    'attributes',
    [
      [{ issuer: 'https://b.test', route: '/items/{id}', path: '/items/{id}' }, 'allow', ['attributes.1']],
      [{ issuer: 'https://b.test', route: '/{proxy+}', path: '/items/{id}' }, 'forbidden_by_policy'],
      [{ method: 'POST', route: '/items/{id}', path: '/items/12' }, 'allow', ['attributes.2']],
      [{ method: 'POST', route: '/items/{id}', path: '/items/2' }, 'policy_denied'],
      [{ method: 'DELETE', route: '/items/{id}', path: '/items/2', apiId: 'x' }, 'allow', ['attributes.3']],
      [{ method: 'DELETE', route: '/items/{id}', path: '/items/2', apiId: 'y' }, 'policy_denied'],
    ],
  ],
  [
    "a User literal's attribute is readable only when the caller is that user",
    'literals',
    [
      [{}, 'allow', ['literal-attribute']],
      [{ ...BOB }, 'evaluation_error', []],
      [{ issuer: 'https://b.test' }, 'evaluation_error', []],
      [{}, 'allow', ['literal-attribute']],
    ],
  ],
  [
    "a User literal's roles are read through `in` without naming principal",
    'literals',
    [
      [{ method: 'POST', ...SENSITIVE, roles: ['admin'] }, 'allow', ['literal-ancestors']],
      [{ method: 'POST', ...SENSITIVE }, 'policy_denied'],
      [{ method: 'POST', ...SENSITIVE, roles: ['admin'], ...BOB }, 'policy_denied'],
      [{ method: 'POST', ...SENSITIVE, roles: ['admin'] }, 'allow', ['literal-ancestors']],
    ],
  ],
  [
    'a Route literal `has` reads the resource when it is that route',
    'collections',
    [
      [{ method: 'HEAD', route: '/items/{id}', path: '/items/2', apiId: 'y' }, 'allow', ['literal-has']],
      [{ method: 'HEAD', route: '/items/{id}', path: '/items/2' }, 'policy_denied'],
      [{ method: 'HEAD', route: '/{proxy+}', path: '/items/{id}', apiId: 'y' }, 'allow', ['literal-has']],
      [{ method: 'HEAD', route: '/{proxy+}', path: '/items/2', apiId: 'y' }, 'policy_denied'],
    ],
  ],
  [
    "reads in a conditional's branches and in an extension call's argument count",
    'conditional',
    [
      [{ method: 'POST', ...BOB, mfa: true }, 'allow', ['conditional.1']],
      [{ method: 'POST', mfa: true }, 'policy_denied'],
      [{ method: 'POST', ...BOB }, 'allow', ['conditional.1']],
      [{ method: 'POST' }, 'evaluation_error', []],
      [{ apiId: 'x' }, 'allow', ['conditional.2']],
      [{}, 'policy_denied'],
    ],
  ],
  [
    'facts Cedar cannot take are refused every time, even with a valid twin cached',
    'default',
    [
      [{}, 'allow'],
      [{ now: Number.NaN }, 'policy_error', []],
      [{ subject: '\ud800' }, 'policy_error', []],
      [{ subject: 'bob' }, 'allow'],
      [{ method: 'BREW' }, 'policy_denied', []],
      [{ method: 'read' }, 'policy_denied', []],
    ],
  ],
  [
    'deny reasons and determining policies follow load order across files',
    'reasons',
    [
      [
        { method: 'DELETE', ...SENSITIVE, stage: 'prod', roles: ['dev'] },
        'mfa_required',
        ['a.stage-prod', 'b.require-mfa', 'b.require-role', 'b.dev-needs-mfa'],
      ],
      [
        { method: 'DELETE', ...SENSITIVE, stage: 'prod', roles: ['dev'], mfa: true },
        'role_required',
        ['a.stage-prod', 'b.require-role'],
      ],
      [
        { method: 'DELETE', ...SENSITIVE, stage: 'prod', roles: ['ops'], mfa: true },
        'forbidden_by_policy',
        ['a.stage-prod'],
      ],
      [{ method: 'DELETE', ...SENSITIVE, roles: ['ops'], mfa: true }, 'allow', ['b.ops-write']],
      [
        { method: 'DELETE', ...SENSITIVE, roles: ['admin', 'ops'], mfa: true },
        'allow',
        ['b.ops-write', 'b.admin-write'],
      ],
      [
        { method: 'DELETE', ...SENSITIVE, roles: ['ops', 'admin', 'ops'], mfa: true },
        'allow',
        ['b.ops-write', 'b.admin-write'],
      ],
    ],
  ],
  [
    'a role named like an issuer is not that issuer',
    'reasons',
    [
      [
        { method: 'POST', issuer: 'https://b.test', roles: ['ops', 'https://a.test'] },
        'forbidden_by_policy',
        ['b.issuer-b-read-only'],
      ],
      [{ method: 'POST', roles: ['ops', 'https://b.test'] }, 'allow', ['b.ops-write']],
      [
        { method: 'POST', issuer: 'https://b.test', roles: ['ops', 'https://b.test'] },
        'allow',
        ['b.ops-write'],
      ],
    ],
  ],
  [
    'a source address counts in every spelling the mapping accepts, and not at all otherwise',
    'network',
    [
      [{ sourceIp: '10.1.2.3' }, 'allow'],
      [{ sourceIp: '::ffff:10.1.2.3' }, 'allow'],
      [{ sourceIp: '10.0.0.0/8' }, 'policy_denied'],
      [{ sourceIp: 'not-an-ip' }, 'policy_denied'],
      [{}, 'policy_denied'],
      [{ method: 'HEAD', sourceIp: '2001:db8::1' }, 'allow', ['network.3']],
      [{ method: 'HEAD', sourceIp: '2001:DB8::1' }, 'allow', ['network.3']],
      [{ method: 'HEAD', sourceIp: '2001:db8::2' }, 'policy_denied'],
    ],
  ],
];

describe('decision cache: examples', () => {
  it.each(EXAMPLES)('%s', (_, set, steps) => {
    // Prepare
    const reference = referenceEngine(set, () => sourceOf(set));
    const cached = cachedEngine(sourceOf(set));

    // Act
    const results = steps.map(([change]) => {
      const input = toInput({ ...BASE, ...change });
      return { cached: cached.evaluate(input), reference: reference.evaluate(input) };
    });

    // Assess
    for (const [index, [, outcome, determining]] of steps.entries()) {
      const { cached: answer, reference: expected } = results[index] ?? {};
      expect(answer, `step ${index}`).toStrictEqual(expected);
      expect(answer && outcomeOf(answer, reference.policyIds), `step ${index}`).toBe(outcome);
      if (determining) expect(answer?.determiningPolicies, `step ${index}`).toEqual(determining);
    }
  });
});

describe('decision cache: bookkeeping', () => {
  it('serves the default policies from one entry for inputs differing only in subject and now', () => {
    // Prepare
    const engine = cachedEngine(defaultSource());
    const inputs = ['alice', 'bob', 'carol', 'x|alice'].flatMap((subject, i) =>
      [NOW, NOW + i + 1, 999].map((now) =>
        toInput({ ...BASE, ...SENSITIVE, subject, now, roles: ['admin'], mfa: true }),
      ),
    );
    const before = engine.cacheStats();

    // Act
    const results = inputs.map((input) => engine.evaluate(input));

    // Assess
    for (const result of results) {
      expect(result).toEqual({ decision: 'allow', determiningPolicies: ['sensitive.admin-with-mfa'] });
    }
    const after = engine.cacheStats();
    expect(after.hits - before.hits).toBeGreaterThanOrEqual(inputs.length - 1);
  });

  it('holds no more entries than decisionCacheSize', () => {
    // Prepare: the time policies read context.now, so every now is a new key.
    const size = 8;
    const engine = cachedEngine(fixtureSource('time'), size);
    const reference = referenceEngine('time', () => fixtureSource('time'));
    const inputs = Array.from({ length: 100 }, (_, now) => toInput({ ...BASE, now: 950 + now }));

    // Act
    const results = [...inputs, ...inputs].map((input) => engine.evaluate(input));

    // Assess
    expect(results).toStrictEqual([...inputs, ...inputs].map((input) => reference.evaluate(input)));
    const { size: held } = engine.cacheStats();
    expect(held).toBeGreaterThan(0);
    expect(held).toBeLessThanOrEqual(size);
  });
});

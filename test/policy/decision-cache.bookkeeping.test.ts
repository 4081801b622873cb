/**
 * The decision cache's bookkeeping: inputs the policies cannot tell apart share one entry, and the
 * cache never holds more than `decisionCacheSize` entries.
 */
import { describe, expect, it } from 'vitest';
import { cachedEngine, fixtureSource, referenceEngine } from './decision-cache-engines.ts';
import { defaultSource, NOW } from './helpers.ts';
import { BASE, SENSITIVE, toInput } from './policy-facts.ts';

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

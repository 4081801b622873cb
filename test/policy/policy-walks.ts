/**
 * Random walks over policy inputs drawn from small alphabets: each step changes one or two facts
 * of one walker, so inputs that differ only in a fact a decision-cache key might leave out follow
 * each other often.
 */
import fc from 'fast-check';
import { NOW } from './helpers.ts';
import type { AuthTime, Facts } from './policy-facts.ts';

/** Inputs per sequence. */
const STEPS = 30;

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
  // Unsorted and repeated: the mapping sorts them, so a cache keyed on the raw order would only
  // miss; one keyed on less than the set would answer wrongly.
  scopes: fc.array(fc.constantFrom('orders:read', 'orders:write', 'orders:delete', 'admin', 'openid'), {
    maxLength: 4,
  }),
  claims: mostly<Facts['claims']>(
    [
      {},
      { tenant: 'a' },
      { tenant: 'b' },
      { level: 2 },
      { level: 1 },
      { compliant: true },
      { groups: ['x'] },
    ],
    [
      { tenant: 'a', compliant: false },
      { tenant: 'a', level: 3, groups: ['y', 'x'] },
      { groups: ['x', 'y'] },
      { groups: [] },
      { compliant: false },
      { tenant: '\ud800' },
      { level: 2 ** 53 },
    ],
  ),
};

const oneFact: fc.Arbitrary<Partial<Facts>> = fc.oneof(
  ...(Object.keys(FACTS) as (keyof Facts)[]).map((key) =>
    (FACTS[key] as fc.Arbitrary<unknown>).map((value) => ({ [key]: value }) as Partial<Facts>),
  ),
);

/** Walkers start anywhere; each step moves one of them by zero (a repeat), one or two facts. */
export const sequences: fc.Arbitrary<Facts[]> = fc
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

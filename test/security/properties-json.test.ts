/**
 * The hand-written JSON member scanner against random nested JSON text: names that decode to
 * the same string (`"a"` and `"\u0061"`), prototype names, and strings full of braces, colons,
 * quotes and backslashes, at any depth, with any JSON whitespace. A validly signed token whose
 * claims hold such a tree is ALLOWED exactly when no object in it repeats or forbids a name.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forge } from '../support/forge.ts';
import { baseClaims, bearerEvent, createWorld } from '../support/world.ts';

const PARAMS = { seed: 20_261_103, numRuns: 300 } as const;
const w = createWorld();
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** A fragment of JSON text, and whether the contract accepts it. */
interface Fragment {
  readonly text: string;
  readonly ok: boolean;
}

// Member names as written between quotes: plain, escaped spellings of the same name, tricky text.
const NAMES = [
  'a',
  'b',
  '\\u0061',
  'a\\"',
  '{',
  ':',
  ' a',
  '__proto__',
  '\\u005f_proto__',
  'constructor',
  'prototype',
];
// Leaf values as JSON text: strings that look like structure must not confuse the scanner.
const LEAVES = [
  '1',
  'null',
  'true',
  '"x"',
  '"{\\"a\\":1,\\"a\\":2}"',
  '"\\\\"',
  '":"',
  '"}"',
  '"\\\\\\""',
  '[]',
  '{}',
];
const ws = fc.constantFrom('', ' ', '\n', '\t', '\r\n ');

const { node } = fc.letrec<{ node: Fragment; object: Fragment; array: Fragment }>((tie) => ({
  node: fc.oneof(
    { maxDepth: 4, depthSize: 'small' },
    fc.constantFrom(...LEAVES).map((text) => ({ text, ok: true })),
    tie('object'),
    tie('array'),
  ),
  object: fc
    .array(fc.tuple(fc.constantFrom(...NAMES), ws, ws, tie('node')), { maxLength: 4 })
    .map((members) => {
      const names = members.map(([name]) => JSON.parse(`"${name}"`) as string);
      const ok =
        new Set(names).size === names.length &&
        !names.some((n) => FORBIDDEN.has(n)) &&
        members.every(([, , , child]) => child.ok);
      const text = members.map(([name, before, after, child]) => `"${name}"${before}:${after}${child.text}`);
      return { text: `{${text.join(',')}}`, ok };
    }),
  array: fc
    .array(tie('node'), { maxLength: 3 })
    .map((items) => ({ text: `[${items.map((i) => i.text).join(',')}]`, ok: items.every((i) => i.ok) })),
}));

describe('JSON member scanner', () => {
  it('a nested claim is accepted exactly when no object repeats or forbids a member name', async () => {
    const es1 = { alg: 'ES256', key: w.keys.es1.privateKey };
    const claimsText = (ctx: string) => `${JSON.stringify(baseClaims()).slice(0, -1)},"ctx":${ctx}}`;
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(node, async (tree) => {
        const token = forge({
          header: { alg: 'ES256', kid: 'es-1' },
          claims: claimsText(tree.text),
          signer: es1,
        });
        const { decision } = await w.default.decide(bearerEvent(token));
        expect(decision.effect === 'allow' ? 'allow' : decision.reason).toBe(
          tree.ok ? 'allow' : 'malformed_token',
        );
        if (tree.ok) accepted++;
      }),
      PARAMS,
    );
    expect(accepted).toBeGreaterThan(30);
    expect(accepted).toBeLessThan(PARAMS.numRuns - 30);
  });
});

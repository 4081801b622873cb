import { describe, expect, it } from 'vitest';
import { requestContextProblems, typedClaimMismatch } from '../../functions/core/policy/context-schema.ts';
import { createPolicyEngine } from '../../functions/core/policy/engine.ts';
import { PolicyLoadError } from '../../functions/core/policy/errors.ts';
import { SCHEMA, SCHEMA_WITH_CLAIMS, sourceWith } from './helpers.ts';

const schemaWith = (context: string, extra = '') => `namespace ZTA {
  entity User; entity Route;
  ${extra}
  action "GET" appliesTo { principal: User, resource: Route, context: ${context} };
}`;

describe('requestContextProblems: every action must accept what the engine sends', () => {
  it.each([
    ['the shipped schema', SCHEMA, []],
    ['scopes and claims inline', schemaWith('{ scopes: Set<String>, claims: {} }'), []],
    [
      'through common types',
      schemaWith('Ctx', 'type S = Set<String>; type C = {}; type Ctx = { scopes: S, claims: C };'),
      [],
    ],
    ['no scopes', schemaWith('{ claims: {} }'), [/action GET must declare "scopes: Set<String>"/]],
    ['scopes as a String', schemaWith('{ scopes: String, claims: {} }'), [/scopes: Set<String>/]],
    ['optional scopes', schemaWith('{ scopes?: Set<String>, claims: {} }'), [/scopes: Set<String>/]],
    ['no claims', schemaWith('{ scopes: Set<String> }'), [/action GET must declare "claims" as a record/]],
    ['claims not a record', schemaWith('{ scopes: Set<String>, claims: String }'), [/"claims" as a record/]],
  ])('%s', (_, schema, expected) => {
    const problems = requestContextProblems(schema);
    expect(problems).toHaveLength(expected.length);
    for (const [i, pattern] of expected.entries()) expect(problems[i]).toMatch(pattern);
  });

  it('refuses to load a policy set whose schema predates scopes, saying what to add', () => {
    const old = SCHEMA.replace(/\n\s*scopes: Set<String>,[^\n]*/, '');
    expect(() => createPolicyEngine(sourceWith({ p: 'permit (principal, action, resource);' }, old))).toThrow(
      PolicyLoadError,
    );
    expect(() => createPolicyEngine(sourceWith({ p: 'permit (principal, action, resource);' }, old))).toThrow(
      /must declare "scopes: Set<String>"/,
    );
  });
});

describe('typedClaimMismatch: a typed claim must be declared optional with the same type', () => {
  const at = 'issuers[0].claims.typed.tenant.type';
  it.each([
    ['declared as String', 'tenant', 'String', undefined],
    ['declared as Long', 'level', 'Long', undefined],
    ['declared as Bool', 'compliant', 'Bool', undefined],
    ['declared as Set<String>', 'groups', 'Set<String>', undefined],
    ['undeclared', 'region', 'String', /context\.claims\.region is not declared/],
    [
      'declared with another type',
      'tenant',
      'Long',
      /is Long, but the policy schema declares context\.claims\.tenant as String/,
    ],
    ['a set declared as a String', 'tenant', 'Set<String>', /declares context\.claims\.tenant as String/],
  ] as const)('%s', (_, name, type, expected) => {
    const mismatch = typedClaimMismatch(SCHEMA_WITH_CLAIMS, [{ at, name, type }]);
    if (expected === undefined) expect(mismatch).toBeUndefined();
    else {
      expect(mismatch?.[0]).toBe(at);
      expect(mismatch?.[1]).toMatch(expected);
    }
  });

  it('refuses a typed claim the schema declares as required', () => {
    const required = schemaWith('{ scopes: Set<String>, claims: { tenant: String } }');
    expect(typedClaimMismatch(required, [{ at, name: 'tenant', type: 'String' }])?.[1]).toMatch(
      /declares context\.claims\.tenant as required/,
    );
  });

  it('leaves a schema Cedar cannot read to the policy loader', () => {
    expect(typedClaimMismatch('not a schema', [{ at, name: 'tenant', type: 'String' }])).toBeUndefined();
  });
});

/**
 * The build-time compiled policy set (`compiled-policies.json`) may only ever spare work: a
 * cold start that uses it decides exactly as a full load would, and any mismatch with the texts
 * being loaded — an edited policy, another Cedar, a malformed file — means a full load, so an
 * invalid policy still refuses to load.
 */
import { describe, expect, it } from 'vitest';
import { COMPILED_FORMAT } from '../../functions/core/policy/compiled.ts';
import { createPolicyEngine } from '../../functions/core/policy/engine.ts';
import { PolicyLoadError } from '../../functions/core/policy/errors.ts';
import { defaultSource, input } from './helpers.ts';

const INPUTS = [
  input({ roles: ['admin'], mfa: true }, { route: '/api/sensitive' }),
  input({ roles: ['admin'], mfa: false }, { route: '/api/sensitive' }),
  input({ roles: ['dev'], mfa: true }, { route: '/api/sensitive' }),
  input({}, { route: '/api/profile' }),
  input({}, { route: '/api/other', method: 'DELETE' }),
];

/** The artifact as the bundler writes it and the handler reads it back. */
const shipped = (source = defaultSource()) =>
  JSON.parse(JSON.stringify(createPolicyEngine(source).compiled()));

describe('a compiled policy set', () => {
  it('is used when built from the same texts, and decides exactly as a full load', () => {
    // Prepare
    const source = defaultSource();

    // Act
    const full = createPolicyEngine(source, { decisionCacheSize: 0 });
    const fast = createPolicyEngine(source, { decisionCacheSize: 0, compiled: shipped(source) });

    // Assess
    expect(full.fromCompiled).toBe(false);
    expect(fast.fromCompiled).toBe(true);
    expect(fast.revision).toBe(full.revision);
    expect(fast.policyIds).toEqual(full.policyIds);
    expect(INPUTS.map((i) => fast.evaluate(i))).toEqual(INPUTS.map((i) => full.evaluate(i)));
  });

  it('is ignored when a policy was edited after the build, so an invalid edit still refuses to load', () => {
    // Prepare
    const built = shipped();
    const edited = defaultSource();
    const broken = {
      ...edited,
      policies: {
        ...edited.policies,
        'extra.cedar': 'permit (principal, action, resource) when { context.nope };',
      },
    };

    // Act
    const load = () => createPolicyEngine(broken, { compiled: built });

    // Assess
    expect(load).toThrow(PolicyLoadError);
  });

  it('is ignored when a valid edit changed the set: the edit applies', () => {
    // Prepare
    const built = shipped();
    const source = defaultSource();
    const edited = {
      ...source,
      policies: { ...source.policies, 'open.cedar': 'permit (principal, action, resource);' },
    };

    // Act
    const engine = createPolicyEngine(edited, { compiled: built });

    // Assess
    expect(engine.fromCompiled).toBe(false);
    expect(engine.evaluate(input({}, { route: '/api/other', method: 'DELETE' })).decision).toBe('allow');
  });

  const broken = (change: (artifact: Record<string, unknown>) => unknown) => {
    const artifact = shipped();
    return change(artifact) ?? artifact;
  };
  it.each([
    { name: 'null', artifact: null },
    { name: 'an array', artifact: [] },
    { name: 'a string', artifact: COMPILED_FORMAT },
    {
      name: 'another format',
      artifact: broken((a) => Object.assign(a, { format: 'zta.compiled-policies/v0' })),
    },
    { name: 'another Cedar version', artifact: broken((a) => Object.assign(a, { cedarVersion: '0.0.1' })) },
    { name: 'another revision', artifact: broken((a) => Object.assign(a, { revision: '0000000000000000' })) },
    { name: 'no policies', artifact: broken((a) => Object.assign(a, { policies: [] })) },
    {
      name: 'a policy with an unknown effect',
      artifact: broken((a) => {
        (a.policies as Array<Record<string, unknown>>)[0] = {
          ...(a.policies as object[])[0],
          effect: 'allow',
        };
      }),
    },
    {
      name: 'a permit carrying a reason',
      artifact: broken((a) => {
        const policies = a.policies as Array<Record<string, unknown>>;
        const permit = policies.findIndex((p) => p.effect === 'permit');
        policies[permit] = { ...policies[permit], reason: 'mfa_required' };
      }),
    },
    {
      name: 'a reason only the engine may give',
      artifact: broken((a) => {
        const policies = a.policies as Array<Record<string, unknown>>;
        const forbid = policies.findIndex((p) => p.effect === 'forbid');
        policies[forbid] = { ...policies[forbid], reason: 'policy_error' };
      }),
    },
    { name: 'actions not strings', artifact: broken((a) => Object.assign(a, { actions: [1] })) },
    { name: 'reads missing', artifact: broken((a) => Object.assign(a, { reads: undefined })) },
    {
      name: 'reads naming attributes with a non-string',
      artifact: broken((a) => Object.assign(a, { reads: { ...(a.reads as object), context: [true] } })),
    },
  ])('is ignored when it is $name, and the set loads in full', ({ artifact }) => {
    // Act
    const engine = createPolicyEngine(defaultSource(), { compiled: artifact });

    // Assess
    expect(engine.fromCompiled).toBe(false);
    expect(engine.evaluate(INPUTS[0] as (typeof INPUTS)[0]).decision).toBe('allow');
    expect(engine.evaluate(INPUTS[1] as (typeof INPUTS)[1])).toMatchObject({ reason: 'mfa_required' });
  });
});

import { describe, expect, it } from 'vitest';
import { createPolicyEngine, type PolicySource } from '../../functions/core/policy/engine.ts';
import { PolicyLoadError } from '../../functions/core/policy/errors.ts';
import { SCHEMA, sourceWith } from './helpers.ts';

const ok = 'permit (principal, action, resource);';

function refusal(source: PolicySource): PolicyLoadError {
  try {
    createPolicyEngine(source);
  } catch (error) {
    if (error instanceof PolicyLoadError) return error;
    throw error;
  }
  throw new Error('expected the policy set to be refused');
}

describe('a bad policy set refuses to load, naming the problem', () => {
  it.each<[string, PolicySource, RegExp]>([
    [
      'syntax error, with file:line:column',
      sourceWith({ 'bad.cedar': `${ok}\npermit (principal, action, resource)\n  when { context.mfa == };` }),
      /^bad\.cedar:3:25: unexpected token `}`/,
    ],
    [
      'attribute the schema does not declare, at its line',
      sourceWith({
        'bad.cedar':
          '// note\n@id("dept")\npermit (principal, action, resource)\nwhen {\n  principal.department == "x"\n};',
      }),
      /^bad\.cedar:5:3: policy "dept" fails strict validation: .*attribute `department` on entity type `ZTA::User` not found/,
    ],
    [
      'optional attribute used without `has`',
      sourceWith({
        'ip.cedar': 'permit (principal, action, resource) when { context.sourceIp.isLoopback() };',
      }),
      /^ip\.cedar:1:45: policy "ip\.1" fails strict validation: .*optional attribute `sourceIp` in context .*\(actions DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT\)$/,
    ],
    [
      'entity type the schema does not declare',
      sourceWith({ 'g.cedar': 'permit (principal in ZTA::Group::"x", action, resource);' }),
      /^g\.cedar:1:\d+: policy "g\.1" fails strict validation: .*ZTA::Group/,
    ],
    [
      'unknown @reason value',
      sourceWith({ 'r.cedar': `${ok}\n@reason("mfa") forbid (principal, action, resource);` }),
      /^r\.cedar:2: policy "r\.2" has @reason\("mfa"\); expected one of "forbidden_by_policy", "mfa_required", "role_required"$/,
    ],
    [
      '@reason naming an engine-owned code',
      sourceWith({ 'r.cedar': '@reason("policy_error") forbid (principal, action, resource);' }),
      /has @reason\("policy_error"\); expected one of/,
    ],
    [
      '@reason on a permit',
      sourceWith({ 'r.cedar': `@reason("mfa_required") ${ok}` }),
      /is a permit with @reason/,
    ],
    [
      'duplicate @id across files',
      sourceWith({ 'a.cedar': `@id("dup") ${ok}`, 'b.cedar': `${ok}\n@id("dup") ${ok}` }),
      /^b\.cedar:2: duplicate policy id "dup" \(first at a\.cedar:1\)$/,
    ],
    [
      '@id colliding with a generated id',
      sourceWith({ 'a.cedar': `@id("a.2") ${ok}\n${ok}` }),
      /^a\.cedar:2: duplicate policy id "a\.2" \(first at a\.cedar:1\)$/,
    ],
    [
      '@id with spaces',
      sourceWith({ 'a.cedar': `@id("has space") ${ok}` }),
      /policy id "has space" is not of the form .*change the @id/,
    ],
    [
      'file name unusable as an id prefix',
      sourceWith({ 'my policy.cedar': ok }),
      /policy id "my policy\.1" .*rename the file/,
    ],
    [
      'policy template',
      sourceWith({ 't.cedar': 'permit (principal == ?principal, action, resource);' }),
      /^t\.cedar: contains a policy template/,
    ],
    ['missing schema', sourceWith({ 'a.cedar': ok }, ''), /^schema: empty/],
    [
      'schema syntax error',
      sourceWith({ 'a.cedar': ok }, 'namespace ZTA { entity User }'),
      /^schema:1:29: .*unexpected token/,
    ],
    [
      'schema without namespace ZTA',
      sourceWith(
        { 'a.cedar': ok },
        'entity User; action "GET" appliesTo { principal: User, resource: User };',
      ),
      /^schema: no namespace ZTA/,
    ],
    [
      'schema that does not accept the mapping',
      sourceWith({ 'a.cedar': ok }, SCHEMA.replace('mfa: Bool,', '')),
      /^schema: refuses the request the engine sends for actions DELETE, GET, .*record attribute `mfa` should not exist/,
    ],
    ['no policies', sourceWith({}), /^no policies/],
    ['only comments', sourceWith({ 'a.cedar': '// nothing yet\n' }), /^no policies/],
  ])('%s', (_, source, expected) => {
    const error = refusal(source);
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toMatch(expected);
    expect(error.message).toContain(error.problems[0]);
  });

  it('lists every problem at once', () => {
    const error = refusal(
      sourceWith({
        'a.cedar': 'permit (',
        'b.cedar': '@reason("nope") forbid (principal, action, resource);',
      }),
    );
    expect(error.problems.map((line) => line.split(':')[0])).toEqual(['a.cedar', 'b.cedar']);
    expect(error.message).toMatch(/^policy set refused \(2 problems\):\n- a\.cedar/);
  });
});

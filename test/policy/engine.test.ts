import { describe, expect, it } from 'vitest';
import { createPolicyEngine, revisionOf } from '../../functions/core/policy/engine.ts';
import type { PolicyInput } from '../../functions/core/policy/types.ts';
import { defaultSource, input, NOW, SCHEMA, sourceWith } from './helpers.ts';

const engine = createPolicyEngine(defaultSource());

describe('default policy set', () => {
  it('loads the shipped policies in file order with their @id', () => {
    expect(engine.policyIds).toEqual([
      'orders.read',
      'orders.write',
      'profile.any-authenticated',
      'sensitive.admin-with-mfa',
      'sensitive.require-admin',
      'sensitive.require-mfa',
    ]);
    expect(engine.revision).toMatch(/^[0-9a-f]{16}$/);
    expect(Object.isFrozen(engine)).toBe(true);
  });

  it.each<[string, PolicyInput, object]>([
    [
      'admin with MFA',
      input({ roles: ['admin'], mfa: true }, { route: '/api/sensitive' }),
      { decision: 'allow', determiningPolicies: ['sensitive.admin-with-mfa'] },
    ],
    [
      'admin without MFA',
      input({ roles: ['admin'] }, { route: '/api/sensitive' }),
      {
        decision: 'deny',
        reason: 'mfa_required',
        determiningPolicies: ['sensitive.require-mfa'],
        errors: [],
      },
    ],
    [
      'unknown method',
      input({ roles: ['admin'], mfa: true }, { method: 'BREW', route: '/api/sensitive' }),
      { decision: 'deny', reason: 'policy_denied', determiningPolicies: [], errors: [] },
    ],
    [
      'profile, nobody special',
      input(),
      { decision: 'allow', determiningPolicies: ['profile.any-authenticated'] },
    ],
  ])('%s', (_, request, expected) => {
    expect(engine.evaluate(request)).toEqual(expected);
  });
});

describe('revision', () => {
  const base = defaultSource();
  const firstFile = Object.keys(base.policies)[0] ?? '';

  it('is the same for the same texts, whatever the key order', () => {
    const reordered = { ...base, policies: Object.fromEntries(Object.entries(base.policies).reverse()) };
    expect(revisionOf(reordered)).toBe(engine.revision);
    expect(createPolicyEngine(defaultSource()).revision).toBe(engine.revision);
  });

  it.each([
    [
      'a policy changes by one byte',
      { ...base, policies: { ...base.policies, [firstFile]: `${base.policies[firstFile]} ` } },
    ],
    ['the schema changes', { ...base, schema: `${base.schema}\n// note` }],
    [
      'a file is renamed',
      { ...base, policies: { ...base.policies, [`z-${firstFile}`]: base.policies[firstFile] ?? '' } },
    ],
  ])('changes when %s', (_, changed) => {
    expect(revisionOf(changed)).not.toBe(engine.revision);
  });
});

describe('ids and reasons', () => {
  it('numbers unannotated policies from 1 in file order, past 10', () => {
    const many = Array.from(
      { length: 12 },
      (_, i) => `permit (principal, action == ZTA::Action::"GET", resource == ZTA::Route::"/r${i + 1}");`,
    ).join('\n');
    const set = createPolicyEngine(sourceWith({ 'many.cedar': many }));
    expect(set.policyIds).toEqual(Array.from({ length: 12 }, (_, i) => `many.${i + 1}`));
    for (const n of [1, 2, 10, 12]) {
      expect(set.evaluate(input({}, { route: `/r${n}` }))).toMatchObject({
        determiningPolicies: [`many.${n}`],
      });
    }
  });

  const all = 'permit (principal, action, resource);';
  it.each([
    [
      'an unannotated forbid',
      { 'a.cedar': `${all} forbid (principal, action, resource);` },
      'forbidden_by_policy',
    ],
    [
      'an annotated forbid even after an unannotated one',
      {
        'a.cedar': `${all} forbid (principal, action, resource); @reason("mfa_required") forbid (principal, action, resource);`,
      },
      'mfa_required',
    ],
    [
      'the first annotated forbid in load order (file name, then position), not by id',
      {
        'a.cedar': `${all} @id("z-first") @reason("role_required") forbid (principal, action, resource);`,
        'b.cedar': '@id("a-second") @reason("mfa_required") forbid (principal, action, resource);',
      },
      'role_required',
    ],
    [
      'no permit at all',
      { 'a.cedar': 'permit (principal, action, resource) when { false };' },
      'policy_denied',
    ],
  ])('a deny by %s', (_, policies, reason) => {
    expect(createPolicyEngine(sourceWith(policies)).evaluate(input())).toMatchObject({
      decision: 'deny',
      reason,
    });
  });
});

describe('what policies can see', () => {
  const admin = { roles: ['admin'], subject: 'alice', authTime: NOW - 120 };
  it.each<[string, string, PolicyInput, 'allow' | 'deny']>([
    [
      'principal by issuer and subject',
      'principal == ZTA::User::"https://idp.example.com|alice"',
      input(admin),
      'allow',
    ],
    [
      'same subject, other issuer',
      'principal == ZTA::User::"https://idp.example.com|alice"',
      input({ ...admin, issuer: 'https://other' }),
      'deny',
    ],
    ['issuer parent', 'principal in ZTA::Issuer::"https://idp.example.com"', input(), 'allow'],
    ['subject attribute', 'principal.subject == "alice"', input(admin), 'allow'],
    [
      'recent authentication',
      'context has authAgeSeconds && context.authAgeSeconds <= 300',
      input(admin),
      'allow',
    ],
    [
      'stale authentication',
      'context has authAgeSeconds && context.authAgeSeconds <= 60',
      input(admin),
      'deny',
    ],
    [
      'auth_time in the future has no age',
      'context has authAgeSeconds',
      input({ authTime: NOW + 5 }),
      'deny',
    ],
    ['auth_time itself', 'context has authTime && context.authTime == 1767225480', input(admin), 'allow'],
    ['now', 'context.now == 1767225600', input(), 'allow'],
    [
      'source IP in range',
      'context has sourceIp && context.sourceIp.isInRange(ip("10.0.0.0/8"))',
      input({}, { sourceIp: '10.1.2.3' }),
      'allow',
    ],
    [
      'IPv4-mapped IPv6 is seen as IPv4',
      'context has sourceIp && context.sourceIp.isInRange(ip("10.0.0.0/8"))',
      input({}, { sourceIp: '::ffff:10.1.2.3' }),
      'allow',
    ],
    ['a CIDR is not an address', 'context has sourceIp', input({}, { sourceIp: '10.0.0.0/8' }), 'deny'],
    [
      'template and path',
      'resource.template == "/{proxy+}" && resource.path == "/a/b"',
      input({}, { route: '/{proxy+}', path: '/a/b' }),
      'allow',
    ],
    [
      'resource id is the concrete path under a proxy',
      'resource == ZTA::Route::"/a/b"',
      input({}, { route: '/{proxy+}', path: '/a/b' }),
      'allow',
    ],
    [
      'resource id is the template otherwise',
      'resource == ZTA::Route::"/items/{id}"',
      input({}, { route: '/items/{id}', path: '/items/7' }),
      'allow',
    ],
    [
      'apiId and stage',
      'resource has stage && resource.stage == "prod" && resource has apiId && resource.apiId == "abc"',
      input({}, { apiId: 'abc', stage: 'prod' }),
      'allow',
    ],
    ['action group read holds GET', 'action in ZTA::Action::"read"', input(), 'allow'],
    ['action group write does not', 'action in ZTA::Action::"write"', input(), 'deny'],
  ])('%s', (_, condition, request, decision) => {
    const set = createPolicyEngine(
      sourceWith({ 'p.cedar': `permit (principal, action, resource) when { ${condition} };` }),
    );
    expect(set.evaluate(request).decision).toBe(decision);
  });
});

describe('fails closed with policy_error', () => {
  const overflow = 'when { context.now * 9223372036854775807 > 0 }';
  it.each([
    ['a permit that errors', { 'a.cedar': `@id("boom") permit (principal, action, resource) ${overflow};` }],
    [
      'a forbid that errors, which Cedar would skip and so allow',
      {
        'a.cedar': `permit (principal, action, resource); @id("boom") forbid (principal, action, resource) ${overflow};`,
      },
    ],
  ])('%s', (_, policies) => {
    const result = createPolicyEngine(sourceWith(policies)).evaluate(input());
    expect(result).toMatchObject({ decision: 'deny', reason: 'policy_error' });
    expect(result.decision === 'deny' && result.errors.join()).toMatch(/^boom: .*overflow/);
  });

  it.each([
    ['now is NaN', input({}, {}, Number.NaN)],
    ['now is infinite', input({}, {}, Number.POSITIVE_INFINITY)],
    ['principal missing', { request: input().request, now: NOW } as unknown as PolicyInput],
    ['input is null', null as unknown as PolicyInput],
  ])('without throwing when %s', (_, bad) => {
    expect(engine.evaluate(bad)).toMatchObject({ decision: 'deny', reason: 'policy_error' });
  });
});

it('uses the shipped schema in helpers', () => {
  expect(SCHEMA).toContain('namespace ZTA');
});

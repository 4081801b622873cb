import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createPolicyEngine } from '../../functions/core/policy/engine.ts';
import type { PolicyInput, PolicyResult } from '../../functions/core/policy/types.ts';
import { defaultSource, input } from './helpers.ts';

const engine = createPolicyEngine(defaultSource());

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

// Strings that would matter if anything ever built Cedar text from request data.
const hostile = [
  '"',
  '\\',
  '\n',
  '\u0000',
  '::',
  'admin',
  '"admin"',
  'ZTA::Role::"admin"',
  '"); permit(principal, action, resource); //',
  'admin"] || true || ["',
  '*',
  '/api/sensitive',
  '/api/*',
  '$default',
  '{proxy+}',
  '\u0430dmin',
  '\ud800',
  '\udfff',
  '\u202e',
  'é',
  '😀',
];
const text = fc.oneof(
  fc.constantFrom(...hostile),
  fc.string({ unit: 'binary' }),
  fc.string({ unit: 'grapheme' }),
);
const lone = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));

const arbitraryInput: fc.Arbitrary<PolicyInput> = fc.record({
  principal: fc.record({
    issuer: fc.oneof(fc.constant('https://idp.example.com'), text),
    subject: fc.oneof(text, lone),
    roles: fc.uniqueArray(fc.oneof(fc.constant('admin'), text, lone), { maxLength: 4 }),
    mfa: fc.boolean(),
    authTime: fc.option(fc.oneof(fc.integer(), fc.double()), { nil: undefined }),
  }),
  request: fc.record({
    method: fc.oneof(fc.constantFrom(...METHODS, 'get', 'read'), text),
    route: fc.oneof(
      fc.constantFrom('/api/sensitive', '/api/profile', '/{proxy+}', '/api/{proxy+}', '$default'),
      text,
    ),
    path: fc.oneof(fc.constantFrom('/api/sensitive', '/api/profile', '/api/sensitive/'), text),
    sourceIp: fc.option(fc.oneof(fc.ipV4(), fc.ipV6(), text), { nil: undefined }),
  }),
  now: fc.integer({ min: 0, max: 4_000_000_000 }),
});

/** False for a string with a lone UTF-16 surrogate, which Cedar cannot take (a `policy_error`). */
const isWellFormed = (value: string) => encodeURIComponentSafe(value);
function encodeURIComponentSafe(value: string): boolean {
  try {
    encodeURIComponent(value);
    return true;
  } catch {
    return false;
  }
}

/** The default policy set, written as plain code: the property the Cedar set must agree with. */
function model({ principal, request }: PolicyInput): Pick<PolicyResult, 'decision'> & { reason?: string } {
  const path = request.route === '$default' || request.route.includes('+}') ? request.path : request.route;
  if (!METHODS.includes(request.method)) return { decision: 'deny', reason: 'policy_denied' };
  const facts = [principal.issuer, principal.subject, ...principal.roles, request.route, request.path];
  if (facts.some((fact) => !isWellFormed(fact))) return { decision: 'deny', reason: 'policy_error' };
  if (request.method !== 'GET') return { decision: 'deny', reason: 'policy_denied' };
  if (path === '/api/profile') return { decision: 'allow' };
  if (path !== '/api/sensitive') return { decision: 'deny', reason: 'policy_denied' };
  if (!principal.roles.includes('admin')) return { decision: 'deny', reason: 'role_required' };
  return principal.mfa ? { decision: 'allow' } : { decision: 'deny', reason: 'mfa_required' };
}

describe('request data is inert', () => {
  it.each([
    ['subject', input({ subject: 'a\ud800' })],
    ['a role', input({ roles: ['admin', '\udfffx'] })],
    ['the path', input({}, { route: '/{proxy+}', path: '/api/\ud800' })],
  ])('a lone surrogate in %s is a policy_error naming the fact, not its value', (_, request) => {
    const result = engine.evaluate(request);
    expect(result).toMatchObject({ decision: 'deny', reason: 'policy_error' });
    expect(result.decision === 'deny' && result.errors.join()).toMatch(
      /^(subject|roles\[1\]|path) contains a lone UTF-16 surrogate/,
    );
  });

  it('any subject, issuer, role, method, route, path or IP gives exactly the modelled decision', () => {
    fc.assert(
      fc.property(arbitraryInput, (request) => {
        const result = engine.evaluate(request);
        const expected = model(request);
        expect(
          result.decision === 'deny' ? { decision: 'deny', reason: result.reason } : { decision: 'allow' },
        ).toEqual(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it.each(hostile)('role %j never stands in for admin', (role) => {
    const result = engine.evaluate(input({ roles: [role], mfa: true }, { route: '/api/sensitive' }));
    expect(result.decision).toBe(role === 'admin' ? 'allow' : 'deny');
  });

  it.each(hostile.filter(isWellFormed))('subject %j is only a name', (subject) => {
    expect(engine.evaluate(input({ subject })).decision).toBe('allow');
    expect(
      engine.evaluate(input({ subject, roles: ['user'], mfa: true }, { route: '/api/sensitive' })),
    ).toMatchObject({
      reason: 'role_required',
    });
  });
});

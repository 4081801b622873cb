/**
 * Named sequences for the decision cache: each example feeds its steps in order to one fresh
 * cached engine and checks every answer against the uncached engine, the expected outcome and,
 * when given, the determining policies. The random walks are in `decision-cache.property.test.ts`.
 */
import { describe, expect, it } from 'vitest';
import {
  cachedEngine,
  type Outcome,
  outcomeOf,
  referenceEngine,
  sourceOf,
} from './decision-cache-engines.ts';
import { NOW } from './helpers.ts';
import { BASE, type Facts, SENSITIVE, toInput } from './policy-facts.ts';

const BOB = { issuer: 'https://b.test', subject: 'bob' } as const;
const ITEMS_1 = { route: '/items/{id}', path: '/items/1' } as const;

/** Facts changed from `BASE`, the outcome, and (when given) the determining policies in order. */
type Step = readonly [Partial<Facts>, Outcome, (readonly string[])?];

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
    'a cached ALLOW for one set of scopes never answers another set',
    'scopes',
    [
      [{ scopes: ['orders:read'] }, 'allow', ['scopes.read']],
      [{ scopes: [] }, 'policy_denied'],
      [{ scopes: ['orders:write'] }, 'policy_denied'],
      [{ scopes: ['orders:write', 'orders:read', 'orders:read'] }, 'allow', ['scopes.read']],
      [{ method: 'POST', scopes: ['orders:read', 'orders:write'] }, 'allow', ['scopes.write']],
      [{ method: 'POST', scopes: ['orders:read'] }, 'policy_denied'],
      [{ method: 'HEAD', scopes: ['openid'] }, 'allow', ['scopes.head']],
      [{ method: 'HEAD', scopes: ['openid', 'admin'] }, 'forbidden_by_policy', ['scopes.no-admin-head']],
      [{ method: 'HEAD', scopes: [] }, 'policy_denied'],
    ],
  ],
  [
    'a cached answer for one set of typed claims never answers another, present or absent',
    'claims',
    [
      [{ claims: { tenant: 'a' } }, 'allow', ['claims.tenant']],
      [{ claims: { tenant: 'b' } }, 'policy_denied'],
      [{ claims: {} }, 'policy_denied'],
      [{ claims: { tenant: 'a', compliant: false } }, 'forbidden_by_policy', ['claims.non-compliant']],
      [{ method: 'DELETE', claims: {} }, 'allow', ['claims.no-tenant']],
      [{ method: 'DELETE', claims: { tenant: 'b' } }, 'policy_denied'],
      [{ method: 'POST', claims: { level: 2 } }, 'allow', ['claims.level']],
      [{ method: 'POST', claims: { level: 1 } }, 'policy_denied'],
      [{ method: 'HEAD', claims: { groups: ['y', 'x'] } }, 'allow', ['claims.group']],
      [{ method: 'HEAD', claims: { groups: ['y'] } }, 'policy_denied'],
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

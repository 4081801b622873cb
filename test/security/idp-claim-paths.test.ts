/**
 * Claim paths (issue 11): JSON Pointers and member-name arrays into nested claims, plain names
 * that hold "." or "/", and paths that meet arrays, strings or `__proto__` — decided by the real
 * authorizer, and refused in config where they could never match.
 */
import { describe, expect, it } from 'vitest';
import { parseAuthorizerConfig } from '../../functions/core/config/authorizer-config.ts';
import { ConfigError } from '../../functions/core/config/reader.ts';
import { NOW, testAuthorizer } from '../support/authorizer.ts';
import { restRequestEvent } from '../support/events.ts';
import { forge } from '../support/forge.ts';
import { decide, entry, ISS, key } from '../support/idp-decide.ts';

describe('claim paths', () => {
  const withRoles = (claim: unknown) => [
    { audience: ['api'], claims: { roles: [{ claim, type: 'array' }], mfaBooleanClaims: ['mfa'] } },
  ];
  const sensitive = { route: '/api/sensitive' };
  it.each([
    [
      'a JSON Pointer to a nested array',
      '/realm_access/roles',
      { realm_access: { roles: ['admin'] } },
      'allow',
    ],
    [
      'an array of member names',
      ['resource_access', 'api', 'roles'],
      { resource_access: { api: { roles: ['admin'] } } },
      'allow',
    ],
    [
      'a pointer with ~1 for a "/" in a name',
      '/https:~1~1example.com~1claims/roles',
      { 'https://example.com/claims': { roles: ['admin'] } },
      'allow',
    ],
    [
      'a plain name holding "/" is one top-level claim',
      'https://example.com/roles',
      { 'https://example.com/roles': ['admin'] },
      'allow',
    ],
    [
      'a plain name holding "." is one top-level claim',
      'realm_access.roles',
      { realm_access: { roles: ['admin'] } },
      '403 role_required',
    ],
    [
      'a path through an array finds nothing',
      '/realm_access/roles',
      { realm_access: [{ roles: ['admin'] }] },
      '403 role_required',
    ],
    ['a numeric segment does not index an array', '/groups/0', { groups: [['admin']] }, '403 role_required'],
    [
      'a path through a string finds nothing',
      '/realm_access/roles',
      { realm_access: 'roles' },
      '403 role_required',
    ],
  ] as const)('%s → %s', async (_, path, claims, expected) => {
    expect(await decide(withRoles(path), { aud: 'api', mfa: true, ...claims }, sensitive)).toBe(expected);
  });

  it('a token carrying a __proto__ member is refused before any path is read', async () => {
    const token = forge({
      header: { alg: 'ES256', kid: 'k1' },
      claims: `{"iss":"${ISS}","sub":"a","aud":"api","iat":${NOW},"exp":${NOW + 60},"realm_access":{"__proto__":{"roles":["admin"]}}}`,
      signer: { alg: 'ES256', key: key.privateKey },
    });
    const authorizer = testAuthorizer({ issuers: withRoles('/realm_access/roles').map(entry) });
    const { decision } = await authorizer.decide(
      restRequestEvent(`Bearer ${token}`, { resource: '/api/sensitive' }),
    );
    expect(`${decision.status} ${decision.reason}`).toBe('401 malformed_token');
  });

  it.each([
    ['/__proto__/roles', /"__proto__" is never present/],
    [['constructor'], /"constructor" is never present/],
    ['/a//b', /empty member name/],
    ['/a~2b', /"~" must be followed by 0 or 1/],
    ['', /expected a claim name or a JSON Pointer/],
    [[], /expected a claim name, a JSON Pointer/],
    [['a', ''], /expected a non-empty member name/],
  ])('config path %j is refused', (claim, message) => {
    const refuse = () =>
      parseAuthorizerConfig(
        {
          issuers: [
            {
              issuer: ISS,
              audience: 'api',
              algorithms: ['ES256'],
              jwksFile: 'j',
              claims: { roles: [{ claim, type: 'array' }] },
            },
          ],
          revocations: null,
        },
        { baseDir: '/', defaultPoliciesDir: '/' },
      );
    expect(refuse).toThrow(ConfigError);
    expect(refuse).toThrow(message);
  });
});

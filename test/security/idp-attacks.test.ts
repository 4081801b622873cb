/**
 * Attacks on issue 11's surface — issuer entries that share an `iss`, client ids, scopes, claim
 * paths, typed claims — decided by the real authorizer with the repository's policies (whose
 * `/api/orders` rules read `context.scopes`) and keys generated at test time. Each attack has
 * a twin that must be ALLOWED, so no row can pass by denying everything.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAuthorizerConfig } from '../../functions/core/config/authorizer-config.ts';
import { ConfigError } from '../../functions/core/config/reader.ts';
import { principalFacts } from '../../functions/core/identity.ts';
import { keySourceOf, NOW, type TestIssuer, testAuthorizer } from '../support/authorizer.ts';
import { restRequestEvent } from '../support/events.ts';
import { forge } from '../support/forge.ts';
import { generateKey, jwksOf } from '../support/keys.ts';

const ISS = 'https://idp.example.test';
const key = generateKey('ES256', 'k1');
const keys = keySourceOf(jwksOf(key));
const base = { iss: ISS, sub: 'alice', iat: NOW - 10, exp: NOW + 300 };

// `audience` is left out of the entry when the config gives none (a clientIds-only entry).
const entry = (config: Record<string, unknown>): TestIssuer => ({
  issuer: ISS,
  audience: config.audience as string[],
  algorithms: ['ES256'],
  keys,
  config,
});

async function decide(
  entries: readonly Record<string, unknown>[],
  claims: Record<string, unknown>,
  request: { method?: string; route?: string } = {},
): Promise<string> {
  const authorizer = testAuthorizer({ issuers: entries.map(entry) });
  const token = forge({
    header: { alg: 'ES256', typ: 'JWT', kid: 'k1' },
    claims: { ...base, ...claims },
    signer: { alg: 'ES256', key: key.privateKey },
  });
  const route = request.route ?? '/api/orders';
  const { decision } = await authorizer.decide(
    restRequestEvent(`Bearer ${token}`, { method: request.method ?? 'GET', resource: route }),
  );
  return decision.effect === 'allow' ? 'allow' : `${decision.status} ${decision.reason}`;
}

const COGNITO_ACCESS = { clientIds: ['app-1'], requiredClaims: { token_use: 'access' } };
const COGNITO_ID = { audience: ['app-1'], requiredClaims: { token_use: 'id' } };

describe('several entries for one iss, and client ids', () => {
  it.each([
    [
      'a Cognito access token of our client',
      [COGNITO_ACCESS, COGNITO_ID],
      { client_id: 'app-1', token_use: 'access', scope: 'orders:read' },
      'allow',
    ],
    [
      'a Cognito access token of another client id',
      [COGNITO_ACCESS, COGNITO_ID],
      { client_id: 'app-2', token_use: 'access', scope: 'orders:read' },
      '401 audience_mismatch',
    ],
    [
      'a Cognito access token whose client_id is not a string',
      [COGNITO_ACCESS],
      { client_id: ['app-1'], token_use: 'access', scope: 'orders:read' },
      '401 invalid_claims',
    ],
    [
      'a token without aud where no entry has clientIds',
      [{ audience: ['api'] }],
      { client_id: 'api', scope: 'orders:read' },
      '401 invalid_claims',
    ],
    [
      'clientIds do not apply when aud is present',
      [COGNITO_ACCESS],
      { aud: 'app-1', client_id: 'app-1', token_use: 'access', scope: 'orders:read' },
      '401 audience_mismatch',
    ],
    [
      'an ID token dressed as an access token (aud and token_use access)',
      [COGNITO_ACCESS, COGNITO_ID],
      { aud: 'app-1', token_use: 'access', scope: 'orders:read' },
      '401 audience_mismatch',
    ],
    [
      'entries refusing for different reasons at the same step',
      [{ audience: ['api'] }, { clientIds: ['app-1'] }],
      { client_id: 'app-2', scope: 'orders:read' },
      '401 untrusted_issuer',
    ],
    [
      'a token whose aud holds the audiences of two entries',
      [{ audience: ['api-a'] }, { audience: ['api-b'] }],
      { aud: ['api-a', 'api-b'], scope: 'orders:read' },
      '401 ambiguous_issuer',
    ],
    [
      '… and its twin with one of them',
      [{ audience: ['api-a'] }, { audience: ['api-b'] }],
      { aud: ['api-b'], scope: 'orders:read' },
      'allow',
    ],
    [
      'two entries told apart only by typ, token typ JWT',
      [
        { audience: ['api'], typ: 'at+jwt' },
        { audience: ['api'], typ: 'JWT' },
      ],
      { aud: 'api', scope: 'orders:read' },
      'allow',
    ],
    [
      'a required value of another JSON type',
      [{ audience: ['api'], requiredClaims: { level: 2 } }],
      { aud: 'api', level: '2', scope: 'orders:read' },
      '401 invalid_claims',
    ],
    [
      '… and its twin with the exact value',
      [{ audience: ['api'], requiredClaims: { level: 2 } }],
      { aud: 'api', level: 2, scope: 'orders:read' },
      'allow',
    ],
  ] as const)('%s', async (_, entries, claims, expected) => {
    expect(await decide(entries, claims)).toBe(expected);
  });
});

describe('entries that accept the same tokens are refused when the config loads', () => {
  const load = (entries: Record<string, unknown>[]) => () =>
    parseAuthorizerConfig(
      {
        issuers: entries.map((e) => ({ issuer: ISS, algorithms: ['ES256'], jwksFile: 'j', ...e })),
        revocations: null,
      },
      { baseDir: '/', defaultPoliciesDir: '/' },
    );
  it.each([
    ['identical entries', [{ audience: 'api' }, { audience: 'api' }]],
    ['overlapping audiences', [{ audience: ['a', 'b'] }, { audience: ['b', 'c'] }]],
    ['overlapping client ids', [{ clientIds: ['x'] }, { clientIds: ['x'], audience: 'other' }]],
    [
      'required values that a token can meet together',
      [
        { audience: 'api', requiredClaims: { azp: ['a', 'b'] } },
        { audience: 'api', requiredClaims: { azp: 'b' } },
      ],
    ],
    [
      'a required claim only one of them names',
      [{ audience: 'api', requiredClaims: { azp: 'a' } }, { audience: 'api' }],
    ],
    [
      'typ at+jwt beside an entry without typ (which accepts at+jwt too)',
      [{ audience: 'api', typ: 'at+jwt' }, { audience: 'api' }],
    ],
  ])('%s', (_, entries) => {
    expect(load(entries)).toThrow(
      /issuers\[1\]\.issuer: issuer .* is configured twice: issuers\[0\] accepts the same tokens/,
    );
  });

  it.each([
    ['disjoint audiences', [{ audience: 'a' }, { audience: 'b' }]],
    [
      'disjoint required values',
      [
        { audience: 'api', requiredClaims: { token_use: 'access' } },
        { audience: 'api', requiredClaims: { token_use: 'id' } },
      ],
    ],
    [
      'disjoint typ',
      [
        { audience: 'api', typ: 'at+jwt' },
        { audience: 'api', typ: 'JWT' },
      ],
    ],
    ['audience beside client ids', [{ audience: 'app' }, { clientIds: ['app'] }]],
  ])('accepts %s', (_, entries) => {
    expect(load(entries)).not.toThrow();
  });
});

describe('scopes', () => {
  const oneEntry = [{ audience: ['api'] }];
  it.each([
    ['orders:read alone', 'orders:read', 'allow'],
    ['duplicated', 'orders:read orders:read', 'allow'],
    ['two spaces', 'openid  orders:read', '401 invalid_claims'],
    ['a leading space', ' orders:read', '401 invalid_claims'],
    ['a trailing space', 'orders:read ', '401 invalid_claims'],
    ['a tab', 'openid\torders:read', '401 invalid_claims'],
    ['a newline', 'openid\norders:read', '401 invalid_claims'],
    ['a no-break space', 'openid\u00a0orders:read', '401 invalid_claims'],
    ['an em space', 'openid\u2003orders:read', '401 invalid_claims'],
    ['quotes', '"orders:read"', '401 invalid_claims'],
    ['a backslash', 'orders:read\\', '401 invalid_claims'],
    ['a look-alike letter', 'оrders:read', '401 invalid_claims'],
    ['an array item with a space', ['openid orders:read'], '401 invalid_claims'],
    ['an array item that is a number', ['orders:read', 1], '401 invalid_claims'],
    ['an object', { 'orders:read': true }, '401 invalid_claims'],
    ['a boolean', true, '401 invalid_claims'],
    ['an empty string (no scopes)', '', '403 policy_denied'],
    ['a prefix of the scope', 'orders', '403 policy_denied'],
    ['another case', 'Orders:Read', '403 policy_denied'],
  ] as const)('scope %s → %s', async (_, scope, expected) => {
    expect(await decide(oneEntry, { aud: 'api', scope })).toBe(expected);
  });

  it('scp as an array is read as scopes too, and both claims are united', async () => {
    expect(await decide(oneEntry, { aud: 'api', scope: 'openid', scp: ['orders:read'] })).toBe('allow');
  });

  it('no string other than single-space-separated scope tokens ever yields scopes', () => {
    const mapping = parseAuthorizerConfig(
      {
        issuers: [{ issuer: ISS, audience: 'api', algorithms: ['ES256'], jwksFile: 'j' }],
        revocations: null,
      },
      { baseDir: '/', defaultPoliciesDir: '/' },
    ).issuers[0]?.claims;
    if (!mapping) throw new Error('no mapping');
    const wellFormed = /^[\x21\x23-\x5b\x5d-\x7e]+( [\x21\x23-\x5b\x5d-\x7e]+)*$/;
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 24 }), (scope) => {
        const claims = { ...base, jti: undefined, all: { ...base, scope } };
        const result = principalFacts(claims, mapping);
        if (scope === '') expect(result).toMatchObject({ ok: true, principal: { scopes: [] } });
        else if (wellFormed.test(scope))
          expect(result).toMatchObject({
            ok: true,
            principal: { scopes: [...new Set(scope.split(' '))].sort() },
          });
        else expect(result.ok).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
});

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

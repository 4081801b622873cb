/**
 * Attacks on issue 11's surface — issuer entries that share an `iss`, client ids, scopes (claim
 * paths are in idp-claim-paths.test.ts) — decided by the real authorizer with the repository's
 * policies (whose `/api/orders` rules read `context.scopes`) and keys generated at test time.
 * Each attack has a twin that must be ALLOWED, so no row can pass by denying everything.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAuthorizerConfig } from '../../functions/core/config/authorizer-config.ts';
import { principalFacts } from '../../functions/core/identity.ts';
import { base, decide, ISS } from '../support/idp-decide.ts';

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

/**
 * Tokens as each provider lays them out (claim names, types and nesting from the vendors'
 * documentation), with the outcome the README recipe must give. `expect` is `allow` or
 * `<status> <reason>`.
 */

/** 2026-01-01T00:00:00Z */
export const NOW = 1_767_225_600;

export interface VendorCase {
  readonly vendor: string;
  readonly name: string;
  readonly claims: Record<string, unknown>;
  readonly header?: Record<string, unknown>;
  readonly method?: string;
  readonly route: string;
  readonly expect: string;
}

const times = { iat: NOW - 60, exp: NOW + 3540 };

const COGNITO = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123';
const COGNITO_CLIENT = '4m2l1ouolb1gfcbv1rvtqi0amp';
const cognitoAccess = {
  sub: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
  'cognito:groups': ['admins'],
  iss: COGNITO,
  client_id: COGNITO_CLIENT,
  origin_jti: 'f1e2d3c4',
  event_id: 'e1',
  token_use: 'access',
  scope: 'orders-api/orders.read openid',
  auth_time: NOW - 60,
  ...times,
  jti: 'c0ffee00-0000-4000-8000-000000000001',
  username: 'alice',
};
const cognitoId = {
  sub: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
  'cognito:groups': ['admins'],
  email_verified: true,
  iss: COGNITO,
  'cognito:username': 'alice',
  origin_jti: 'f1e2d3c4',
  aud: COGNITO_CLIENT,
  event_id: 'e1',
  token_use: 'id',
  auth_time: NOW - 60,
  ...times,
  jti: 'c0ffee00-0000-4000-8000-000000000002',
  email: 'alice@example.com',
};

const AUTH0 = 'https://example.eu.auth0.com/';
const auth0 = {
  'https://example.com/roles': ['admin'],
  'https://example.com/mfa': true,
  iss: AUTH0,
  sub: 'auth0|64f0c0ffee',
  aud: ['https://orders.example.com', 'https://example.eu.auth0.com/userinfo'],
  ...times,
  scope: 'openid profile read:orders',
  azp: 'Zx8y7wV6u5T4s3R2q1P0',
  permissions: ['read:orders'],
};

const okta = {
  ver: 1,
  jti: 'AT.okta-1',
  iss: 'https://example.okta.com/oauth2/default',
  aud: 'api://default',
  ...times,
  cid: '0oa1b2c3d4',
  uid: '00u1b2c3d4',
  scp: ['openid', 'orders:read'],
  auth_time: NOW - 60,
  sub: 'alice@example.com',
  groups: ['Everyone', 'Admins'],
  amr: ['pwd', 'mfa'],
};

const TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad';
const ENTRA_APP = '6e74172b-be56-4843-9ff4-e66a39bb12e3';
const entraUser = {
  aud: ENTRA_APP,
  iss: `https://login.microsoftonline.com/${TENANT}/v2.0`,
  ...times,
  nbf: NOW - 60,
  azp: '5fc5a2e1-7a6b-4b5c-9d8e-0f1a2b3c4d5e',
  azpacr: '0',
  name: 'Alice',
  oid: '00000000-0000-0000-66f3-3332eca7ea81',
  preferred_username: 'alice@example.com',
  rh: '0.AAAA',
  scp: 'Orders.Read User.Read',
  sub: 'AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ',
  tid: TENANT,
  uti: 'fqiBqXLPj0eQa82S-IYFAA',
  ver: '2.0',
};
const entraDaemon = {
  aud: 'api://orders',
  iss: `https://login.microsoftonline.com/${TENANT}/v2.0`,
  ...times,
  azp: '5fc5a2e1-7a6b-4b5c-9d8e-0f1a2b3c4d5e',
  azpacr: '1',
  oid: '11111111-0000-0000-0000-000000000000',
  roles: ['Orders.Write'],
  sub: '11111111-0000-0000-0000-000000000000',
  tid: TENANT,
  ver: '2.0',
};

const keycloak = {
  ...times,
  auth_time: NOW - 60,
  jti: 'kc-1',
  iss: 'https://sso.example.com/realms/acme',
  aud: ['orders-api', 'account'],
  sub: 'f:1234:alice',
  typ: 'Bearer',
  azp: 'orders-spa',
  session_state: 's1',
  acr: 'gold',
  realm_access: { roles: ['offline_access', 'orders-admin', 'uma_authorization'] },
  resource_access: { 'orders-api': { roles: ['orders-viewer'] }, account: { roles: ['manage-account'] } },
  scope: 'openid profile email orders:read',
  email_verified: true,
  preferred_username: 'alice',
};

const GOOGLE_CLIENT = '1234567890-abc123.apps.googleusercontent.com';
const google = {
  iss: 'https://accounts.google.com',
  azp: GOOGLE_CLIENT,
  aud: GOOGLE_CLIENT,
  sub: '110169484474386276334',
  hd: 'example.com',
  email: 'alice@example.com',
  email_verified: true,
  at_hash: 'HK6E_P6Dh8Y93mRNtsDB1Q',
  ...times,
};

const row = (
  vendor: string,
  name: string,
  claims: Record<string, unknown>,
  route: string,
  expect: string,
  more: Partial<VendorCase> = {},
): VendorCase => ({ vendor, name, claims, route, expect, ...more });

export const CASES: readonly VendorCase[] = [
  row('cognito', 'access token with the resource scope', cognitoAccess, '/api/orders', 'allow'),
  row(
    'cognito',
    'access token of another app client',
    { ...cognitoAccess, client_id: 'other-client' },
    '/api/orders',
    '401 audience_mismatch',
  ),
  row(
    'cognito',
    'access token without the scope',
    { ...cognitoAccess, scope: 'openid' },
    '/api/orders',
    '403 policy_denied',
  ),
  row('cognito', 'ID token of an admin reads the admin page', cognitoId, '/api/admin', 'allow'),
  row('cognito', 'ID token has no scopes', cognitoId, '/api/orders', '403 policy_denied'),
  row(
    'cognito',
    'ID token for another app client',
    { ...cognitoId, aud: 'other-client' },
    '/api/admin',
    '401 audience_mismatch',
  ),
  row(
    'cognito',
    'access token claiming token_use id (no aud)',
    { ...cognitoAccess, token_use: 'id' },
    '/api/orders',
    '401 invalid_claims',
  ),
  row(
    'cognito',
    'a token fitting both entries (aud and client_id, token_use both)',
    { ...cognitoAccess, aud: COGNITO_CLIENT, token_use: 'id' },
    '/api/admin',
    'allow',
  ),
  row(
    'cognito',
    'groups as a string are not roles',
    { ...cognitoId, 'cognito:groups': 'admins' },
    '/api/admin',
    '403 policy_denied',
  ),

  row('auth0', 'scope string with read:orders', auth0, '/api/orders', 'allow'),
  row(
    'auth0',
    'RBAC permissions alone',
    { ...auth0, scope: 'openid', permissions: ['read:orders'] },
    '/api/orders',
    'allow',
  ),
  row('auth0', 'neither', { ...auth0, scope: 'openid', permissions: [] }, '/api/orders', '403 policy_denied'),
  row(
    'auth0',
    'a scope string with two spaces',
    { ...auth0, scope: 'openid  read:orders' },
    '/api/orders',
    '401 invalid_claims',
  ),
  row(
    'auth0',
    'a scope string with a tab',
    { ...auth0, scope: 'openid\tread:orders' },
    '/api/orders',
    '401 invalid_claims',
  ),
  row('auth0', 'namespaced admin role with the MFA claim', auth0, '/api/admin', 'allow'),
  row(
    'auth0',
    'the MFA claim as the string "true"',
    { ...auth0, 'https://example.com/mfa': 'true' },
    '/api/admin',
    '403 policy_denied',
  ),
  row(
    'auth0',
    'an un-namespaced roles claim is not mapped',
    { ...auth0, 'https://example.com/roles': [], roles: ['admin'] },
    '/api/admin',
    '403 policy_denied',
  ),
  row(
    'auth0',
    'another API audience',
    { ...auth0, aud: 'https://billing.example.com' },
    '/api/orders',
    '401 audience_mismatch',
  ),

  row('okta', 'scp array with orders:read', okta, '/api/orders', 'allow'),
  row('okta', 'Admins group with amr mfa', okta, '/api/admin', 'allow'),
  row(
    'okta',
    'Admins group with password only',
    { ...okta, amr: ['pwd'] },
    '/api/admin',
    '403 policy_denied',
  ),
  row(
    'okta',
    'scp item holding two scopes',
    { ...okta, scp: ['openid orders:read'] },
    '/api/orders',
    '401 invalid_claims',
  ),
  row('okta', 'scp without the scope', { ...okta, scp: ['openid'] }, '/api/orders', '403 policy_denied'),

  row('entra', 'delegated scp Orders.Read', entraUser, '/api/orders', 'allow', { header: { typ: 'JWT' } }),
  row(
    'entra',
    'scp without Orders.Read',
    { ...entraUser, scp: 'User.Read' },
    '/api/orders',
    '403 policy_denied',
  ),
  row('entra', 'daemon with the app role from our tenant', entraDaemon, '/api/orders', 'allow', {
    method: 'POST',
  }),
  row(
    'entra',
    'daemon without tid',
    (({ tid: _, ...rest }) => rest)(entraDaemon),
    '/api/orders',
    '403 policy_denied',
    { method: 'POST' },
  ),
  row('entra', 'tid of another type', { ...entraDaemon, tid: 42 }, '/api/orders', '401 invalid_claims', {
    method: 'POST',
  }),
  row('entra', 'a user token cannot write', entraUser, '/api/orders', '403 policy_denied', {
    method: 'POST',
  }),

  row('keycloak', 'scope string with orders:read', keycloak, '/api/orders', 'allow'),
  row('keycloak', 'realm role with acr gold', keycloak, '/api/admin', 'allow'),
  row(
    'keycloak',
    'realm role with acr 1 (no second factor)',
    { ...keycloak, acr: '1' },
    '/api/admin',
    '403 policy_denied',
  ),
  row(
    'keycloak',
    'client role through the array path, acr gold',
    {
      ...keycloak,
      realm_access: { roles: ['offline_access'] },
      resource_access: { 'orders-api': { roles: ['orders-admin'] } },
    },
    '/api/admin',
    'allow',
  ),
  row(
    'keycloak',
    "another client's role of that name is not mapped",
    {
      ...keycloak,
      realm_access: { roles: [] },
      resource_access: { account: { roles: ['orders-admin'] } },
    },
    '/api/admin',
    '403 policy_denied',
  ),
  row(
    'keycloak',
    'realm_access.roles behind an array is not read',
    { ...keycloak, realm_access: [{ roles: ['orders-admin'] }] },
    '/api/admin',
    '403 policy_denied',
  ),
  row(
    'keycloak',
    'a token issued to another client (azp)',
    { ...keycloak, azp: 'evil-app' },
    '/api/orders',
    '401 invalid_claims',
  ),

  row('google', 'Workspace user of example.com', google, '/api/profile', 'allow'),
  row('google', 'the other iss spelling', { ...google, iss: 'accounts.google.com' }, '/api/profile', 'allow'),
  row(
    'google',
    'a gmail.com account (no hd)',
    (({ hd: _, ...rest }) => rest)(google),
    '/api/profile',
    '403 policy_denied',
  ),
  row(
    'google',
    'another Workspace domain',
    { ...google, hd: 'example.org' },
    '/api/profile',
    '403 policy_denied',
  ),
  row(
    'google',
    'email_verified false',
    { ...google, email_verified: false },
    '/api/profile',
    '403 policy_denied',
  ),
  row(
    'google',
    'email_verified as the string "true"',
    { ...google, email_verified: 'true' },
    '/api/profile',
    '401 invalid_claims',
  ),
  row(
    'google',
    'an iss spelt a third way',
    { ...google, iss: 'https://accounts.google.com/' },
    '/api/profile',
    '401 untrusted_issuer',
  ),
];

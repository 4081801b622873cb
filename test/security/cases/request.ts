/**
 * Attacks through the request and the authorizer's collaborators: Authorization header tricks,
 * tokens in the wrong place, malformed events, routes policy must refuse, revocation bypasses,
 * and key, revocation and policy sources that fail.
 */
import type { PolicyEngine } from '../../../functions/core/policy/types.ts';
import { indexRevocations, type RevocationStore } from '../../../functions/core/revocation.ts';
import type { DenyCase } from '../../support/cases.ts';
import { httpV2Event, restRequestEvent, restTokenEvent } from '../../support/events.ts';
import { malleateEs256 } from '../../support/forge.ts';
import { adminClaims, ISSUER, NOW, OTHER_ISSUER, type World } from '../../support/world.ts';

const failing = (message: string) => () => {
  throw new Error(message);
};

export function requestCases(w: World): DenyCase[] {
  const t = w.token();
  const admin = w.token({ claims: adminClaims() });
  const rest = (authorization: string | undefined, options = {}) => restRequestEvent(authorization, options);
  const withStore = (store: RevocationStore) => w.authorizer({ revocations: store });
  const revoked = w.token({ claims: { jti: 'stolen-jti' } });
  const withPolicy = (policy: PolicyEngine) => w.authorizer({ policy });

  // biome-ignore format: one case per line keeps the table readable
  return [
    { name: 'no Authorization header', event: rest(undefined), expect: [401, 'missing_token'] },
    { name: 'Authorization empty', event: rest(''), expect: [401, 'missing_token'] },
    { name: 'Authorization only spaces', event: rest('   '), expect: [401, 'missing_token'] },
    { name: 'token without a scheme', event: rest(t), expect: [401, 'malformed_authorization'] },
    { name: 'Basic scheme', event: rest('Basic dXNlcjpwYXNzd29yZA=='), expect: [401, 'malformed_authorization'] },
    { name: 'Token scheme', event: rest(`Token ${t}`), expect: [401, 'malformed_authorization'] },
    { name: 'Bearer with no token', event: rest('Bearer'), expect: [401, 'malformed_authorization'] },
    { name: 'Bearer glued to the token', event: rest(`Bearer${t}`), expect: [401, 'malformed_authorization'] },
    { name: 'Bearer, tab, token', event: rest(`Bearer\t${t}`), expect: [401, 'malformed_authorization'] },
    { name: 'Bearer, newline, token', event: rest(`Bearer\n${t}`), expect: [401, 'malformed_authorization'] },
    { name: 'trailing newline after the token', event: rest(`Bearer ${t}\n`), expect: [401, 'malformed_authorization'] },
    { name: 'space inside the signature', event: rest(`Bearer ${t.slice(0, -10)} ${t.slice(-10)}`), expect: [401, 'malformed_authorization'] },
    { name: 'newline inside the signature', event: rest(`Bearer ${t.slice(0, -10)}\n${t.slice(-10)}`), expect: [401, 'malformed_authorization'] },
    { name: 'non-ASCII character in the token', event: rest(`Bearer ${t}\u00e9`), expect: [401, 'malformed_authorization'] },
    { name: 'two tokens after Bearer', event: rest(`Bearer ${t} ${admin}`), expect: [401, 'malformed_authorization'] },
    { name: 'two Bearer values comma-joined', event: rest(`Bearer ${t}, Bearer ${admin}`), expect: [401, 'malformed_authorization'] },
    { name: 'two tokens comma-joined after one Bearer', event: rest(`Bearer ${t},${admin}`), expect: [401, 'malformed_authorization'] },
    { name: 'Authorization and authorization headers', event: rest(`Bearer ${t}`, { headers: { authorization: `Bearer ${admin}` } }), expect: [401, 'malformed_authorization'] },
    { name: 'multiValueHeaders with two Authorization values', event: rest(`Bearer ${t}`, { multiValueHeaders: { Authorization: [`Bearer ${t}`, `Bearer ${admin}`] } }), expect: [401, 'malformed_authorization'] },
    { name: 'headers and multiValueHeaders disagree', event: rest(`Bearer ${t}`, { multiValueHeaders: { Authorization: [`Bearer ${admin}`] } }), expect: [401, 'malformed_authorization'] },
    { name: 'token only in the query string (REST)', event: rest(undefined, { queryStringParameters: { access_token: t } }), expect: [401, 'missing_token'] },
    { name: 'token only in a cookie (REST)', event: rest(undefined, { headers: { Cookie: `access_token=${t}` } }), expect: [401, 'missing_token'] },
    { name: 'token only in X-Authorization', event: rest(undefined, { headers: { 'X-Authorization': `Bearer ${t}` } }), expect: [401, 'missing_token'] },
    { name: 'token only in the query string (HTTP API)', event: httpV2Event(undefined, { rawQueryString: `access_token=${t}` }), expect: [401, 'missing_token'] },
    { name: 'token only in a cookie (HTTP API)', event: httpV2Event(undefined, { cookies: [`access_token=${t}`] }), expect: [401, 'missing_token'] },
    { name: 'TOKEN event without the Bearer scheme', event: restTokenEvent(t), expect: [401, 'malformed_authorization'] },
    { name: 'TOKEN event without authorizationToken', event: restTokenEvent(undefined), expect: [401, 'missing_token'] },
    { name: 'the fixture placeholder token', event: rest(undefined, { headers: { Authorization: 'Bearer eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJmaXh0dXJlIn0.c2lnbmF0dXJl' } }), expect: [401, 'untrusted_issuer'] },
    { name: 'event is null', event: null, expect: [401, 'malformed_event'] },
    { name: 'event is an array', event: [restTokenEvent(`Bearer ${t}`)], expect: [401, 'malformed_event'] },
    { name: 'event of an unknown type', event: { ...restTokenEvent(`Bearer ${t}`), type: 'COGNITO' }, expect: [401, 'malformed_event'] },
    { name: 'REQUEST event without methodArn', event: { ...rest(`Bearer ${t}`), methodArn: undefined }, expect: [401, 'malformed_event'] },
    { name: 'TOKEN event with a malformed methodArn', event: { ...restTokenEvent(`Bearer ${t}`), methodArn: 'arn:aws:s3:::bucket' }, expect: [401, 'malformed_event'] },
    { name: 'HTTP API event with routeKey "GET"', event: { ...httpV2Event(`Bearer ${t}`), routeKey: 'GET' }, expect: [401, 'malformed_event'] },

    { name: 'route not in any policy', token: admin, route: '/api/admin', expect: [403, 'policy_denied'] },
    { name: 'route in different case', token: admin, route: '/API/profile', expect: [403, 'policy_denied'] },
    { name: 'route with a trailing slash', token: admin, route: '/api/profile/', expect: [403, 'policy_denied'] },
    { name: 'POST to a GET-only route', event: rest(`Bearer ${admin}`, { method: 'POST' }), expect: [403, 'policy_denied'] },
    { name: 'greedy proxy reaching /api/sensitive without admin', event: rest(`Bearer ${t}`, { resource: '/{proxy+}', path: '/api/sensitive' }), expect: [403, 'role_required'] },
    { name: 'HTTP API $default route reaching /api/sensitive without MFA', event: httpV2Event(`Bearer ${w.token({ claims: { role: 'admin' } })}`, { routeKey: '$default', path: '/api/sensitive' }), expect: [403, 'mfa_required'] },

    { name: 'revoked jti replayed verbatim', token: revoked, authorizer: withStore(indexRevocations([{ kind: 'jti', jti: 'stolen-jti', revokedAt: NOW - 5 }])), expect: [401, 'token_revoked'] },
    { name: 'revoked jti replayed with signature s -> n - s', token: malleateEs256(revoked), authorizer: withStore(indexRevocations([{ kind: 'jti', jti: 'stolen-jti', revokedAt: NOW - 5 }])), expect: [401, 'token_revoked'] },
    { name: 'jti revoked for this issuer only', token: revoked, authorizer: withStore(indexRevocations([{ kind: 'jti', jti: 'stolen-jti', issuer: ISSUER, revokedAt: NOW - 5 }])), expect: [401, 'token_revoked'] },
    { name: 'subject revoked after the token was issued', token: t, authorizer: withStore(indexRevocations([{ kind: 'subject', issuer: ISSUER, subject: 'user-1', revokedAt: NOW - 10 }])), expect: [401, 'token_revoked'] },
    { name: 'subject revoked in the very second of iat', token: t, authorizer: withStore(indexRevocations([{ kind: 'subject', issuer: ISSUER, subject: 'user-1', revokedAt: NOW - 60 }])), expect: [401, 'token_revoked'] },
    { name: 'revocation store throws', token: t, authorizer: withStore({ lookup: failing('table unreachable') }), expect: [401, 'revocation_unavailable'] },
    { name: 'revocation store rejects', token: t, authorizer: withStore({ lookup: () => Promise.reject(new Error('timeout')) }), expect: [401, 'revocation_unavailable'] },
    { name: 'revocation store answers garbage', token: t, authorizer: withStore({ lookup: () => undefined as never }), expect: [401, 'revocation_unavailable'] },
    { name: 'key source throws', token: t, authorizer: w.authorizer({ issuerKeys: { current: failing('JWKS down'), refresh: async () => undefined } }), expect: [401, 'keys_unavailable'] },
    { name: 'key source rejects', token: t, authorizer: w.authorizer({ issuerKeys: { current: () => Promise.reject(new Error('timeout')), refresh: async () => undefined } }), expect: [401, 'keys_unavailable'] },
    { name: 'unknown kid and a key refresh that throws', token: w.token({ header: { kid: 'new-kid' } }), authorizer: w.authorizer({ issuerKeys: { current: () => ({ keys: [] }), refresh: () => Promise.reject(new Error('JWKS down')) } }), expect: [401, 'unknown_key'] },
    { name: 'clock value NaN (no time check may pass)', token: t, now: Number.NaN, expect: [401, 'internal_error'] },
    { name: 'clock value beyond the Date range', token: t, now: 1e17, expect: [401, 'internal_error'] },
    { name: 'policy engine throws', token: admin, authorizer: withPolicy({ revision: 'broken', evaluate: failing('wasm trap') }), expect: [401, 'internal_error'] },
    { name: 'policy engine answers "ALLOW" (not the contract)', token: admin, authorizer: withPolicy({ revision: 'broken', evaluate: () => ({ decision: 'ALLOW' }) as never }), expect: [401, 'internal_error'] },
    { name: 'subject revoked at the other trusted issuer', token: w.token({ key: w.keys.other, claims: { iss: OTHER_ISSUER, sub: 'user-1' } }), authorizer: withStore(indexRevocations([{ kind: 'subject', issuer: OTHER_ISSUER, subject: 'user-1', revokedAt: NOW }])), expect: [401, 'token_revoked'] },
  ];
}

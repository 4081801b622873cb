/**
 * Attacks through the claims and the JSON they are written in: time, issuer and audience
 * lookalikes, claim types, duplicate and prototype-named members, MFA and role spoofing.
 */
import type { DenyCase } from '../../support/cases.ts';
import { forge } from '../../support/forge.ts';
import {
  AUDIENCE,
  adminClaims,
  baseClaims,
  ISSUER,
  NOW,
  OTHER_ISSUER,
  UNTRUSTED_ISSUER,
  type World,
} from '../../support/world.ts';

/** Claims JSON text with `extra` spliced in raw (so duplicates and `__proto__` survive). */
const rawClaims = (extra: string, claims = baseClaims()) =>
  `${JSON.stringify(claims).slice(0, -1)},${extra}}`;

export function claimsCases(w: World): DenyCase[] {
  const { keys } = w;
  const es1 = { alg: 'ES256', key: keys.es1.privateKey };
  const rawHeader = (text: string) => forge({ header: text, claims: baseClaims(), signer: es1 });
  const withRaw = (extra: string) =>
    forge({ header: { alg: 'ES256', typ: 'JWT', kid: 'es-1' }, claims: rawClaims(extra), signer: es1 });
  const claims = (c: Record<string, unknown>) => w.token({ claims: c });
  const sensitive = (c: Record<string, unknown>) => ({
    token: w.token({ claims: { ...adminClaims(), ...c } }),
    route: '/api/sensitive',
  });

  // biome-ignore format: one case per line keeps the table readable
  return [
    { name: 'expired: now = exp + 31 s', token: claims({ exp: NOW - 31 }), expect: [401, 'token_expired'] },
    { name: 'expired long ago', token: claims({ iat: NOW - 7200, exp: NOW - 3600 }), expect: [401, 'token_expired'] },
    { name: 'nbf 31 s in the future', token: claims({ nbf: NOW + 31 }), expect: [401, 'token_not_yet_valid'] },
    { name: 'iat 31 s in the future', token: claims({ iat: NOW + 31 }), expect: [401, 'token_not_yet_valid'] },
    { name: 'exp as a string', token: claims({ exp: String(NOW + 600) }), expect: [401, 'invalid_claims'] },
    { name: 'exp null', token: claims({ exp: null }), expect: [401, 'invalid_claims'] },
    { name: 'exp 1e400 (parses to Infinity)', token: forge({ header: { alg: 'ES256', kid: 'es-1' }, claims: rawClaims('"exp":1e400', { ...baseClaims(), exp: undefined }), signer: es1 }), expect: [401, 'invalid_claims'] },
    { name: 'exp 1e308', token: claims({ exp: 1e308 }), expect: [401, 'lifetime_exceeded'] },
    { name: 'exp in milliseconds', token: claims({ exp: (NOW + 600) * 1000 }), expect: [401, 'lifetime_exceeded'] },
    { name: 'exp - iat = 86,401 s', token: claims({ iat: NOW - 100, exp: NOW - 100 + 86_401 }), expect: [401, 'lifetime_exceeded'] },
    { name: 'iat at the epoch, exp in the future', token: claims({ iat: 0 }), expect: [401, 'lifetime_exceeded'] },
    { name: 'exp + 1 s with clock tolerance configured to 0', token: claims({ exp: NOW - 1 }), authorizer: w.authorizer({ issuerConfig: { clockToleranceSeconds: 0 } }), expect: [401, 'token_expired'] },
    { name: 'lifetime of 2 h where the issuer allows 1 h', token: claims({ exp: NOW - 60 + 7200 }), authorizer: w.authorizer({ issuerConfig: { maxLifetimeSeconds: 3600 } }), expect: [401, 'lifetime_exceeded'] },
    { name: 'exp before iat', token: claims({ iat: NOW - 10, exp: NOW - 20 }), expect: [401, 'invalid_claims'] },
    { name: 'iat as a string', token: claims({ iat: String(NOW) }), expect: [401, 'invalid_claims'] },
    { name: 'nbf as a string', token: claims({ nbf: String(NOW) }), expect: [401, 'invalid_claims'] },

    { name: 'iss missing', token: claims({ iss: undefined }), expect: [401, 'untrusted_issuer'] },
    { name: 'aud missing', token: claims({ aud: undefined }), expect: [401, 'invalid_claims'] },
    { name: 'exp missing', token: claims({ exp: undefined }), expect: [401, 'invalid_claims'] },
    { name: 'iat missing', token: claims({ iat: undefined }), expect: [401, 'invalid_claims'] },
    { name: 'sub missing', token: claims({ sub: undefined }), expect: [401, 'invalid_claims'] },
    { name: 'iss of another domain', token: claims({ iss: 'https://idp.example.com' }), expect: [401, 'untrusted_issuer'] },
    { name: 'iss with a trailing slash', token: claims({ iss: `${ISSUER}/` }), expect: [401, 'untrusted_issuer'] },
    { name: 'iss in different case', token: claims({ iss: 'https://IDP.example.test' }), expect: [401, 'untrusted_issuer'] },
    { name: 'iss with a Cyrillic "е" homoglyph', token: claims({ iss: 'https://idp.\u0435xample.test' }), expect: [401, 'untrusted_issuer'] },
    { name: 'iss with a trailing space', token: claims({ iss: `${ISSUER} ` }), expect: [401, 'untrusted_issuer'] },
    { name: 'iss as an array', token: claims({ iss: [ISSUER] }), expect: [401, 'untrusted_issuer'] },
    { name: 'untrusted issuer, signed by its own key', token: w.token({ key: keys.untrusted, claims: { iss: UNTRUSTED_ISSUER } }), expect: [401, 'untrusted_issuer'] },
    { name: 'other trusted issuer, signed with this issuer\'s key', token: claims({ iss: OTHER_ISSUER }), expect: [401, 'unknown_key'] },
    { name: 'aud "zt-api " with a trailing space', token: claims({ aud: `${AUDIENCE} ` }), expect: [401, 'audience_mismatch'] },
    { name: 'aud in different case', token: claims({ aud: 'ZT-API' }), expect: [401, 'audience_mismatch'] },
    { name: 'aud [AUD, 1, null]', token: claims({ aud: [AUDIENCE, 1, null] }), expect: [401, 'invalid_claims'] },
    { name: 'aud []', token: claims({ aud: [] }), expect: [401, 'audience_mismatch'] },
    { name: 'aud as an object', token: claims({ aud: { [AUDIENCE]: true } }), expect: [401, 'invalid_claims'] },
    { name: 'valid token for another audience', token: claims({ aud: 'billing-api' }), expect: [401, 'audience_mismatch'] },
    { name: 'aud configured only for the other issuer', token: claims({ aud: 'other-api' }), expect: [401, 'audience_mismatch'] },
    { name: 'sub empty', token: claims({ sub: '' }), expect: [401, 'invalid_claims'] },
    { name: 'sub a number', token: claims({ sub: 42 }), expect: [401, 'invalid_claims'] },
    { name: 'sub an object', token: claims({ sub: { id: 'user-1' } }), expect: [401, 'invalid_claims'] },
    { name: 'sub an array', token: claims({ sub: ['user-1'] }), expect: [401, 'invalid_claims'] },
    { name: 'jti empty', token: claims({ jti: '' }), expect: [401, 'invalid_claims'] },
    { name: 'jti a number', token: claims({ jti: 7 }), expect: [401, 'invalid_claims'] },
    { name: 'jti null', token: claims({ jti: null }), expect: [401, 'invalid_claims'] },

    { name: 'duplicate alg in the header', token: rawHeader('{"alg":"none","alg":"ES256","kid":"es-1"}'), expect: [401, 'malformed_token'] },
    { name: 'duplicate kid in the header', token: rawHeader('{"alg":"ES256","kid":"es-2","kid":"es-1"}'), expect: [401, 'malformed_token'] },
    { name: 'duplicate sub in the claims', token: withRaw('"sub":"admin"'), expect: [401, 'malformed_token'] },
    { name: 'duplicate sub spelled with a \\u escape', token: withRaw('"s\\u0075b":"admin"'), expect: [401, 'malformed_token'] },
    { name: 'duplicate key in a nested claim object', token: withRaw('"ctx":{"role":"user","role":"admin"}'), expect: [401, 'malformed_token'] },
    { name: 'duplicate key in an object inside an array', token: withRaw('"list":[1,{"a":1,"a":2}]'), expect: [401, 'malformed_token'] },
    { name: '__proto__ claim at the top level', token: withRaw('"__proto__":{"role":"admin"}'), expect: [401, 'malformed_token'] },
    { name: '__proto__ spelled with \\u escapes', token: withRaw('"\\u005f_proto__":{"role":"admin"}'), expect: [401, 'malformed_token'] },
    { name: '__proto__ nested in a claim', token: withRaw('"ctx":{"__proto__":{"isAdmin":true}}'), expect: [401, 'malformed_token'] },
    { name: 'constructor claim at the top level', token: withRaw('"constructor":{"prototype":{"role":"admin"}}'), expect: [401, 'malformed_token'] },
    { name: 'prototype member nested in an array', token: withRaw('"x":[{"prototype":1}]'), expect: [401, 'malformed_token'] },
    { name: '__proto__ in the header', token: rawHeader('{"alg":"ES256","kid":"es-1","__proto__":{"alg":"none"}}'), expect: [401, 'malformed_token'] },
    { name: 'constructor in the header', token: rawHeader('{"alg":"ES256","kid":"es-1","constructor":1}'), expect: [401, 'malformed_token'] },
    { name: 'lone surrogate escape in sub', token: forge({ header: { alg: 'ES256', typ: 'JWT', kid: 'es-1' }, claims: JSON.stringify({ ...baseClaims(), sub: 'SUB' }).replace('"SUB"', '"user\\ud800"'), signer: es1 }), expect: [401, 'malformed_token'] },
    { name: 'lone surrogate escape in a role', token: withRaw('"roles":["admin","\\udc00"]'), expect: [401, 'malformed_token'] },

    { name: 'MFA as the string "true"', ...sensitive({ amr: undefined, mfa: 'true' }), expect: [403, 'mfa_required'] },
    { name: 'mfa_verified as the string "true"', ...sensitive({ amr: undefined, mfa_verified: 'true' }), expect: [403, 'mfa_required'] },
    { name: 'amr "mfa" as a string, not an array', ...sensitive({ amr: 'mfa' }), expect: [403, 'mfa_required'] },
    { name: 'mfa_verified: 1', ...sensitive({ amr: undefined, mfa_verified: 1 }), expect: [403, 'mfa_required'] },
    { name: 'amr ["MFA"] (wrong case)', ...sensitive({ amr: ['MFA'] }), expect: [403, 'mfa_required'] },
    { name: 'amr [["mfa"]] (nested)', ...sensitive({ amr: [['mfa']] }), expect: [403, 'mfa_required'] },
    { name: 'admin without MFA', ...sensitive({ amr: ['pwd'] }), expect: [403, 'mfa_required'] },
    { name: 'role ["admin"] where a string is expected', ...sensitive({ role: ['admin'] }), expect: [403, 'role_required'] },
    { name: 'roles "admin" where an array is expected', ...sensitive({ role: undefined, roles: 'admin' }), expect: [403, 'role_required'] },
    { name: 'role "Admin" (wrong case)', ...sensitive({ role: 'Admin' }), expect: [403, 'role_required'] },
    { name: 'role "admin " (trailing space)', ...sensitive({ role: 'admin ' }), expect: [403, 'role_required'] },
    { name: 'no role at all', ...sensitive({ role: undefined }), expect: [403, 'role_required'] },
  ];
}

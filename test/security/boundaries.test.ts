/**
 * The other side of the attack table: tokens and requests at the edge of every rule that must
 * be ALLOWED. Without these, a suite that denies everything would pass.
 */
import { verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { indexRevocations } from '../../functions/core/revocation.ts';
import type { TestAuthorizer } from '../support/authorizer.ts';
import { restRequestEvent } from '../support/events.ts';
import { fromB64u, malleateEs256, segments } from '../support/forge.ts';
import {
  AUDIENCE,
  adminClaims,
  bearerEvent,
  createWorld,
  ISSUER,
  NOW,
  OTHER_ISSUER,
  verdict,
} from '../support/world.ts';
import { tokenOfLength } from './cases/shapes.ts';

const w = createWorld();
const t = w.token();
const store = (records: Parameters<typeof indexRevocations>[0]) =>
  w.authorizer({ revocations: indexRevocations(records) });

interface AllowCase {
  readonly name: string;
  readonly event: unknown;
  readonly authorizer?: TestAuthorizer;
}
const ok = (name: string, token: string, route?: string, authorizer?: TestAuthorizer): AllowCase => ({
  name,
  event: bearerEvent(token, route),
  ...(authorizer ? { authorizer } : {}),
});
const claims = (c: Record<string, unknown>) => w.token({ claims: c });
const sensitive = (c: Record<string, unknown>) => w.token({ claims: { ...adminClaims(), ...c } });

// biome-ignore format: one case per line keeps the table readable
const cases: AllowCase[] = [
  ok('baseline ES256 token', t),
  ok('RS256 token', w.token({ key: w.keys.rs1 })),
  ok('PS256 token', w.token({ key: w.keys.ps1 })),
  ok('EdDSA token without kid: exactly one key fits', w.token({ key: w.keys.ed1, header: { kid: undefined } })),
  ok('token of the second trusted issuer', w.token({ key: w.keys.other, claims: { iss: OTHER_ISSUER, aud: 'other-api' } })),
  ok('exp + 30 s = now (tolerance, inclusive)', claims({ exp: NOW - 30 })),
  ok('nbf = now + 30 s', claims({ nbf: NOW + 30 })),
  ok('iat = now + 30 s', claims({ iat: NOW + 30, exp: NOW + 600 })),
  ok('exp - iat = 86,400 s exactly', claims({ iat: NOW - 100, exp: NOW - 100 + 86_400 })),
  ok('token of exactly 8,192 bytes', tokenOfLength(w, 8192)),
  ok('typ absent', w.token({ header: { typ: undefined } })),
  ok('typ "jwt"', w.token({ header: { typ: 'jwt' } })),
  ok('typ "at+jwt"', w.token({ header: { typ: 'at+jwt' } })),
  ok('typ "application/at+JWT"', w.token({ header: { typ: 'application/at+JWT' } })),
  ok('typ "at+jwt" where the issuer requires it', w.token({ header: { typ: 'at+jwt' } }), undefined, w.authorizer({ issuerConfig: { typ: 'at+jwt' } })),
  ok('exp = now with clock tolerance 0', claims({ exp: NOW }), undefined, w.authorizer({ issuerConfig: { clockToleranceSeconds: 0 } })),
  ok('aud array holding the audience among others', claims({ aud: ['billing-api', AUDIENCE] })),
  ok('admin with amr ["mfa"] on /api/sensitive', sensitive({}), '/api/sensitive'),
  ok('admin with mfa_verified: true on /api/sensitive', sensitive({ amr: undefined, mfa_verified: true }), '/api/sensitive'),
  ok('admin with mfa: true on /api/sensitive', sensitive({ amr: undefined, mfa: true }), '/api/sensitive'),
  ok('admin from roles ["admin"] on /api/sensitive', sensitive({ role: undefined, roles: ['viewer', 'admin', 7] }), '/api/sensitive'),
  // Beyond the 30 s clock tolerance: a subject revocation covers iat ≤ revokedAt + tolerance.
  ok('subject revoked more than the clock tolerance before this token was issued', claims({ iat: NOW - 5 }), undefined, store([{ kind: 'subject', issuer: ISSUER, subject: 'user-1', revokedAt: NOW - 36 }])),
  ok('jti revoked at another issuer only', t, undefined, store([{ kind: 'jti', jti: 'jti-1', issuer: OTHER_ISSUER, revokedAt: NOW }])),
  ok('another jti revoked', t, undefined, store([{ kind: 'jti', jti: 'jti-2', revokedAt: NOW }])),
  { name: 'scheme "bearer", lower case', event: restRequestEvent(`bearer ${t}`) },
  { name: 'scheme "BEARER", upper case', event: restRequestEvent(`BEARER ${t}`) },
  { name: 'several spaces after Bearer, spaces around the value', event: restRequestEvent(`  Bearer   ${t}  `) },
  { name: 'header name "authorization" in lower case', event: restRequestEvent(undefined, { headers: { authorization: `Bearer ${t}` } }) },
  { name: 'greedy proxy reaching /api/profile', event: restRequestEvent(`Bearer ${t}`, { resource: '/{proxy+}', path: '/api/profile' }) },
];

describe('allowed boundaries', () => {
  it.each(cases)('$name', async (c) => {
    const outcome = await (c.authorizer ?? w.default).decide(c.event);
    expect(verdict(outcome)).toEqual({ effect: 'allow', status: 200, reason: 'allowed' });
  });
});

describe('premises the attack table relies on', () => {
  it('an ES256 signature re-encoded as (r, n - s) is a different string that still verifies', () => {
    const original = w.token();
    const twin = malleateEs256(original);
    const [h, p, s] = segments(twin);
    expect(twin).not.toBe(original);
    const valid = verify(
      'sha256',
      Buffer.from(`${h}.${p}`),
      { key: w.keys.es1.publicKey, dsaEncoding: 'ieee-p1363' },
      fromB64u(s),
    );
    expect(valid).toBe(true);
  });

  it('the 1024-bit RSA key of the JWKS is skipped with a reason', () => {
    expect(w.jwksProblems).toEqual([
      expect.stringMatching(/^keys\[6\]: RSA modulus of 1024 bits is under 2048/),
    ]);
  });

  it('the 8,192- and 8,193-byte tokens really have those lengths', () => {
    expect(tokenOfLength(w, 8192)).toHaveLength(8192);
    expect(tokenOfLength(w, 8193)).toHaveLength(8193);
  });
});

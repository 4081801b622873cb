import { describe, expect, it } from 'vitest';
import { parseClaimMapping } from '../../../functions/core/config/claim-mapping.ts';
import { principalFacts } from '../../../functions/core/identity.ts';

const mapping = parseClaimMapping(
  {
    roles: [{ claim: '/realm_access/roles', type: 'array' }],
    mfaAcrValues: ['gold'],
    mfaBooleanClaims: ['/ext/mfa'],
    typed: {
      tenant: { claim: 'tid', type: 'String' },
      level: { claim: '/ext/level', type: 'Long' },
      compliant: { claim: 'device_compliant', type: 'Bool' },
      groups: { claim: ['ext', 'groups'], type: 'Set<String>' },
    },
  },
  'claims',
);
const facts = (all: Record<string, unknown>) =>
  principalFacts({ iss: 'https://idp', sub: 's', iat: 0, exp: 1, jti: undefined, all }, mapping);

describe('principalFacts: MFA from amr, acr and boolean claims by path', () => {
  it.each([
    [{ amr: ['pwd', 'mfa'] }, true],
    [{ amr: 'mfa' }, false],
    [{ acr: 'gold' }, true],
    [{ acr: ['gold'] }, false],
    [{ acr: 'Gold' }, false],
    [{ ext: { mfa: true } }, true],
    [{ ext: { mfa: 'true' } }, false],
    [{ 'ext.mfa': true }, false],
    [{}, false],
  ])('%j → mfa %s', (claims, mfa) => {
    expect(facts(claims)).toMatchObject({ ok: true, principal: { mfa } });
  });
});

describe('principalFacts: typed claims', () => {
  it('brings present claims in, sets sorted and de-duplicated; missing and null are absent', () => {
    expect(facts({ tid: 't1', ext: { level: 3, groups: ['b', 'a', 'b'] }, device_compliant: null })).toEqual({
      ok: true,
      principal: expect.objectContaining({ claims: { tenant: 't1', level: 3, groups: ['a', 'b'] } }),
    });
  });

  it.each([
    [{ tid: 7 }, /tid is not a String \(claims\.typed\.tenant\)/],
    [{ ext: { level: 1.5 } }, /\/ext\/level is not a Long/],
    [{ ext: { level: 2 ** 53 } }, /is not a Long/],
    [{ ext: { level: '3' } }, /is not a Long/],
    [{ device_compliant: 'true' }, /device_compliant is not a Bool/],
    [{ ext: { groups: ['a', 1] } }, /\/ext\/groups is not a Set<String>/],
    [{ ext: { groups: 'a' } }, /is not a Set<String>/],
  ])('refuses %j', (claims, detail) => {
    const result = facts(claims);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.detail).toMatch(detail);
  });
});

describe('principalFacts: roles by path', () => {
  it.each([
    [{ realm_access: { roles: ['a', 'b', 'a', ''] } }, ['a', 'b']],
    [{ realm_access: { roles: 'a' } }, []],
    [{ realm_access: [{ roles: ['a'] }] }, []],
    [{ 'realm_access/roles': ['a'] }, []],
  ])('%j → %j', (claims, roles) => {
    expect(facts(claims)).toMatchObject({ ok: true, principal: { roles } });
  });
});

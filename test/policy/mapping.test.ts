import { describe, expect, it } from 'vitest';
import { cedarIp, matchedPath, toCedarRequest } from '../../functions/core/policy/mapping.ts';
import { input, NOW } from './helpers.ts';

describe('matchedPath', () => {
  it.each([
    ['/api/sensitive', '/api/sensitive/', '/api/sensitive'],
    ['/items/{id}', '/items/42', '/items/{id}'],
    ['/{proxy+}', '/API/Sensitive', '/API/Sensitive'],
    ['/api/{rest+}', '/api/a//b', '/api/a//b'],
    ['$default', '/x/%2e%2e/y', '/x/%2e%2e/y'],
    ['$Default', '/x', '$Default'],
  ])('route %j, path %j → %j', (route, path, expected) => {
    expect(matchedPath({ method: 'GET', route, path })).toBe(expected);
  });
});

describe('cedarIp', () => {
  it.each([
    ['10.1.2.3', '10.1.2.3'],
    ['2001:db8::1', '2001:db8::1'],
    ['::ffff:10.1.2.3', '10.1.2.3'],
    ['::FFFF:192.0.2.1', '192.0.2.1'],
    ['::1.2.3.4', undefined],
    ['fe80::1%eth0', undefined],
    ['10.0.0.0/8', undefined],
    ['010.1.2.3', undefined],
    [' 10.1.2.3', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('%j → %j', (raw, expected) => {
    expect(cedarIp(raw)).toBe(expected);
  });
});

describe('toCedarRequest', () => {
  it('passes every fact as a JSON value', () => {
    const request = toCedarRequest(
      input(
        {
          issuer: 'https://idp',
          subject: 'a"b',
          roles: ['admin', 'admin', 'x'],
          mfa: true,
          authTime: NOW - 30.7,
          scopes: ['orders:write', 'orders:read', 'orders:write'],
          claims: { tenant: 't1', level: 3, compliant: true, groups: ['b', 'a', 'b'] },
        },
        { method: 'GET', route: '/{proxy+}', path: '/p', apiId: 'api', stage: 'prod', sourceIp: '192.0.2.1' },
        NOW + 0.9,
      ),
    );
    expect(request).toEqual({
      principal: { type: 'ZTA::User', id: 'https://idp|a"b' },
      action: { type: 'ZTA::Action', id: 'GET' },
      resource: { type: 'ZTA::Route', id: '/p' },
      context: {
        mfa: true,
        now: NOW,
        scopes: ['orders:read', 'orders:write'],
        claims: { compliant: true, groups: ['a', 'b'], level: 3, tenant: 't1' },
        authTime: NOW - 31,
        authAgeSeconds: 31,
        sourceIp: { __extn: { fn: 'ip', arg: '192.0.2.1' } },
      },
      entities: [
        {
          uid: { type: 'ZTA::User', id: 'https://idp|a"b' },
          attrs: { issuer: 'https://idp', subject: 'a"b' },
          parents: [
            { type: 'ZTA::Role', id: 'admin' },
            { type: 'ZTA::Role', id: 'x' },
            { type: 'ZTA::Issuer', id: 'https://idp' },
          ],
        },
        {
          uid: { type: 'ZTA::Route', id: '/p' },
          attrs: { template: '/{proxy+}', path: '/p', apiId: 'api', stage: 'prod' },
          parents: [],
        },
      ],
    });
  });

  it.each([
    ['no auth_time', undefined, {}],
    ['auth_time in the future', NOW + 1, { authTime: NOW + 1 }],
    ['auth_time beyond a safe integer', 1e300, {}],
  ])('context with %s', (_, authTime, extra) => {
    expect(toCedarRequest(input({ authTime })).context).toEqual({
      mfa: false,
      now: NOW,
      scopes: [],
      claims: {},
      ...extra,
    });
  });

  it('only a boolean true is MFA', () => {
    const truthy = { ...input(), principal: { ...input().principal, mfa: 'true' as unknown as boolean } };
    expect(toCedarRequest(truthy).context.mfa).toBe(false);
  });

  it.each([
    ['a Long beyond a safe integer', { n: 2 ** 53 }],
    ['a lone surrogate in a String claim', { s: '\ud800' }],
    ['a lone surrogate in a Set<String> claim', { g: ['ok', '\udc00'] }],
    ['an object', { o: { a: 1 } as unknown as string }],
  ])('refuses a typed claim Cedar cannot hold: %s', (_, claims) => {
    expect(() => toCedarRequest(input({ claims }))).toThrow(TypeError);
  });

  it('refuses a scope Cedar cannot hold', () => {
    expect(() => toCedarRequest(input({ scopes: ['\ud800'] }))).toThrow(TypeError);
  });

  it('refuses a time Cedar cannot hold', () => {
    expect(() => toCedarRequest(input({}, {}, Number.NaN))).toThrow(TypeError);
  });
});

/**
 * What API Gateway receives must never say more than was decided:
 * - `principalId` is `<iss>|<sub>` (the Cedar principal id): the same `sub` from two trusted
 *   issuers must never look like one user to a backend or a usage plan;
 * - an answer never holds an IAM wildcard the request did not have: a REST `methodArn` with `*` or
 *   `?` is denied before anything else (an Allow naming it would, cached per token, also match
 *   routes the policy denies);
 * - request data named like `Object.prototype` members (`__proto__`, `constructor`, …) is data,
 *   never a way into the prototype chain.
 */
import { describe, expect, it } from 'vitest';
import { toApiGatewayResponse, UNAUTHORIZED } from '../../functions/core/api-gateway-response.ts';
import { httpV2Event, methodArn, restRequestEvent, restTokenEvent } from '../support/events.ts';
import { adminClaims, createWorld, ISSUER, OTHER_ISSUER, verdict } from '../support/world.ts';

const w = createWorld();

describe('principalId', () => {
  it.each([
    { name: 'the main issuer', claims: {}, key: undefined, principal: `${ISSUER}|user-1` },
    {
      name: 'another trusted issuer, same sub',
      claims: { iss: OTHER_ISSUER },
      key: 'other' as const,
      principal: `${OTHER_ISSUER}|user-1`,
    },
  ])(
    'is <iss>|<sub> for $name, with issuer and subject apart in the context',
    async ({ claims, key, principal }) => {
      // Prepare
      const token = w.token({ claims, ...(key ? { key: w.keys[key] } : {}) });

      // Act
      const outcome = await w.default.decide(restRequestEvent(`Bearer ${token}`));
      const response = toApiGatewayResponse(outcome);

      // Assess
      expect(verdict(outcome).effect).toBe('allow');
      expect(response).toMatchObject({
        principalId: principal,
        context: { issuer: principal.split('|')[0], subject: 'user-1' },
      });
    },
  );

  it('differs for the same sub from two issuers, so no backend can merge them', async () => {
    const a = toApiGatewayResponse(await w.default.decide(restRequestEvent(`Bearer ${w.token()}`)));
    const other = w.token({ claims: { iss: OTHER_ISSUER }, key: w.keys.other });
    const b = toApiGatewayResponse(await w.default.decide(restRequestEvent(`Bearer ${other}`)));
    expect(a).not.toBe(UNAUTHORIZED);
    expect(b).not.toBe(UNAUTHORIZED);
    expect((a as { principalId: string }).principalId).not.toBe((b as { principalId: string }).principalId);
  });
});

describe('the context a backend receives', () => {
  it('carries roles and scopes as JSON strings, issuer and subject apart', async () => {
    const token = w.token({ claims: { role: 'admin', scope: 'orders:read profile' } });
    const response = toApiGatewayResponse(await w.default.decide(restRequestEvent(`Bearer ${token}`)));
    expect(response).toMatchObject({
      context: { roles: '["admin"]', scopes: '["orders:read","profile"]', issuer: ISSUER, subject: 'user-1' },
    });
  });
});

describe('IAM wildcards in the methodArn', () => {
  const admin = `Bearer ${w.token({ claims: adminClaims() })}`;
  const withArn = (event: Record<string, unknown>, arn: string) => ({ ...event, methodArn: arn });
  it.each([
    {
      name: 'REST REQUEST, * in the path',
      event: withArn(restRequestEvent(admin), methodArn('GET', '/api/*')),
    },
    {
      name: 'REST REQUEST, * after a real route',
      event: withArn(restRequestEvent(admin), methodArn('GET', '/api/profile*')),
    },
    {
      name: 'REST REQUEST, ? in the path',
      event: withArn(restRequestEvent(admin), methodArn('GET', '/api/profil?')),
    },
    {
      name: 'REST REQUEST, * as the method',
      event: withArn(restRequestEvent(admin), methodArn('*', '/api/profile')),
    },
    {
      name: 'REST REQUEST, greedy proxy with a literal *',
      event: restRequestEvent(admin, { resource: '/{proxy+}', path: '/api/*' }),
    },
    { name: 'REST TOKEN, * in the path', event: restTokenEvent(admin, { path: '/api/*' }) },
    { name: 'REST TOKEN, ? in the path', event: restTokenEvent(admin, { path: '/api/sensitive?' }) },
    {
      name: 'REST TOKEN, * as the method',
      event: restTokenEvent(admin, { method: '*', path: '/api/profile' }),
    },
  ])('$name is denied 401 wildcard_resource, with no policy document', async ({ event }) => {
    // Act
    const outcome = await w.default.decide(event);

    // Assess
    expect(verdict(outcome)).toEqual({ effect: 'deny', status: 401, reason: 'wildcard_resource' });
    expect(toApiGatewayResponse(outcome)).toBe(UNAUTHORIZED);
    expect(outcome.record.reason).toBe('wildcard_resource');
  });

  it.each([
    { name: 'REST REQUEST, a plain route', event: restRequestEvent(admin, { resource: '/api/profile' }) },
    { name: 'REST TOKEN, a plain route', event: restTokenEvent(admin, { path: '/api/profile' }) },
    // HTTP API answers are simple booleans: no resource is named, so nothing can widen.
    {
      name: 'HTTP API 2.0, a path with *',
      event: httpV2Event(admin, { routeKey: 'GET /api/{x}', path: '/api/*' }),
    },
  ])('$name is decided by policy as usual', async ({ event }) => {
    const outcome = await w.default.decide(event);
    expect(outcome.decision.reason).not.toBe('wildcard_resource');
  });
});

describe('request data named like Object.prototype members', () => {
  const NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype'];
  const token = w.token();
  /** The event as API Gateway delivers it: JSON text, so `__proto__` is an own member. */
  const viaJson = (event: unknown, extra: (names: string[]) => Record<string, string>) => {
    const text = JSON.stringify(event);
    const parsed = JSON.parse(text) as Record<string, Record<string, unknown>>;
    const add = extra(NAMES);
    const headers = JSON.parse(
      `{${Object.entries(add)
        .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`)
        .join(',')}}`,
    );
    const multi = JSON.parse(
      `{${Object.entries(add)
        .map(([k, v]) => `${JSON.stringify(k)}:[${JSON.stringify(v)}]`)
        .join(',')}}`,
    );
    Object.assign(parsed.headers as object, headers);
    Object.assign(parsed.multiValueHeaders as object, multi);
    parsed.queryStringParameters = headers;
    parsed.multiValueQueryStringParameters = multi;
    return JSON.parse(JSON.stringify(parsed).replace('"headers":{', `"headers":{"__proto__":"x",`));
  };
  it.each([
    {
      name: 'with a token',
      authorization: `Bearer ${token}`,
      expected: { effect: 'allow', status: 200, reason: 'allowed' },
    },
    {
      name: 'without a token',
      authorization: undefined,
      expected: { effect: 'deny', status: 401, reason: 'missing_token' },
    },
  ])(
    'headers and query parameters named like prototype members get a normal decision ($name)',
    async ({ authorization, expected }) => {
      const event = viaJson(restRequestEvent(authorization), (names) =>
        Object.fromEntries(names.map((n) => [n, 'value'])),
      );
      const outcome = await w.default.decide(event);
      expect(verdict(outcome)).toEqual(expected);
    },
  );

  it('an HTTP API event with such header names gets a normal decision', async () => {
    const event = JSON.parse(
      JSON.stringify(httpV2Event(`Bearer ${token}`)).replace(
        '"headers":{',
        '"headers":{"__proto__":"x","constructor":"y",',
      ),
    );
    const outcome = await w.default.decide(event);
    expect(verdict(outcome)).toEqual({ effect: 'allow', status: 200, reason: 'allowed' });
  });
});

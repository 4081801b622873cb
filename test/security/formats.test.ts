/**
 * The three API Gateway event formats, end to end: a good token is ALLOWED in each, the answer
 * has the shape API Gateway expects (an IAM policy scoped to the exact methodArn for REST, a
 * simple response for HTTP APIs), and nothing token-derived leaks into the answer or the log.
 */
import { describe, expect, it } from 'vitest';
import { toApiGatewayResponse, UNAUTHORIZED } from '../../functions/core/api-gateway-response.ts';
import { httpV2Event, methodArn, rawFixture, restRequestEvent, restTokenEvent } from '../support/events.ts';
import { segments } from '../support/forge.ts';
import { adminClaims, createWorld, verdict } from '../support/world.ts';

const w = createWorld();
const user = w.token();
const admin = w.token({ claims: adminClaims() });

type Build = (authorization: string | undefined, method: string, path: string) => Record<string, unknown>;
const FORMATS: {
  name: string;
  format: string;
  build: Build;
  arnOf: (e: Record<string, unknown>) => unknown;
}[] = [
  {
    name: 'REST REQUEST',
    format: 'rest-request',
    build: (a, method, path) => restRequestEvent(a, { method, resource: path }),
    arnOf: (e) => e.methodArn,
  },
  {
    name: 'REST TOKEN',
    format: 'rest-token',
    build: (a, method, path) => restTokenEvent(a, { method, path }),
    arnOf: (e) => e.methodArn,
  },
  {
    name: 'HTTP API 2.0',
    format: 'http-v2',
    build: (a, method, path) => httpV2Event(a, { routeKey: `${method} ${path}`, method, path }),
    arnOf: (e) => e.routeArn,
  },
];

/** What the Lambda handler does with an outcome: return the answer or throw `Unauthorized`. */
function answer(outcome: Parameters<typeof toApiGatewayResponse>[0]) {
  const response = toApiGatewayResponse(outcome);
  if (response === UNAUTHORIZED) throw new Error(UNAUTHORIZED);
  return response;
}

describe.each(FORMATS)('$name', ({ format, build, arnOf }) => {
  it('allows a good token and answers in this format', async () => {
    const event = build(`Bearer ${user}`, 'GET', '/api/profile');
    const outcome = await w.default.decide(event);
    expect(verdict(outcome)).toEqual({ effect: 'allow', status: 200, reason: 'allowed' });
    expect(outcome.facts?.format).toBe(format);
    expect(outcome.facts?.target).toMatchObject({
      method: 'GET',
      route: '/api/profile',
      path: '/api/profile',
      apiId: 'abcdef123',
    });
    const response = answer(outcome);
    if (format === 'http-v2') {
      expect(response).toMatchObject({ isAuthorized: true });
    } else {
      expect(response).toMatchObject({
        principalId: 'https://idp.example.test|user-1',
        policyDocument: {
          Version: '2012-10-17',
          Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: arnOf(event) }],
        },
      });
    }
    for (const value of Object.values(response.context))
      expect(['string', 'number', 'boolean']).toContain(typeof value);
    expect(response.context).toMatchObject({
      subject: 'user-1',
      issuer: 'https://idp.example.test',
      mfa: false,
    });
  });

  it('answers 403 as an explicit deny of this request only', async () => {
    const event = build(`Bearer ${user}`, 'GET', '/api/sensitive');
    const outcome = await w.default.decide(event);
    expect(verdict(outcome)).toEqual({ effect: 'deny', status: 403, reason: 'role_required' });
    const response = answer(outcome);
    if (format === 'http-v2') expect(response).toMatchObject({ isAuthorized: false });
    else
      expect(response).toMatchObject({
        policyDocument: { Statement: [{ Effect: 'Deny', Resource: arnOf(event) }] },
      });
  });

  it('allows the MFA admin on /api/sensitive', async () => {
    const outcome = await w.default.decide(build(`Bearer ${admin}`, 'GET', '/api/sensitive'));
    expect(verdict(outcome)).toEqual({ effect: 'allow', status: 200, reason: 'allowed' });
  });

  it('throws exactly "Unauthorized" for a 401', async () => {
    const outcome = await w.default.decide(build(`Bearer ${user}x`, 'GET', '/api/profile'));
    expect(outcome.decision.status).toBe(401);
    expect(() => answer(outcome)).toThrowError(new Error(UNAUTHORIZED));
  });

  it('never puts the token or its signature in the answer or the decision record', async () => {
    const outcome = await w.default.decide(build(`Bearer ${admin}`, 'GET', '/api/sensitive'));
    const [header, payload, signature] = segments(admin);
    const text = JSON.stringify([answer(outcome), outcome.record]);
    for (const part of [header, payload, signature]) expect(text).not.toContain(part);
  });
});

describe('fixtures as AWS sends them', () => {
  it.each(['restRequest', 'restToken', 'httpV2'] as const)(
    '%s is denied 401 with its placeholder token',
    async (name) => {
      const outcome = await w.default.decide(rawFixture(name));
      expect(verdict(outcome)).toEqual({ effect: 'deny', status: 401, reason: 'untrusted_issuer' });
    },
  );

  it('a REST REQUEST record carries the request facts', async () => {
    const outcome = await w.default.decide(restRequestEvent(`Bearer ${user}`));
    expect(outcome.record).toMatchObject({
      decision: 'ALLOW',
      eventFormat: 'rest-request',
      apiId: 'abcdef123',
      stage: 'test',
      method: 'GET',
      route: '/api/profile',
      requestId: '77375676-xmpl-4b79-853a-f982474efe18',
      traceId: 'Root=1-5e66d96f-7491f09xmpl79d18acf3d050',
      sourceIp: '203.0.113.10',
      issuer: 'https://idp.example.test',
      subject: 'user-1',
      jti: 'jti-1',
      kid: 'es-1',
      alg: 'ES256',
      claimsVerified: true,
    });
  });

  it('a TOKEN event whose path holds a colon is decided on its credential, not refused as malformed', async () => {
    const event = restTokenEvent(`Bearer ${user}`, { path: '/api/items:batchGet' });
    const outcome = await w.default.decide(event);
    expect(outcome.facts?.target).toMatchObject({ method: 'GET', path: '/api/items:batchGet' });
    expect(verdict(outcome)).toEqual({ effect: 'deny', status: 403, reason: 'policy_denied' });
  });

  it('a REST policy names the methodArn of the request, not a wildcard', async () => {
    const event = restRequestEvent(`Bearer ${user}`);
    expect(event.methodArn).toBe(methodArn('GET', '/api/profile'));
    const response = answer(await w.default.decide(event));
    expect(JSON.stringify(response)).not.toContain('*');
  });
});

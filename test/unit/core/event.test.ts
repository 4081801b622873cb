import { describe, expect, it } from 'vitest';
import { parseAuthorizerEvent, parseMethodArn } from '../../../functions/core/event.ts';

const ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/api/sensitive';
const ROUTE_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/api/sensitive';

const restRequest = (over: Record<string, unknown> = {}) => ({
  type: 'REQUEST',
  methodArn: ARN,
  resource: '/api/sensitive',
  path: '/api/sensitive',
  httpMethod: 'GET',
  headers: { Authorization: 'Bearer a.b.c', 'X-Amzn-Trace-Id': 'Root=1-abc' },
  multiValueHeaders: { Authorization: ['Bearer a.b.c'] },
  queryStringParameters: null,
  requestContext: {
    requestId: 'req-1',
    apiId: 'abc123',
    stage: 'prod',
    identity: { sourceIp: '203.0.113.9' },
  },
  ...over,
});

const httpV2 = (over: Record<string, unknown> = {}) => ({
  version: '2.0',
  type: 'REQUEST',
  routeArn: ROUTE_ARN,
  routeKey: 'GET /api/sensitive',
  rawPath: '/api/sensitive',
  headers: { authorization: 'Bearer a.b.c' },
  requestContext: {
    requestId: 'req-2',
    apiId: 'abc123',
    stage: '$default',
    http: { method: 'GET', path: '/api/sensitive', sourceIp: '198.51.100.7' },
  },
  ...over,
});

describe('parseMethodArn', () => {
  it.each([
    { arn: ARN, parsed: { apiId: 'abc123', stage: 'prod', method: 'GET', path: '/api/sensitive' } },
    {
      arn: 'arn:aws:execute-api:us-east-1:123456789012:abc123/dev/POST/items/42',
      parsed: { apiId: 'abc123', stage: 'dev', method: 'POST', path: '/items/42' },
    },
    {
      arn: 'arn:aws:execute-api:us-east-1:1:abc/dev/GET/',
      parsed: { apiId: 'abc', stage: 'dev', method: 'GET', path: '/' },
    },
    {
      arn: 'arn:aws:execute-api:us-east-1:1:abc/dev/GET',
      parsed: { apiId: 'abc', stage: 'dev', method: 'GET', path: '/' },
    },
    {
      arn: 'arn:aws-cn:execute-api:cn-north-1:1:abc/dev/*/any',
      parsed: { apiId: 'abc', stage: 'dev', method: '*', path: '/any' },
    },
    {
      // ARN resources may contain colons: only the first five separate ARN fields.
      arn: 'arn:aws:execute-api:us-east-1:1:abc/dev/GET/files/urn:isbn:0451450523',
      parsed: { apiId: 'abc', stage: 'dev', method: 'GET', path: '/files/urn:isbn:0451450523' },
    },
  ])('parses $arn', ({ arn, parsed }) => {
    // Act
    const result = parseMethodArn(arn);

    // Assess
    expect(result).toEqual(parsed);
  });

  it.each([
    { name: 'an empty string', arn: '' },
    { name: 'another service', arn: 'arn:aws:lambda:us-east-1:1:abc/dev/GET/x' },
    { name: 'not an ARN', arn: 'urn:aws:execute-api:us-east-1:1:abc/dev/GET/x' },
    { name: 'too few fields', arn: 'arn:aws:execute-api:us-east-1:abc/dev/GET/x' },
    { name: 'no stage', arn: 'arn:aws:execute-api:us-east-1:1:abc' },
    { name: 'no method', arn: 'arn:aws:execute-api:us-east-1:1:abc/dev' },
    { name: 'an empty api id', arn: 'arn:aws:execute-api:us-east-1:1:/dev/GET/x' },
  ])('refuses $name', ({ arn }) => {
    // Act
    const result = parseMethodArn(arn);

    // Assess
    expect(result).toBeUndefined();
  });
});

describe('parseAuthorizerEvent: request facts', () => {
  it.each([
    {
      name: 'REST REQUEST',
      event: restRequest(),
      facts: {
        format: 'rest-request',
        resourceArn: ARN,
        requestId: 'req-1',
        traceId: 'Root=1-abc',
        target: {
          method: 'GET',
          route: '/api/sensitive',
          path: '/api/sensitive',
          apiId: 'abc123',
          stage: 'prod',
          sourceIp: '203.0.113.9',
        },
      },
    },
    {
      name: 'REST REQUEST on a greedy proxy',
      event: restRequest({ resource: '/{proxy+}', path: '/api/profile', requestContext: undefined }),
      facts: {
        format: 'rest-request',
        resourceArn: ARN,
        requestId: undefined,
        traceId: 'Root=1-abc',
        target: { method: 'GET', route: '/{proxy+}', path: '/api/profile' },
      },
    },
    {
      name: 'REST TOKEN (method and path from methodArn)',
      event: { type: 'TOKEN', authorizationToken: 'Bearer a.b.c', methodArn: ARN },
      facts: {
        format: 'rest-token',
        resourceArn: ARN,
        requestId: undefined,
        traceId: undefined,
        target: {
          method: 'GET',
          route: '/api/sensitive',
          path: '/api/sensitive',
          apiId: 'abc123',
          stage: 'prod',
        },
      },
    },
    {
      name: 'HTTP API 2.0',
      event: httpV2(),
      facts: {
        format: 'http-v2',
        resourceArn: ROUTE_ARN,
        requestId: 'req-2',
        traceId: undefined,
        target: {
          method: 'GET',
          route: '/api/sensitive',
          path: '/api/sensitive',
          apiId: 'abc123',
          stage: '$default',
          sourceIp: '198.51.100.7',
        },
      },
    },
    {
      name: 'HTTP API 2.0 on $default',
      event: httpV2({ routeKey: '$default' }),
      facts: {
        format: 'http-v2',
        target: expect.objectContaining({ route: '$default', path: '/api/sensitive' }),
      },
    },
  ])('reads $name', ({ event, facts }) => {
    // Act
    const result = parseAuthorizerEvent(event);

    // Assess
    expect(result).toMatchObject({ ok: true, facts });
  });

  it.each([
    { name: 'null', event: null },
    { name: 'an array', event: [restRequest()] },
    { name: 'a string', event: 'REQUEST' },
    { name: 'an unknown type', event: { ...restRequest(), type: 'COOKIE' } },
    { name: 'REQUEST without methodArn', event: restRequest({ methodArn: undefined }) },
    { name: 'REQUEST with a numeric httpMethod', event: restRequest({ httpMethod: 1 }) },
    { name: 'REQUEST without resource', event: restRequest({ resource: undefined }) },
    { name: 'REQUEST without path', event: restRequest({ path: undefined }) },
    {
      name: 'TOKEN with a malformed methodArn',
      event: { type: 'TOKEN', authorizationToken: 'Bearer x', methodArn: 'x' },
    },
    { name: 'TOKEN with a numeric token', event: { type: 'TOKEN', authorizationToken: 42, methodArn: ARN } },
    { name: '2.0 without routeArn', event: httpV2({ routeArn: undefined }) },
    { name: '2.0 with a routeKey without a path', event: httpV2({ routeKey: 'GET' }) },
    { name: '2.0 without requestContext.http', event: httpV2({ requestContext: { requestId: 'r' } }) },
    { name: '2.0 of type TOKEN', event: httpV2({ type: 'TOKEN' }) },
  ])('refuses $name', ({ event }) => {
    // Act
    const result = parseAuthorizerEvent(event);

    // Assess
    expect(result.ok).toBe(false);
  });
});

describe('parseAuthorizerEvent: the credential', () => {
  const value = { kind: 'value', value: 'Bearer a.b.c' };
  it.each([
    { name: 'Authorization', event: restRequest(), credential: value },
    {
      name: 'a lower-case header name',
      event: restRequest({ headers: { authorization: 'Bearer a.b.c' }, multiValueHeaders: null }),
      credential: value,
    },
    {
      name: 'an upper-case header name',
      event: restRequest({ headers: { AUTHORIZATION: 'Bearer a.b.c' }, multiValueHeaders: undefined }),
      credential: value,
    },
    {
      name: 'the value in multiValueHeaders only',
      event: restRequest({ headers: {}, multiValueHeaders: { authorization: ['Bearer a.b.c'] } }),
      credential: value,
    },
    {
      name: 'no headers',
      event: restRequest({ headers: null, multiValueHeaders: null }),
      credential: { kind: 'none' },
    },
    {
      name: 'an empty header',
      event: restRequest({ headers: { Authorization: '' }, multiValueHeaders: null }),
      credential: { kind: 'none' },
    },
    {
      name: 'a null header',
      event: restRequest({ headers: { Authorization: null }, multiValueHeaders: null }),
      credential: { kind: 'none' },
    },
    {
      name: 'a token in the query string only',
      event: restRequest({
        headers: {},
        multiValueHeaders: {},
        queryStringParameters: { access_token: 'a.b.c' },
      }),
      credential: { kind: 'none' },
    },
    {
      name: 'a token in a cookie only',
      event: restRequest({
        headers: { Cookie: 'token=a.b.c' },
        multiValueHeaders: { Cookie: ['token=a.b.c'] },
      }),
      credential: { kind: 'none' },
    },
    {
      name: 'two multi-value entries',
      event: restRequest({ multiValueHeaders: { Authorization: ['Bearer a.b.c', 'Bearer d.e.f'] } }),
      credential: { kind: 'multiple' },
    },
    {
      name: 'two header names differing in case',
      event: restRequest({
        headers: { Authorization: 'Bearer a.b.c', authorization: 'Bearer d.e.f' },
        multiValueHeaders: null,
      }),
      credential: { kind: 'multiple' },
    },
    {
      name: 'headers and multiValueHeaders disagreeing',
      event: restRequest({
        headers: { Authorization: 'Bearer a.b.c' },
        multiValueHeaders: { Authorization: ['Bearer d.e.f'] },
      }),
      credential: { kind: 'multiple' },
    },
    {
      name: 'a numeric header',
      event: restRequest({ headers: { Authorization: 7 }, multiValueHeaders: null }),
      credential: { kind: 'multiple' },
    },
    {
      name: 'a TOKEN event',
      event: { type: 'TOKEN', authorizationToken: 'Bearer a.b.c', methodArn: ARN },
      credential: value,
    },
    {
      name: 'a TOKEN event without a token',
      event: { type: 'TOKEN', methodArn: ARN },
      credential: { kind: 'none' },
    },
    { name: 'a 2.0 event', event: httpV2(), credential: value },
    {
      name: 'a 2.0 event without headers',
      event: httpV2({ headers: undefined }),
      credential: { kind: 'none' },
    },
  ])('reads $name', ({ event, credential }) => {
    // Act
    const result = parseAuthorizerEvent(event);

    // Assess
    expect(result).toMatchObject({ ok: true, credential });
  });
});

/**
 * Authorizer events built from the fixtures in `test/fixtures/`, so every test speaks the shapes
 * API Gateway really sends. Builders clone the fixture and change only what a case is about.
 */
import { readFileSync } from 'node:fs';

type Json = Record<string, unknown>;

const fixture = (name: string): Json =>
  JSON.parse(readFileSync(new URL(`../fixtures/${name}.json`, import.meta.url), 'utf8')) as Json;

const FIXTURES = {
  restRequest: fixture('rest-request'),
  restToken: fixture('rest-token'),
  httpV2: fixture('http-v2'),
} as const;

/** A fresh copy of a fixture, as it is on disk. */
export const rawFixture = (name: keyof typeof FIXTURES): Json => structuredClone(FIXTURES[name]);

const ARN_PREFIX = 'arn:aws:execute-api:us-east-1:123456789012:abcdef123';

/** `arn:aws:execute-api:…:abcdef123/<stage>/<METHOD>/<path without leading slash>` */
export const methodArn = (method: string, path: string, stage = 'test'): string =>
  `${ARN_PREFIX}/${stage}/${method}${path}`;

export interface RestRequestOptions {
  readonly method?: string;
  /** The resource template, e.g. `/api/profile` or `/{proxy+}`. */
  readonly resource?: string;
  /** The concrete path; defaults to `resource`. */
  readonly path?: string;
  /** Extra headers, merged over the fixture's (and mirrored into `multiValueHeaders`). */
  readonly headers?: Record<string, string>;
  /** Replaces `multiValueHeaders` entries as given (not mirrored). */
  readonly multiValueHeaders?: Record<string, string[]>;
  readonly queryStringParameters?: Record<string, string>;
}

function dropAuthorization(headers: Json): void {
  for (const name of Object.keys(headers)) if (name.toLowerCase() === 'authorization') delete headers[name];
}

/**
 * A REST `REQUEST` event. `authorization` is the whole header value (`Bearer <jwt>`); `undefined`
 * removes the header from both `headers` and `multiValueHeaders`.
 */
export function restRequestEvent(authorization: string | undefined, options: RestRequestOptions = {}): Json {
  const event = rawFixture('restRequest');
  const method = options.method ?? 'GET';
  const resource = options.resource ?? '/api/profile';
  const path = options.path ?? resource;
  const headers = event.headers as Json;
  const multi = event.multiValueHeaders as Json;
  dropAuthorization(headers);
  dropAuthorization(multi);
  if (authorization !== undefined) {
    headers.Authorization = authorization;
    multi.Authorization = [authorization];
  }
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    headers[name] = value;
    multi[name] = [value];
  }
  Object.assign(multi, options.multiValueHeaders ?? {});
  if (options.queryStringParameters) {
    event.queryStringParameters = options.queryStringParameters;
    event.multiValueQueryStringParameters = Object.fromEntries(
      Object.entries(options.queryStringParameters).map(([k, v]) => [k, [v]]),
    );
  }
  const context = event.requestContext as Json;
  Object.assign(event, { methodArn: methodArn(method, path), resource, path, httpMethod: method });
  Object.assign(context, { resourcePath: resource, httpMethod: method, path: `/test${path}` });
  return event;
}

/** A REST `TOKEN` event: `authorizationToken` holds the whole header value. */
export function restTokenEvent(
  authorizationToken: string | undefined,
  options: { method?: string; path?: string } = {},
): Json {
  const event = rawFixture('restToken');
  if (authorizationToken === undefined) delete event.authorizationToken;
  else event.authorizationToken = authorizationToken;
  event.methodArn = methodArn(options.method ?? 'GET', options.path ?? '/api/profile');
  return event;
}

export interface HttpV2Options {
  /** `METHOD /path`, `ANY /{proxy+}` or `$default`. */
  readonly routeKey?: string;
  readonly method?: string;
  readonly path?: string;
  readonly headers?: Record<string, string>;
  readonly cookies?: string[];
  readonly rawQueryString?: string;
}

/** An HTTP API payload 2.0 event; `authorization` undefined removes the header. */
export function httpV2Event(authorization: string | undefined, options: HttpV2Options = {}): Json {
  const event = rawFixture('httpV2');
  const method = options.method ?? 'GET';
  const path = options.path ?? '/api/profile';
  const routeKey = options.routeKey ?? `${method} ${path}`;
  const headers = event.headers as Json;
  dropAuthorization(headers);
  if (authorization !== undefined) headers.authorization = authorization;
  Object.assign(headers, options.headers ?? {});
  event.identitySource = authorization === undefined ? [] : [authorization];
  if (options.cookies) {
    event.cookies = options.cookies;
    headers.cookie = options.cookies.join('; ');
  }
  if (options.rawQueryString !== undefined) {
    event.rawQueryString = options.rawQueryString;
    event.queryStringParameters = Object.fromEntries(new URLSearchParams(options.rawQueryString));
  }
  const context = event.requestContext as Json;
  const http = context.http as Json;
  Object.assign(event, { routeKey, rawPath: path, routeArn: methodArn(method, path, '$default') });
  Object.assign(context, { routeKey });
  Object.assign(http, { method, path });
  return event;
}

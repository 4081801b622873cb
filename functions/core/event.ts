import type { RequestTarget } from './policy/types.ts';

/** The API Gateway authorizer event formats the authorizer understands. */
export type EventFormat = 'rest-request' | 'rest-token' | 'http-v2';

/** Request facts read from an authorizer event, before anything is trusted. */
export interface RequestFacts {
  readonly format: EventFormat;
  readonly target: RequestTarget;
  /** REST `methodArn` or HTTP API `routeArn`: what an IAM policy answer is scoped to. */
  readonly resourceArn: string;
  readonly requestId: string | undefined;
  readonly traceId: string | undefined;
}

/** What the event says about the credential. Only the Authorization header counts. */
export type Credential = { kind: 'none' } | { kind: 'multiple' } | { kind: 'value'; value: string };

export type EventParseResult =
  | { ok: true; facts: RequestFacts; credential: Credential }
  | { ok: false; detail: string };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * Reads a REST REQUEST, REST TOKEN or HTTP API 2.0 authorizer event. Anything else — or one
 * of these with a required member missing or of the wrong type — is refused. Tokens in the
 * query string or cookies are never looked at.
 */
export function parseAuthorizerEvent(event: unknown): EventParseResult {
  if (!isObj(event)) return { ok: false, detail: 'event is not an object' };
  if (event.version === '2.0') return parseHttpV2(event);
  if (event.type === 'TOKEN') return parseRestToken(event);
  if (event.type === 'REQUEST') return parseRestRequest(event);
  return { ok: false, detail: 'not a REST REQUEST, REST TOKEN or HTTP API 2.0 authorizer event' };
}

function parseRestRequest(event: Obj): EventParseResult {
  const methodArn = str(event.methodArn);
  const method = str(event.httpMethod);
  const route = str(event.resource);
  const path = str(event.path);
  if (!methodArn || !method || route === undefined || path === undefined) {
    return { ok: false, detail: 'REQUEST event needs methodArn, httpMethod, resource and path' };
  }
  const ctx = isObj(event.requestContext) ? event.requestContext : {};
  const identity = isObj(ctx.identity) ? ctx.identity : {};
  const headers = readHeaders(event.headers);
  return {
    ok: true,
    credential: authorizationHeader(headers.authorization, event.multiValueHeaders),
    facts: {
      format: 'rest-request',
      resourceArn: methodArn,
      requestId: str(ctx.requestId),
      traceId: headers.traceId,
      target: compact({
        method,
        route,
        path,
        apiId: str(ctx.apiId),
        stage: str(ctx.stage),
        sourceIp: str(identity.sourceIp),
      }),
    },
  };
}

function parseRestToken(event: Obj): EventParseResult {
  const methodArn = str(event.methodArn);
  const arn = methodArn === undefined ? undefined : parseMethodArn(methodArn);
  if (!methodArn || !arn) return { ok: false, detail: 'TOKEN event needs a well-formed methodArn' };
  const token = event.authorizationToken;
  if (token !== undefined && typeof token !== 'string') {
    return { ok: false, detail: 'authorizationToken must be a string' };
  }
  return {
    ok: true,
    credential: token === undefined || token === '' ? { kind: 'none' } : { kind: 'value', value: token },
    facts: {
      format: 'rest-token',
      resourceArn: methodArn,
      requestId: undefined,
      traceId: undefined,
      // A TOKEN event carries no route template: the concrete path stands for both.
      target: { method: arn.method, route: arn.path, path: arn.path, apiId: arn.apiId, stage: arn.stage },
    },
  };
}

function parseHttpV2(event: Obj): EventParseResult {
  const routeArn = str(event.routeArn);
  const routeKey = str(event.routeKey);
  const ctx = isObj(event.requestContext) ? event.requestContext : undefined;
  const http = ctx && isObj(ctx.http) ? ctx.http : undefined;
  const method = str(http?.method);
  const path = str(http?.path);
  if (event.type !== 'REQUEST' || !routeArn || !routeKey || !ctx || !method || path === undefined) {
    return {
      ok: false,
      detail: 'HTTP API 2.0 event needs type REQUEST, routeArn, routeKey and requestContext.http',
    };
  }
  // routeKey is "GET /items/{id}", "ANY /{proxy+}" or "$default".
  const space = routeKey.indexOf(' ');
  const route = routeKey === '$default' ? '$default' : space < 0 ? undefined : routeKey.slice(space + 1);
  if (route === undefined) return { ok: false, detail: 'routeKey is neither "$default" nor "METHOD /path"' };
  const headers = readHeaders(event.headers);
  return {
    ok: true,
    credential: authorizationHeader(headers.authorization, undefined),
    facts: {
      format: 'http-v2',
      resourceArn: routeArn,
      requestId: str(ctx.requestId),
      traceId: headers.traceId,
      target: compact({
        method,
        route,
        path,
        apiId: str(ctx.apiId),
        stage: str(ctx.stage),
        sourceIp: str(http?.sourceIp),
      }),
    },
  };
}

/**
 * One pass over `headers` (this runs on every request): every value of a header named
 * Authorization in any case, and the first string X-Amzn-Trace-Id.
 */
function readHeaders(headers: unknown): { authorization: unknown[]; traceId: string | undefined } {
  const authorization: unknown[] = [];
  let traceId: string | undefined;
  if (isObj(headers)) {
    for (const name of Object.keys(headers)) {
      // The length test spares lower-casing every other header name.
      if (name.length === 13 && name.toLowerCase() === 'authorization') authorization.push(headers[name]);
      else if (traceId === undefined && name.length === 15 && name.toLowerCase() === 'x-amzn-trace-id') {
        traceId = str(headers[name]);
      }
    }
  }
  return { authorization, traceId };
}

/**
 * The credential from the Authorization values of `headers` and the multi-value list. Two header
 * names differing only in case, a multi-value list with more than one entry, or a non-string
 * value all count as "several values": the authorizer refuses to choose between credentials.
 */
function authorizationHeader(values: unknown[], multiValueHeaders: unknown): Credential {
  if (isObj(multiValueHeaders)) {
    for (const name of Object.keys(multiValueHeaders)) {
      if (name.length !== 13 || name.toLowerCase() !== 'authorization') continue;
      const list = multiValueHeaders[name];
      if (!Array.isArray(list) || list.length > 1) return { kind: 'multiple' };
      // API Gateway repeats the single value in headers and multiValueHeaders.
      if (list.length === 1 && !values.includes(list[0])) values.push(list[0]);
    }
  }
  if (values.length === 0 || (values.length === 1 && (values[0] === null || values[0] === undefined))) {
    return { kind: 'none' };
  }
  if (values.length > 1 || typeof values[0] !== 'string') return { kind: 'multiple' };
  return values[0] === '' ? { kind: 'none' } : { kind: 'value', value: values[0] };
}

/** `arn:aws:execute-api:region:account:apiId/stage/METHOD/path...` */
export function parseMethodArn(
  arn: string,
): { apiId: string; stage: string; method: string; path: string } | undefined {
  // Only the first five colons separate ARN fields: the path itself may hold colons
  // (`/files/urn:isbn:1`), and API Gateway passes them through unencoded.
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn' || parts[2] !== 'execute-api') return undefined;
  const [apiId, stage, method, ...rest] = parts.slice(5).join(':').split('/');
  if (!apiId || !stage || !method) return undefined;
  return { apiId, stage, method, path: `/${rest.join('/')}` };
}

function compact(target: { [K in keyof RequestTarget]: RequestTarget[K] | undefined }): RequestTarget {
  const out: Record<string, string> = {};
  for (const k in target) {
    const v = target[k as keyof RequestTarget];
    if (v !== undefined) out[k] = v;
  }
  return out as unknown as RequestTarget;
}

import type { IncomingMessage } from 'node:http';

export interface LocalStage {
  readonly apiId: string;
  readonly stage: string;
  readonly region: string;
  readonly accountId: string;
}

/** The request facts the gateway has already checked, see request-target.ts. */
export interface LocalRequest {
  readonly method: string;
  /** The origin-form path, exactly as it will be forwarded. */
  readonly path: string;
  /** The raw query string after `?`, or undefined without a `?`. */
  readonly query: string | undefined;
  readonly requestId: string;
  readonly nowMs: number;
}

type Strings = Record<string, string>;
type StringLists = Record<string, string[]>;

/**
 * Turns an incoming HTTP request into the REST API REQUEST authorizer event API Gateway would
 * send for a greedy proxy resource (`/{proxy+}`): header names keep the client's case, repeated
 * headers appear in `multiValueHeaders`, the query string is carried but never read for a token.
 *
 * Header and parameter names are the client's, so every map here has no prototype: a header
 * named `__proto__` or `constructor` is a key like any other, never `Object.prototype`'s member.
 */
export function restRequestEvent(
  req: IncomingMessage,
  request: LocalRequest,
  stage: LocalStage,
): Record<string, unknown> {
  const { method, path } = request;
  const headers: Strings = Object.create(null);
  const multiValueHeaders: StringLists = Object.create(null);
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] as string;
    const value = req.rawHeaders[i + 1] as string;
    headers[name] = value;
    append(multiValueHeaders, name, value);
  }
  let query: Strings | null = null;
  let multiValueQuery: StringLists | null = null;
  if (request.query) {
    query = Object.create(null) as Strings;
    multiValueQuery = Object.create(null) as StringLists;
    for (const [k, v] of new URLSearchParams(request.query)) {
      query[k] = v;
      append(multiValueQuery, k, v);
    }
  }
  const { apiId, region, accountId } = stage;
  return {
    type: 'REQUEST',
    methodArn: `arn:aws:execute-api:${region}:${accountId}:${apiId}/${stage.stage}/${method}${path}`,
    resource: '/{proxy+}',
    path,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: query,
    multiValueQueryStringParameters: multiValueQuery,
    pathParameters: { proxy: path.slice(1) },
    stageVariables: null,
    requestContext: {
      resourceId: 'local',
      resourcePath: '/{proxy+}',
      httpMethod: method,
      path: `/${stage.stage}${path}`,
      accountId,
      stage: stage.stage,
      requestId: request.requestId,
      apiId,
      protocol: `HTTP/${req.httpVersion}`,
      requestTimeEpoch: request.nowMs,
      identity: { sourceIp: clientIp(req), userAgent: req.headers['user-agent'] ?? null },
    },
  };
}

function append(lists: StringLists, name: string, value: string): void {
  const list = Object.hasOwn(lists, name) ? lists[name] : undefined;
  if (list) list.push(value);
  else lists[name] = [value];
}

/** The peer address as API Gateway reports it: plain IPv4 for IPv4-mapped IPv6 peers. */
export function clientIp(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? '127.0.0.1';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export interface LocalStage {
  readonly apiId: string;
  readonly stage: string;
  readonly region: string;
  readonly accountId: string;
}

/**
 * Turns an incoming HTTP request into the REST API REQUEST authorizer event API Gateway would
 * send for a greedy proxy resource (`/{proxy+}`): header names keep the client's case, repeated
 * headers appear in `multiValueHeaders`, the query string is carried but never read for a token.
 */
export function restRequestEvent(req: IncomingMessage, stage: LocalStage): Record<string, unknown> {
  const method = (req.method ?? 'GET').toUpperCase();
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] as string;
    const value = req.rawHeaders[i + 1] as string;
    headers[name] = value;
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value];
  }
  const query: Record<string, string> = {};
  const multiValueQuery: Record<string, string[]> = {};
  for (const [k, v] of url.searchParams) {
    query[k] = v;
    multiValueQuery[k] = [...(multiValueQuery[k] ?? []), v];
  }
  const { apiId, region, accountId } = stage;
  return {
    type: 'REQUEST',
    methodArn: `arn:aws:execute-api:${region}:${accountId}:${apiId}/${stage.stage}/${method}${url.pathname}`,
    resource: '/{proxy+}',
    path: url.pathname,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: url.search ? query : null,
    multiValueQueryStringParameters: url.search ? multiValueQuery : null,
    pathParameters: { proxy: url.pathname.slice(1) },
    stageVariables: null,
    requestContext: {
      resourceId: 'local',
      resourcePath: '/{proxy+}',
      httpMethod: method,
      path: `/${stage.stage}${url.pathname}`,
      accountId,
      stage: stage.stage,
      requestId: randomUUID(),
      apiId,
      protocol: `HTTP/${req.httpVersion}`,
      requestTimeEpoch: Date.now(),
      identity: { sourceIp: clientIp(req), userAgent: headers['User-Agent'] ?? null },
    },
  };
}

/** The peer address as API Gateway reports it: plain IPv4 for IPv4-mapped IPv6 peers. */
function clientIp(req: IncomingMessage): string {
  const address = req.socket.remoteAddress ?? '127.0.0.1';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

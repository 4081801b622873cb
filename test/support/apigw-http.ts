/**
 * Serves an API Gateway proxy handler over real HTTP on 127.0.0.1, the way a REST API's Lambda
 * proxy integration would call it: the request becomes an `APIGatewayProxyEvent` (method, path,
 * headers, body, and an optional caller identity), the result becomes the response.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

export interface ServedApi {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** Requests served so far. */
  readonly requests: () => number;
  close(): Promise<void>;
}

export type ProxyHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

export async function serveProxyHandler(
  route: { method: string; path: string },
  handler: ProxyHandler,
): Promise<ServedApi> {
  let count = 0;
  const server = createServer(async (req, res) => {
    count++;
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path !== route.path) {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end('{"message":"Missing Authentication Token"}');
      return;
    }
    const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
    const body = chunks.length ? Buffer.concat(chunks).toString('utf8') : null;
    const result = await handler(
      proxyEvent({ method: req.method ?? 'GET', path, resource: route.path, headers, body }),
    );
    res.writeHead(result.statusCode, result.headers as Record<string, string>).end(result.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => count,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface ProxyEventOptions {
  readonly method: string;
  readonly path: string;
  readonly resource?: string;
  readonly headers?: Record<string, string>;
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
  /** `requestContext.identity.userArn`, as a REST API with AWS_IAM authorization fills it. */
  readonly userArn?: string | null;
}

/** A REST API (v1) Lambda proxy event, shaped like the ones API Gateway sends. */
export function proxyEvent(options: ProxyEventOptions): APIGatewayProxyEvent {
  const userArn = options.userArn ?? null;
  const headers = options.headers ?? {};
  return {
    resource: options.resource ?? options.path,
    path: options.path,
    httpMethod: options.method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: options.body ?? null,
    isBase64Encoded: options.isBase64Encoded ?? false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'tok3n5vc',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: options.method,
      path: `/prod${options.path}`,
      stage: 'prod',
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      requestTimeEpoch: 1_767_225_600_000,
      resourceId: 'abc123',
      resourcePath: options.resource ?? options.path,
      identity: {
        accessKey: userArn ? 'ASIAEXAMPLEKEY' : null,
        accountId: userArn ? (userArn.split(':')[4] ?? null) : null,
        apiKey: null,
        apiKeyId: null,
        caller: userArn ? 'AROAEXAMPLEID:session' : null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '10.0.1.23',
        user: userArn ? 'AROAEXAMPLEID:session' : null,
        userAgent: 'aws-sdk-js/3',
        userArn,
      },
    },
  };
}

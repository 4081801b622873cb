import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as a protocol double saw it. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  /** `X-Amz-Target` (JSON protocols), e.g. `AWSEvents.PutEvents`. */
  readonly target: string | undefined;
  readonly contentType: string | undefined;
  readonly body: string;
}

export interface DoubleAnswer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** Answers a request, or `undefined` when this protocol does not handle it. */
export type ProtocolHandler = (request: SeenRequest) => DoubleAnswer | undefined;

/**
 * An HTTP server on 127.0.0.1 that routes each request to the first protocol double that
 * claims it (by `X-Amz-Target`, path or form `Action`): one endpoint for every service, as
 * real SDK clients are pointed at it.
 */
export async function startProtocolServer(handlers: readonly ProtocolHandler[]) {
  const seen: SeenRequest[] = [];
  const server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const request: SeenRequest = {
      method: req.method ?? 'GET',
      path: new URL(req.url ?? '/', 'http://local').pathname,
      target: req.headers['x-amz-target'] as string | undefined,
      contentType: req.headers['content-type'],
      body: Buffer.concat(chunks).toString('utf8'),
    };
    seen.push(request);
    let answer: DoubleAnswer | undefined;
    for (const handler of handlers) {
      answer = handler(request);
      if (answer) break;
    }
    answer ??= {
      status: 400,
      body: JSON.stringify({ __type: 'UnknownOperationException', message: 'no double for this request' }),
    };
    res.writeHead(answer.status, { 'x-amzn-requestid': `req-${seen.length}`, ...answer.headers });
    res.end(answer.body ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A JSON-protocol error answer the SDK turns into an exception named `type`. */
export function jsonError(status: number, type: string, message: string, contentType: string): DoubleAnswer {
  return {
    status,
    headers: { 'content-type': contentType, 'x-amzn-errortype': type },
    body: JSON.stringify({ __type: type, message }),
  };
}

/** Throttling answers in each protocol's own form, as the SDK parses them. */
export const THROTTLED = Object.freeze({
  json10: jsonError(400, 'ThrottlingException', 'Rate exceeded', 'application/x-amz-json-1.0'),
  json11: jsonError(400, 'ThrottlingException', 'Rate exceeded', 'application/x-amz-json-1.1'),
  restJson: {
    status: 429,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'TooManyRequestsException' },
    body: JSON.stringify({ message: 'Too Many Requests' }),
  },
  query: {
    status: 400,
    headers: { 'content-type': 'text/xml' },
    body: '<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r</RequestId></ErrorResponse>',
  },
} satisfies Record<string, DoubleAnswer>);

/**
 * Answers `answer` to the first `times` requests `matches` claims (`Infinity`: all of them),
 * counting them; put it before the service's double, which answers the rest.
 */
export function failFirst(times: number, matches: (request: SeenRequest) => boolean, answer: DoubleAnswer) {
  const counts = { failed: 0, seen: 0 };
  const handler: ProtocolHandler = (request) => {
    if (!matches(request)) return undefined;
    counts.seen++;
    if (counts.failed >= times) return undefined;
    counts.failed++;
    return answer;
  };
  return { handler, counts };
}

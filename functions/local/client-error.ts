import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

/** What the access record of a request refused before it became a request event says. */
export interface ClientErrorFields {
  readonly requestId: string;
  readonly method: string | null;
  readonly path: string | null;
  readonly status: number;
  readonly error: 'bad_request' | 'bad_request_target';
  readonly detail: string;
}

/**
 * Answers a request Node's HTTP parser refused (a malformed request line or header, a target
 * with bytes a URL cannot hold, oversized headers, a request too slow to arrive), as Node
 * would by default — 400, 431 or 408, then close — but with API Gateway's error header and an
 * access record, so that no refused request goes unrecorded. A client that reset the
 * connection or closed it mid-request has nobody to answer: a request in progress on it gets
 * its own access record (`client_aborted`), and a request never completed is not recorded.
 */
export function answerClientError(
  error: NodeJS.ErrnoException,
  socket: Duplex,
  onRecord: (fields: ClientErrorFields) => void,
): void {
  const written = (socket as Duplex & { bytesWritten?: number }).bytesWritten ?? 0;
  if (
    error.code === 'ECONNRESET' ||
    error.code === 'HPE_INVALID_EOF_STATE' ||
    !socket.writable ||
    written > 0
  ) {
    socket.destroy();
    return;
  }
  const [status, reason] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout']
        : [400, 'Bad Request'];
  const requestId = randomUUID();
  const kind = error.code === 'HPE_INVALID_URL' ? 'bad_request_target' : 'bad_request';
  const detail = error.code ?? 'unknown parse error';
  onRecord({ requestId, method: null, path: null, status, error: kind, detail });
  writeRefusal(socket, status, reason, requestId);
}

/**
 * CONNECT asks the gateway to open a tunnel to a host the client names (an authority-form
 * target): never done here. Answered 400 with an access record, like any other target that is
 * not origin-form.
 */
export function refuseConnect(
  req: IncomingMessage,
  socket: Duplex,
  onRecord: (fields: ClientErrorFields) => void,
): void {
  const requestId = randomUUID();
  onRecord({
    requestId,
    method: 'CONNECT',
    // An authority (`host:port`): no query, nothing secret.
    path: (req.url ?? '').slice(0, 256),
    status: 400,
    error: 'bad_request_target',
    detail: 'CONNECT (an authority-form target) is not forwarded',
  });
  writeRefusal(socket, 400, 'Bad Request', requestId);
}

function writeRefusal(socket: Duplex, status: number, reason: string, requestId: string): void {
  const body = JSON.stringify({ message: reason });
  socket.end(
    [
      `HTTP/1.1 ${status} ${reason}`,
      'Content-Type: application/json',
      `Content-Length: ${Buffer.byteLength(body)}`,
      'x-amzn-ErrorType: BadRequestException',
      `x-amzn-RequestId: ${requestId}`,
      'Connection: close',
      '',
      body,
    ].join('\r\n'),
  );
}

import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';

/** What the access record of a request Node's HTTP parser refused says about it. */
export interface ClientErrorFields {
  readonly requestId: string;
  readonly method: null;
  readonly path: null;
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
  onRecord({
    requestId,
    method: null,
    path: null,
    status,
    error: error.code === 'HPE_INVALID_URL' ? 'bad_request_target' : 'bad_request',
    detail: error.code ?? 'unknown parse error',
  });
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

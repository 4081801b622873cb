import { type Agent, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { pipeline } from 'node:stream';
import { clientResponseHeaders, upstreamRequestHeaders } from './proxy-headers.ts';
import { clientIp } from './request-event.ts';

/** How a forwarded exchange broke off; written into the access record. */
export type ForwardFailure =
  /** The upstream refused, reset or errored before its response headers: 502. */
  | 'upstream_failed'
  /** The upstream stayed silent for the timeout: 504 before its headers, a cut connection after. */
  | 'upstream_timeout'
  /** The upstream's response broke off mid-body: the client connection is cut too. */
  | 'upstream_reset'
  /** The client left before its answer was complete: the upstream request is abandoned. */
  | 'client_aborted';

export interface ForwardOptions {
  /** Only its origin is used: the client never chooses where a request goes. */
  readonly upstream: URL;
  /** The path that was decided, sent exactly as it is. */
  readonly path: string;
  readonly query: string | undefined;
  readonly authorizer: Record<string, unknown>;
  readonly trace: Readonly<Record<string, string>>;
  /** Longest silence allowed from the upstream, before or during its response. */
  readonly timeoutMs: number;
  readonly agent: Agent;
}

/**
 * Forwards an allowed request to the upstream and relays its answer, streaming both bodies.
 * Every failure ends both sides: before the upstream's response headers the client gets 502
 * (504 for a timeout); after them its connection is destroyed, so a cut body can never pass
 * for a whole one. A client that leaves abandons the upstream request. Resolves, never
 * rejects, once the client's response is closed, with what broke (if anything).
 */
export function forward(
  req: IncomingMessage,
  res: ServerResponse,
  options: ForwardOptions,
): Promise<ForwardFailure | undefined> {
  const { upstream } = options;
  let failure: ForwardFailure | undefined;
  // The first cause wins: tearing one side down makes the other side report errors too.
  const fail = (cause: ForwardFailure) => {
    failure ??= cause;
  };
  const proxied = (upstream.protocol === 'https:' ? httpsRequest : httpRequest)({
    protocol: upstream.protocol,
    hostname: upstream.hostname,
    port: upstream.port,
    path: options.query === undefined ? options.path : `${options.path}?${options.query}`,
    method: req.method,
    headers: upstreamRequestHeaders(req.rawHeaders, {
      host: upstream.host,
      clientIp: clientIp(req),
      authorizer: options.authorizer,
      chunked: req.headers['transfer-encoding'] !== undefined,
    }),
    agent: options.agent,
  });

  return new Promise((resolve) => {
    res.once('close', () => {
      if (!res.writableFinished) {
        fail('client_aborted');
        proxied.destroy();
      }
      resolve(failure);
    });
    proxied.setTimeout(options.timeoutMs, () => {
      fail('upstream_timeout');
      proxied.destroy(new Error('upstream timeout'));
    });
    proxied.on('error', () => {
      fail('upstream_failed');
      if (res.headersSent || res.destroyed) {
        res.destroy();
        return;
      }
      const timedOut = failure === 'upstream_timeout';
      const text = JSON.stringify({ message: timedOut ? 'Endpoint request timed out' : 'Bad Gateway' });
      // The client's request body may still be arriving: this connection cannot be reused.
      res.writeHead(timedOut ? 504 : 502, {
        ...options.trace,
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(text),
        connection: 'close',
      });
      res.end(text);
    });
    proxied.on('response', (upstreamRes) => {
      upstreamRes.on('error', () => fail('upstream_reset'));
      upstreamRes.on('aborted', () => fail('upstream_reset'));
      res.writeHead(upstreamRes.statusCode ?? 502, [
        ...clientResponseHeaders(upstreamRes.rawHeaders, Object.keys(options.trace)),
        ...Object.entries(options.trace).flat(),
      ]);
      pipeline(upstreamRes, res, (error) => {
        if (error) {
          fail('upstream_reset');
          res.destroy();
        }
      });
    });
    pipeline(req, proxied, (error) => {
      // A client that breaks off its request body: the upstream must not get half a request.
      if (error) {
        fail('client_aborted');
        proxied.destroy();
      }
    });
  });
}

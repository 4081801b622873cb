import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the test IdP answers the next requests. */
export type IdpBehaviour =
  | { readonly kind: 'jwks'; readonly document: unknown }
  | { readonly kind: 'status'; readonly status: number }
  | { readonly kind: 'text'; readonly body: string }
  | { readonly kind: 'redirect'; readonly location: string }
  /** Never answers at all. */
  | { readonly kind: 'hang' }
  /** Sends the headers and part of the body, then nothing more. */
  | { readonly kind: 'hang-body' }
  /** Answers with `document` once `gate` resolves (to hold concurrent callers on one fetch). */
  | { readonly kind: 'gated'; readonly document: unknown; readonly gate: Promise<void> }
  /**
   * Streams `totalBytes` of JSON-looking padding as fast as the client reads it, declaring the
   * length up front when `declare` is set; `written()` counts what the socket accepted.
   */
  | { readonly kind: 'stream'; readonly totalBytes: number; readonly declare: boolean };

export interface TestIdp {
  /** `http://127.0.0.1:<port>/jwks.json` */
  readonly uri: string;
  /** `http://127.0.0.1:<port>` (the issuer, for discovery). */
  readonly origin: string;
  /** Requests received so far (discovery documents included). */
  readonly requests: () => number;
  /** Requests not answered yet. */
  readonly pending: () => number;
  /** Bytes of streamed bodies the server managed to write. */
  readonly written: () => number;
  /** What `/.well-known/openid-configuration` answers (404 while undefined). */
  discovery(document: unknown): void;
  behave(next: IdpBehaviour): void;
  close(): Promise<void>;
}

/** A real HTTP JWKS endpoint on 127.0.0.1 that counts the requests it receives. */
export async function startIdp(initial: IdpBehaviour): Promise<TestIdp> {
  let behaviour = initial;
  let count = 0;
  let pending = 0;
  let written = 0;
  let discoveryDocument: unknown;
  const answer = (res: ServerResponse, b: IdpBehaviour): void => {
    switch (b.kind) {
      case 'jwks':
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(b.document));
        return;
      case 'status':
        res.writeHead(b.status, { 'content-type': 'text/plain' }).end('no');
        return;
      case 'text':
        res.writeHead(200, { 'content-type': 'application/json' }).end(b.body);
        return;
      case 'redirect':
        res.writeHead(302, { location: b.location }).end();
        return;
      case 'hang':
        return;
      case 'hang-body':
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
        res.write('{"keys":[');
        return;
      case 'gated':
        void b.gate.then(() => answer(res, { kind: 'jwks', document: b.document }));
        return;
      case 'stream':
        stream(res, b);
        return;
    }
  };
  const stream = (res: ServerResponse, b: Extract<IdpBehaviour, { kind: 'stream' }>) => {
    res.writeHead(200, {
      'content-type': 'application/json',
      ...(b.declare ? { 'content-length': String(b.totalBytes) } : {}),
    });
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let left = b.totalBytes;
    const pump = () => {
      while (left > 0 && !res.destroyed) {
        const size = Math.min(left, chunk.length);
        left -= size;
        const more = res.write(chunk.subarray(0, size), (error) => {
          if (!error) written += size;
        });
        if (!more) {
          res.once('drain', pump);
          return;
        }
      }
      if (left === 0) res.end();
    };
    res.on('close', () => res.removeAllListeners('drain'));
    pump();
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    count++;
    pending++;
    res.on('close', () => pending--);
    req.resume();
    if (req.url === '/.well-known/openid-configuration') {
      if (discoveryDocument === undefined) res.writeHead(404).end();
      else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(discoveryDocument));
      return;
    }
    answer(res, behaviour);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    uri: `http://127.0.0.1:${port}/jwks.json`,
    origin: `http://127.0.0.1:${port}`,
    requests: () => count,
    pending: () => pending,
    written: () => written,
    discovery: (document) => {
      discoveryDocument = document;
    },
    behave: (next) => {
      behaviour = next;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

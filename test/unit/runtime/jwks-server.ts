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
  | { readonly kind: 'gated'; readonly document: unknown; readonly gate: Promise<void> };

export interface TestIdp {
  /** `http://127.0.0.1:<port>/jwks.json` */
  readonly uri: string;
  /** Requests received so far. */
  readonly requests: () => number;
  behave(next: IdpBehaviour): void;
  close(): Promise<void>;
}

/** A real HTTP JWKS endpoint on 127.0.0.1 that counts the requests it receives. */
export async function startIdp(initial: IdpBehaviour): Promise<TestIdp> {
  let behaviour = initial;
  let count = 0;
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
    }
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    count++;
    req.resume();
    answer(res, behaviour);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    uri: `http://127.0.0.1:${port}/jwks.json`,
    requests: () => count,
    behave: (next) => {
      behaviour = next;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

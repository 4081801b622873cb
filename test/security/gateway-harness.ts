/**
 * The local gateway in-process, for the gateway attack tables: a real HTTP server on 127.0.0.1
 * deciding with the real core and the repository's policies, an injected clock, every record
 * kept, and a recording upstream. Requests go over raw sockets (`node:net`), because HTTP
 * clients normalise request targets and merge repeated headers — exactly what the attacks need.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import type { PolicyEngine } from '../../functions/core/policy/types.ts';
import type { GatewayOptions, RunningGateway } from '../../functions/local/gateway.ts';
import { startGateway } from '../../functions/local/gateway.ts';
import { keySourceOf, NOW, testAuthorizer } from '../support/authorizer.ts';
import { forge } from '../support/forge.ts';
import { generateKey, jwksOf } from '../support/keys.ts';

export const ISSUER = 'https://idp.example.test';
export const AUDIENCE = 'zt-api';
export { NOW };

export interface SeenRequest {
  readonly method: string;
  readonly url: string;
  readonly rawHeaders: readonly string[];
  readonly body: string;
  /** The request's stream ended early: the gateway gave up on it. */
  readonly aborted: boolean;
}

export interface RecordingUpstream {
  readonly url: URL;
  readonly seen: SeenRequest[];
  /** Requests whose headers arrived (their bodies may still be on the way). */
  readonly started: IncomingMessage[];
  /** Answers every request; replace it per test. */
  handler: (req: IncomingMessage, res: ServerResponse) => void;
  close(): Promise<void>;
}

/** An upstream that keeps every request it receives (after its body ends or breaks off). */
export async function recordingUpstream(): Promise<RecordingUpstream> {
  const seen: SeenRequest[] = [];
  const started: IncomingMessage[] = [];
  const upstream: RecordingUpstream = {
    url: new URL('http://127.0.0.1'),
    seen,
    started,
    handler: (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('from upstream');
    },
    close: () => closeServer(server),
  };
  const server: Server = createServer((req, res) => {
    started.push(req);
    let body = '';
    let done = false;
    const keep = (aborted: boolean) => {
      if (done) return;
      done = true;
      seen.push({ method: req.method ?? '', url: req.url ?? '', rawHeaders: req.rawHeaders, body, aborted });
    };
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => keep(false));
    req.on('error', () => keep(true));
    req.on('close', () => keep(!req.complete));
    upstream.handler(req, res);
  });
  await listen(server);
  (upstream as { url: URL }).url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  return upstream;
}

export interface GatewayWorld {
  readonly gateway: RunningGateway;
  readonly port: number;
  readonly records: Array<Record<string, unknown>>;
  /** The gateway's clock, in epoch ms: tests move it. */
  readonly clock: { ms: number };
  /** A valid token of the trusted issuer (GET /api/profile allows it), claims overridable. */
  token(claims?: Record<string, unknown>): string;
  accessRecords(): Array<Record<string, unknown>>;
  decisionRecords(): Array<Record<string, unknown>>;
  close(): Promise<void>;
}

/**
 * Starts a gateway; `options` override the defaults (no upstream: the JSON echo), `policy` the
 * repository's policy set.
 */
export async function gatewayWorld(
  options: Partial<Omit<GatewayOptions, 'authorize' | 'onRecord'>> = {},
  policy?: PolicyEngine,
): Promise<GatewayWorld> {
  const key = generateKey('ES256', 'gw-1');
  const authorizer = testAuthorizer({
    issuers: [{ issuer: ISSUER, audience: AUDIENCE, algorithms: ['ES256'], keys: keySourceOf(jwksOf(key)) }],
    ...(policy ? { policy } : {}),
  });
  const records: Array<Record<string, unknown>> = [];
  const clock = { ms: NOW * 1000 };
  const gateway = await startGateway({
    authorize: authorizer.authorize,
    cacheTtlSeconds: 300,
    onRecord: (r) => void records.push(r as Record<string, unknown>),
    clock: () => clock.ms,
    ...options,
  });
  const now = () => Math.floor(clock.ms / 1000);
  return {
    gateway,
    port: Number(new URL(gateway.url).port),
    records,
    clock,
    token: (claims = {}) =>
      forge({
        header: { alg: 'ES256', typ: 'JWT', kid: key.kid },
        claims: { iss: ISSUER, aud: AUDIENCE, sub: 'user-1', iat: now() - 60, exp: now() + 600, ...claims },
        signer: { alg: 'ES256', key: key.privateKey },
      }),
    accessRecords: () => records.filter((r) => r.schema === 'zta.access/v1'),
    decisionRecords: () => records.filter((r) => r.schema === 'zta.decision/v1'),
    close: () => gateway.close(),
  };
}

export interface RawResponse {
  readonly status: number;
  /** Header names lower-cased; repeated headers joined with ", ". */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** The header lines as sent, names in their case. */
  readonly rawHeaders: readonly string[];
  /** The body arrived whole (its Content-Length, or the last chunk): the gateway did not cut it. */
  readonly complete: boolean;
}

/**
 * Sends `head` (request line and headers, CRLF-separated, without the blank line) and `body`
 * on a fresh connection with `Connection: close`, and reads the whole answer. Resolves with
 * `undefined` when the gateway closed the connection without a complete status line.
 * `localAddress` (another loopback address, `127.0.0.2`) makes the request come from there.
 */
export function rawRequest(
  port: number,
  head: string,
  body = '',
  localAddress?: string,
): Promise<RawResponse | undefined> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1', ...(localAddress ? { localAddress } : {}) });
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => undefined); // a reset ends the answer: judged by what arrived
    socket.on('close', () => resolve(parseResponse(Buffer.concat(chunks).toString('latin1'))));
    // Not `end()`: Node's HTTP server answers a half-closed connection by closing it.
    socket.on('connect', () => socket.write(`${head}\r\nConnection: close\r\n\r\n${body}`));
    socket.setTimeout(20_000, () => reject(new Error(`no answer to ${head.split('\r\n')[0]}`)));
  });
}

/** `GET <target>` with an optional Authorization header, as raw HTTP/1.1. */
export const get = (target: string, authorization?: string, extra: readonly string[] = []): string =>
  [
    `GET ${target} HTTP/1.1`,
    'Host: 127.0.0.1',
    ...(authorization === undefined ? [] : [`Authorization: ${authorization}`]),
    ...extra,
  ].join('\r\n');

function parseResponse(text: string): RawResponse | undefined {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1]);
  if (!Number.isInteger(status)) return undefined;
  const headers: Record<string, string> = Object.create(null);
  const rawHeaders: string[] = [];
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    rawHeaders.push(name, value);
    const lower = name.toLowerCase();
    headers[lower] = lower in headers ? `${headers[lower]}, ${value}` : value;
  }
  const raw = text.slice(end + 4);
  if (headers['transfer-encoding'] === 'chunked') return { status, headers, rawHeaders, ...dechunk(raw) };
  const length = headers['content-length'];
  const complete = length === undefined ? true : Buffer.byteLength(raw, 'latin1') === Number(length);
  return { status, headers, rawHeaders, body: raw, complete };
}

function dechunk(text: string): { body: string; complete: boolean } {
  let body = '';
  let at = 0;
  for (;;) {
    const eol = text.indexOf('\r\n', at);
    if (eol < 0) return { body, complete: false };
    const size = Number.parseInt(text.slice(at, eol), 16);
    if (!Number.isFinite(size)) return { body, complete: false };
    if (size === 0) return { body, complete: true };
    if (text.length < eol + 2 + size + 2) return { body: body + text.slice(eol + 2), complete: false };
    body += text.slice(eol + 2, eol + 2 + size);
    at = eol + 2 + size + 2;
  }
}

/** Opens a connection and leaves it to the test (for aborts and half-sent requests). */
export function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Polls `condition` until it holds, for at most `deadlineMs` (generous: a loaded CI machine). */
export async function until(
  condition: () => boolean | Promise<boolean>,
  what: string,
  deadlineMs = 20_000,
): Promise<void> {
  const start = Date.now();
  while (!(await condition())) {
    if (Date.now() - start > deadlineMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function listen(server: Server): Promise<void> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

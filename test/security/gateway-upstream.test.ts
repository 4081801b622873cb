/**
 * Upstream failures end the client's request, and a client that leaves ends the upstream's:
 * an upstream that refuses, resets or stays silent gives 502/504 before the response headers
 * and a cut connection after them — never a hang — and every case leaves an access record.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type GatewayWorld,
  gatewayWorld,
  get,
  openSocket,
  type RecordingUpstream,
  rawRequest,
  recordingUpstream,
  until,
} from './gateway-harness.ts';

let upstream: RecordingUpstream | undefined;
let w: GatewayWorld | undefined;
afterEach(async () => {
  await w?.close();
  await upstream?.close();
  w = undefined;
  upstream = undefined;
});

/** A port nothing listens on: a server bound it, then let go. */
async function refusedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

async function world(
  handler: RecordingUpstream['handler'],
  upstreamTimeoutMs = 20_000,
): Promise<{ w: GatewayWorld; upstream: RecordingUpstream }> {
  upstream = await recordingUpstream();
  upstream.handler = handler;
  w = await gatewayWorld({ upstream: upstream.url, upstreamTimeoutMs });
  return { w, upstream };
}

const lastAccess = (world: GatewayWorld) => world.accessRecords().at(-1);

describe('before the response headers: an error answer', () => {
  it('an upstream that refuses the connection gives 502', async () => {
    const gw = await gatewayWorld({ upstream: new URL(`http://127.0.0.1:${await refusedPort()}`) });
    w = gw;
    const response = await rawRequest(gw.port, get('/api/profile', `Bearer ${gw.token()}`));

    expect(response?.status).toBe(502);
    expect(lastAccess(gw)).toMatchObject({ status: 502, error: 'upstream_failed' });
  });

  it('an upstream that resets the connection gives 502', async () => {
    const { w } = await world((req) => req.socket.destroy());
    const response = await rawRequest(w.port, get('/api/profile', `Bearer ${w.token()}`));

    expect(response?.status).toBe(502);
    expect(lastAccess(w)).toMatchObject({ status: 502, error: 'upstream_failed' });
  });

  it('an upstream that never answers gives 504 after the upstream timeout', async () => {
    const { w, upstream } = await world(() => undefined, 100);
    const response = await rawRequest(w.port, get('/api/profile', `Bearer ${w.token()}`));

    expect(response?.status).toBe(504);
    expect(JSON.parse(response?.body ?? '')).toEqual({ message: 'Endpoint request timed out' });
    expect(lastAccess(w)).toMatchObject({ status: 504, error: 'upstream_timeout' });
    await until(() => upstream.started[0]?.socket?.destroyed === true, 'the upstream connection closed');
  });
});

describe('after the response headers: the client connection is cut', () => {
  it('an upstream that resets mid-body', async () => {
    const { w } = await world((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('only part of it', () => res.socket?.destroy());
    });
    const response = await rawRequest(w.port, get('/api/profile', `Bearer ${w.token()}`));

    expect(response?.status).toBe(200);
    expect(response?.complete).toBe(false);
    // The cut reaches the client as the gateway writes its record: wait for the record.
    await until(() => lastAccess(w) !== undefined, 'the access record');
    expect(lastAccess(w)).toMatchObject({ status: 200, error: 'upstream_reset' });
  });

  it('an upstream that falls silent mid-body', async () => {
    // The silence limit also runs while the answer is on its way: generous enough that its
    // headers always arrive first, even on a loaded machine.
    const { w } = await world((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('first chunk, and then nothing');
    }, 3000);
    const response = await rawRequest(w.port, get('/api/profile', `Bearer ${w.token()}`));

    expect(response?.status).toBe(200);
    expect(response?.complete).toBe(false);
    await until(() => lastAccess(w) !== undefined, 'the access record');
    expect(lastAccess(w)).toMatchObject({ status: 200, error: 'upstream_timeout' });
  });
});

describe('a client that leaves ends the upstream request', () => {
  it('mid-way through its request body', async () => {
    const { w, upstream } = await world(() => undefined);
    const socket = await openSocket(w.port);
    socket.on('error', () => undefined);
    // GET with a body: the default policies allow only GET /api/profile.
    socket.write(
      `${get('/api/profile', `Bearer ${w.token()}`, ['Content-Length: 1000'])}\r\n\r\nthe first bytes`,
    );
    await until(() => upstream.started.length === 1, 'the upstream to get the request');
    socket.destroy();

    await until(() => upstream.seen.length === 1, 'the upstream request to end');
    expect(upstream.seen[0]).toMatchObject({ aborted: true, body: 'the first bytes' });
    await until(() => lastAccess(w)?.error === 'client_aborted', 'the access record');
    expect(w.accessRecords()).toHaveLength(1);
  });

  it('while the upstream is still answering', async () => {
    let upstreamClosedEarly = false;
    const { w, upstream } = await world((_req, res) => {
      res.on('close', () => {
        upstreamClosedEarly = !res.writableFinished;
      });
      res.writeHead(200, { 'content-length': '100' });
      res.write('part');
    });
    const socket = await openSocket(w.port);
    socket.on('error', () => undefined);
    socket.write(`${get('/api/profile', `Bearer ${w.token()}`)}\r\n\r\n`);
    await until(() => upstream.started.length === 1, 'the upstream to get the request');
    socket.destroy();

    await until(() => upstreamClosedEarly, 'the upstream response to be abandoned');
    await until(() => lastAccess(w)?.error === 'client_aborted', 'the access record');
  });

  it('while the upstream has not answered yet', async () => {
    const { w, upstream } = await world(() => undefined);
    const socket = await openSocket(w.port);
    socket.on('error', () => undefined);
    socket.write(`${get('/api/profile', `Bearer ${w.token()}`)}\r\n\r\n`);
    await until(() => upstream.started.length === 1, 'the upstream to get the request');
    socket.destroy();

    await until(() => upstream.started[0]?.socket?.destroyed === true, 'the upstream connection closed');
    await until(() => lastAccess(w)?.error === 'client_aborted', 'the access record');
  });
});

describe('request bodies are streamed through whole', () => {
  // biome-ignore format: one case per line keeps the table readable
  const cases: ReadonlyArray<readonly [string, string[], string]> = [
    ['Content-Length', ['Content-Length: 11'], 'hello world'],
    ['chunked', ['Transfer-Encoding: chunked'], '5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n'],
  ];
  it.each(cases)('%s', async (_name, framing, body) => {
    const { w, upstream } = await world((_req, res) => void res.writeHead(200).end('ok'));
    const authorization = `Bearer ${w.token()}`;
    // GET with a body: the default policies allow only GET /api/profile.
    const head = get('/api/profile', authorization, framing);
    const response = await rawRequest(w.port, head, body);

    expect(response?.status).toBe(200);
    expect(upstream.seen.map((s) => s.body)).toEqual(['hello world']);
  });
});

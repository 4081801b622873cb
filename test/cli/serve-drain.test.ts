/**
 * `zta serve` stops the way a load balancer target should: on SIGTERM it stops accepting,
 * closes idle keep-alive connections at once, lets requests in flight get their whole answer
 * (within --drain-seconds), then exits; a second signal closes everything at once. The upstream
 * holds its answers until the test releases them, so nothing here depends on timing.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, connect, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { get, openSocket, rawRequest, until } from '../security/gateway-harness.ts';
import { runCli, type Workspace, workspace, ZTA } from './harness.ts';

let ws: Workspace;
let upstream: Server;
let held: ServerResponse[];
let child: ChildProcess | undefined;

beforeEach(async () => {
  ws = workspace({ localIssuer: { issuer: 'https://zta.local', audience: 'zt-api', keysDir: './keys' } });
  held = [];
  upstream = createServer((_req, res) => void held.push(res));
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
});
afterEach(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await new Promise((r) => {
    upstream.close(r);
    upstream.closeAllConnections();
  });
  ws.cleanup();
});

/** Starts `zta serve` and resolves with its port, its stdout so far and its exit code. */
async function serve(): Promise<{ port: number; stdout: () => string; exited: Promise<number | null> }> {
  const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  const args = ['serve', '--config', ws.config, '--port', '0', '--upstream', upstreamUrl];
  const proc = spawn(process.execPath, [ZTA, ...args, '--drain-seconds', '600', '--log', `${ws.dir}/log`]);
  child = proc;
  let out = '';
  proc.stdout.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
  await until(
    () => /listening on http:\/\/127\.0\.0\.1:\d+/.test(out) || proc.exitCode !== null,
    'listening',
  );
  const port = Number(/listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1]);
  return { port, stdout: () => out, exited };
}

/** True once a fresh connection to `port` is refused. */
function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1');
    socket.on('connect', () => {
      socket.destroy();
      resolve(false);
    });
    socket.on('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}

/** Probes until a fresh connection is refused (the listener is closed), for at most 20 s. */
async function untilRefused(port: number): Promise<void> {
  const start = Date.now();
  while (!(await refused(port))) {
    if (Date.now() - start > 20_000) throw new Error('new connections were still accepted');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** An open keep-alive connection that has had one answer and now sits idle. */
async function idleConnection(port: number): Promise<{ closed: () => boolean }> {
  const socket = await openSocket(port);
  let closed = false;
  let received = '';
  socket.on('data', (d) => {
    received += d;
  });
  socket.on('error', () => undefined);
  socket.on('close', () => {
    closed = true;
  });
  socket.write('GET /.well-known/jwks.json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
  await until(() => received.includes('"keys"'), 'the first answer on the keep-alive connection');
  return { closed: () => closed };
}

const mint = async () =>
  (
    await runCli(['token', '--config', ws.config, '--sub', 'alice', '--role', 'admin', '--mfa'])
  ).stdout.trim();

describe('zta serve on SIGTERM', () => {
  it('refuses new connections, closes idle ones, finishes the request in flight, then exits 0', async () => {
    const gateway = await serve();
    const token = await mint();
    const idle = await idleConnection(gateway.port);
    const inFlight = rawRequest(gateway.port, get('/api/profile', `Bearer ${token}`));
    await until(() => held.length === 1, 'the request to reach the upstream');

    child?.kill('SIGTERM');
    await until(() => idle.closed(), 'the idle connection to be closed');
    await untilRefused(gateway.port);
    held[0]?.writeHead(200, { 'content-type': 'text/plain', 'content-length': '11' }).end('slow answer');
    const response = await inFlight;

    expect(response).toMatchObject({ status: 200, body: 'slow answer', complete: true });
    expect(await gateway.exited).toBe(0);
    expect(gateway.stdout()).toContain('draining');
  });

  it('closes every connection at once on a second signal', async () => {
    const gateway = await serve();
    const token = await mint();
    const inFlight = rawRequest(gateway.port, get('/api/profile', `Bearer ${token}`));
    await until(() => held.length === 1, 'the request to reach the upstream');

    child?.kill('SIGTERM');
    await until(() => gateway.stdout().includes('draining'), 'the drain to start');
    child?.kill('SIGTERM');

    expect(await gateway.exited).toBe(0);
    expect(await inFlight).toBeUndefined();
  });
});

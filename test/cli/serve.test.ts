import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../security/gateway-harness.ts';
import { jsonLines, runCli, stopProcess, type Workspace, workspace, ZTA } from './harness.ts';

/** The local gateway over real HTTP on 127.0.0.1, as `zta serve` runs it. */
describe('zta serve', () => {
  let ws: Workspace;
  let gateway: ChildProcess;
  let base: string;
  let upstream: Server;
  let upstreamSeen: Array<{ url: string; authorizer: string | undefined; authorization: string | undefined }>;

  const start = (args: string[]) =>
    new Promise<{ child: ChildProcess; url: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [ZTA, 'serve', '--config', ws.config, '--port', '0', ...args]);
      let out = '';
      child.stdout?.on('data', (d) => {
        out += d;
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (match?.[1]) resolve({ child, url: match[1] });
      });
      child.on('exit', (code) => reject(new Error(`serve exited ${code}`)));
    });

  beforeAll(async () => {
    ws = workspace({ localIssuer: { issuer: 'https://zta.local', audience: 'zt-api', keysDir: './keys' } });
    upstreamSeen = [];
    upstream = createServer((req, res) => {
      upstreamSeen.push({
        url: req.url ?? '',
        authorizer: req.headers['x-zta-authorizer'] as string | undefined,
        authorization: req.headers.authorization,
      });
      res.writeHead(201, { 'content-type': 'text/plain' }).end('from upstream');
    });
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    ({ child: gateway, url: base } = await start([
      '--log',
      `${ws.dir}/gateway.log`,
      '--upstream',
      upstreamUrl,
    ]));
  });
  afterAll(async () => {
    await stopProcess(gateway);
    await new Promise((r) => upstream.close(r));
    ws.cleanup();
  });

  const mint = async (...args: string[]) =>
    (await runCli(['token', '--config', ws.config, ...args])).stdout.trim();
  const get = (path: string, authorization?: string) =>
    fetch(`${base}${path}`, { headers: authorization ? { authorization } : {} });

  it('answers 200 / 403 / 401 as API Gateway would, forwarding only allowed requests', async () => {
    const admin = await mint('--sub', 'alice', '--role', 'admin', '--mfa');
    const noMfa = await mint('--sub', 'bob', '--role', 'admin');

    const allowed = await get('/api/sensitive?x=1', `Bearer ${admin}`);
    const forbidden = await get('/api/sensitive', `Bearer ${noMfa}`);
    const forged = await get('/api/sensitive', `Bearer ${admin.slice(0, -4)}AAAA`);
    const missing = await get('/api/profile');

    expect(allowed.status).toBe(201);
    expect(await allowed.text()).toBe('from upstream');
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toEqual({
      Message: 'User is not authorized to access this resource with an explicit deny',
    });
    expect(forged.status).toBe(401);
    expect(await forged.json()).toEqual({ message: 'Unauthorized' });
    expect(missing.status).toBe(401);
    expect(upstreamSeen).toHaveLength(1);
    expect(upstreamSeen[0]?.url).toBe('/api/sensitive?x=1');
    expect(JSON.parse(upstreamSeen[0]?.authorizer ?? '{}')).toMatchObject({ subject: 'alice', mfa: true });
  });

  it('serves the local issuer JWKS without authorization', async () => {
    const response = await get('/.well-known/jwks.json');
    const jwks = (await response.json()) as { keys: Array<Record<string, unknown>> };
    expect(response.status).toBe(200);
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' });
    expect(jwks.keys[0]).not.toHaveProperty('d');
  });

  it('caches results per identity source, and a revocation flushes the cache', async () => {
    const token = await mint('--sub', 'dave', '--jti', 'dave-1');
    const first = await get('/api/profile', `Bearer ${token}`);
    const second = await get('/api/profile', `Bearer ${token}`);
    const log = () => jsonLines(readFileSync(`${ws.dir}/gateway.log`, 'utf8'));
    const accessFor = (id: string | null) =>
      log()
        .filter((r) => r.schema === 'zta.access/v1' && r.decisionId === id)
        .map((r) => r.authorizerCache);

    expect([first.status, second.status]).toEqual([201, 201]);
    // Access records are written when a response has closed: wait for the second one.
    const id = first.headers.get('x-zta-decision-id');
    await until(() => accessFor(id).length === 2, 'two access records');
    expect(accessFor(id)).toEqual(['miss', 'hit']);

    await runCli(['revoke', '--config', ws.config, '--jti', 'dave-1']);
    const afterRevoke = await get('/api/profile', `Bearer ${token}`);
    expect(afterRevoke.status).toBe(401);
  });

  it('logs one decision record per authorizer call and never the token', async () => {
    const token = await mint('--sub', 'erin');
    await get('/api/other', `Bearer ${token}`);
    const text = readFileSync(`${ws.dir}/gateway.log`, 'utf8');
    const decisions = jsonLines(text).filter((r) => r.schema === 'zta.decision/v1' && r.subject === 'erin');

    expect(decisions).toMatchObject([
      { decision: 'DENY', status: 403, reason: 'policy_denied', path: '/api/other' },
    ]);
    expect(text).not.toContain(token.split('.')[2]);
  });
});

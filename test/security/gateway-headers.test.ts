/**
 * What the upstream receives besides the decided method and path: no header that would let a
 * backend act on another method or path than the one authorized, no hop-by-hop header, no
 * client claim about proxies or about the authorizer's answer — and on the way back, no
 * hop-by-hop header of the upstream's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type GatewayWorld,
  gatewayWorld,
  get,
  type RecordingUpstream,
  rawRequest,
  recordingUpstream,
} from './gateway-harness.ts';

let upstream: RecordingUpstream;
let w: GatewayWorld;
beforeAll(async () => {
  upstream = await recordingUpstream();
  w = await gatewayWorld({ upstream: upstream.url });
});
afterAll(async () => {
  await w.close();
  await upstream.close();
});

/** Header lines the client sends and the upstream must never see (any case of the name). */
// biome-ignore format: one case per line keeps the table readable
const stripped: ReadonlyArray<readonly [string, string]> = [
  ['X-HTTP-Method-Override', 'DELETE'],
  ['x-http-method', 'DELETE'],
  ['X-METHOD-OVERRIDE', 'PUT'],
  ['X-Original-URL', '/api/sensitive'],
  ['x-rewrite-url', '/api/sensitive'],
  ['X-Forwarded-Prefix', '/admin'],
  ['X-Forwarded-Host', 'evil.example'],
  ['Forwarded', 'for=1.2.3.4;host=evil.example;proto=https'],
  ['X-Forwarded-Proto', 'https'],
  ['X-Forwarded-Port', '443'],
  ['X-Real-IP', '1.2.3.4'],
  ['Proxy-Authorization', 'Basic Zm9vOmJhcg=='],
  ['Proxy-Connection', 'keep-alive'],
  ['Keep-Alive', 'timeout=5'],
  ['TE', 'trailers'],
  ['Trailer', 'X-Checksum'],
  ['Upgrade', 'websocket'],
  ['X-Secret-Hop', 'named in Connection'],
  ['X-Zta-Authorizer', '{"subject":"admin","roles":"[\\"admin\\"]"}'],
  ['x-zta-decision-id', 'forged'],
];

/** Header lines that reach the upstream unchanged and in order. */
const kept: ReadonlyArray<readonly [string, string]> = [
  ['Accept', 'application/json'],
  ['Cookie', 'a=1'],
  ['Cookie', 'b=2'],
  ['X-Custom', 'kept'],
];

describe('headers forwarded to the upstream', () => {
  it('strips overrides, hop-by-hop headers, proxy claims and x-zta-*, keeps the rest', async () => {
    const token = `Bearer ${w.token()}`;
    const lines = [
      'Connection: X-Secret-Hop, keep-alive',
      ...stripped.map(([name, value]) => `${name}: ${value}`),
      ...kept.map(([name, value]) => `${name}: ${value}`),
    ];
    const response = await rawRequest(w.port, get('/api/profile', token, lines));
    const seen = upstream.seen.at(-1);
    const names = (seen?.rawHeaders ?? []).filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
    const pairs = (seen?.rawHeaders ?? []).flatMap((v, i, all) => (i % 2 === 0 ? [[v, all[i + 1]]] : []));

    expect(response?.status).toBe(200);
    // The gateway sets these itself: checked below.
    const setHere = ['x-zta-authorizer', 'x-forwarded-proto'];
    for (const [name] of stripped) {
      if (!setHere.includes(name.toLowerCase())) expect(names).not.toContain(name.toLowerCase());
    }
    const zta = pairs.filter(([n]) => n?.toLowerCase().startsWith('x-zta-'));
    expect(zta).toHaveLength(1);
    expect(JSON.parse(zta[0]?.[1] ?? '{}')).toMatchObject({ subject: 'user-1', roles: '[]' });
    expect(pairs.filter(([n]) => kept.some(([k]) => k === n))).toEqual(kept);
    expect(pairs).toContainEqual(['Authorization', token]);
    // The gateway is the edge: it states the client address and scheme itself.
    expect(pairs.filter(([n]) => n?.toLowerCase() === 'x-forwarded-for')).toEqual([
      ['X-Forwarded-For', '127.0.0.1'],
    ]);
    expect(pairs.filter(([n]) => n?.toLowerCase() === 'x-forwarded-proto')).toEqual([
      ['X-Forwarded-Proto', 'http'],
    ]);
    expect(seen?.method).toBe('GET');
    expect(seen?.url).toBe('/api/profile');
  });
});

describe('headers relayed back to the client', () => {
  it('drops the upstream hop-by-hop headers, keeps the rest and adds the trace headers', async () => {
    upstream.handler = (_req, res) => {
      // biome-ignore format: name, value pairs
      res.writeHead(200, [
        'Connection', 'X-Up-Hop', 'X-Up-Hop', 'secret', 'Keep-Alive', 'timeout=99',
        'Set-Cookie', 'a=1', 'Set-Cookie', 'b=2', 'Content-Length', '2', 'X-Zta-Decision-Id', 'forged',
      ]);
      res.end('ok');
    };
    const response = await rawRequest(w.port, get('/api/profile', `Bearer ${w.token()}`));
    const names = (response?.rawHeaders ?? []).filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());

    expect(response?.status).toBe(200);
    expect(response?.body).toBe('ok');
    expect(names).not.toContain('x-up-hop');
    expect(response?.headers['keep-alive']).toBeUndefined();
    expect(response?.headers['set-cookie']).toBe('a=1, b=2');
    // Only the gateway's own decision id: the upstream cannot speak for the authorizer.
    expect(response?.headers['x-zta-decision-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

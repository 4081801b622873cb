/**
 * How `zta serve` wires the gateway: its cache follows every key source (here a `jwksUri` key
 * set served over real HTTP on 127.0.0.1, which no file watch can see), and its options refuse
 * values that would be silently ignored.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../security/gateway-harness.ts';
import { generateKey, jwksOf } from '../support/keys.ts';
import {
  AUDIENCE,
  ISSUER,
  jsonLines,
  runCli,
  stopProcess,
  type Workspace,
  workspace,
  ZTA,
} from './harness.ts';

describe('zta serve with a jwksUri issuer', () => {
  let ws: Workspace;
  let idp: Server;
  let published: object;
  let gateway: ChildProcess;
  let base: string;
  const rotated = generateKey('ES256', 'k2');

  beforeAll(async () => {
    ws = workspace();
    published = jwksOf(ws.key);
    idp = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(published));
    });
    await new Promise<void>((r) => idp.listen(0, '127.0.0.1', r));
    const jwksUri = `http://127.0.0.1:${(idp.address() as AddressInfo).port}/jwks.json`;
    const config = ws.write('uri-config.json', {
      issuers: [
        {
          issuer: ISSUER,
          audience: AUDIENCE,
          jwksUri,
          algorithms: ['ES256'],
          // Asks the IdP again soon for an unknown kid, as after a rotation (the timeout must
          // stay below the cooldown, or the config is refused).
          jwksCache: { cooldownSeconds: 1, timeoutMs: 500 },
        },
      ],
      policies: JSON.parse(readFileSync(ws.config, 'utf8')).policies,
      revocations: null,
    });
    gateway = spawn(process.execPath, [
      ZTA,
      'serve',
      '--config',
      config,
      '--port',
      '0',
      '--log',
      `${ws.dir}/log`,
    ]);
    let out = '';
    gateway.stdout?.on('data', (d) => {
      out += d;
    });
    await until(() => /listening on (http:\/\/127\.0\.0\.1:\d+)/.test(out), 'zta serve to listen');
    base = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1] ?? '';
  });
  afterAll(async () => {
    await stopProcess(gateway, 'SIGKILL');
    await new Promise((r) => idp.close(r));
    ws.cleanup();
  });

  const get = (token: string) =>
    fetch(`${base}/api/profile`, { headers: { authorization: `Bearer ${token}` } });

  it('drops cached answers when the IdP publishes a different key set', async () => {
    const token = await ws.sign({ sub: 'alice' });
    // The key set may be fetched before or by the first request (a fetch starts at build): after
    // that, the same token is answered from the cache.
    const warmUp = await get(token);
    const first = await get(token);
    const second = await get(token);
    const id = second.headers.get('x-zta-decision-id');
    const accessOf = (decisionId: string | null) =>
      jsonLines(readFileSync(`${ws.dir}/log`, 'utf8')).filter(
        (r) => r.schema === 'zta.access/v1' && r.decisionId === decisionId,
      );
    await until(() => accessOf(id).length >= 2, 'two access records');

    // The IdP rotates: the first key is gone. A token of the new key makes the gateway fetch.
    published = jwksOf(rotated);
    const now = Math.floor(Date.now() / 1000);
    const fresh = await new SignJWT({ iss: ISSUER, aud: AUDIENCE, sub: 'bob', iat: now, exp: now + 600 })
      .setProtectedHeader({ alg: 'ES256', kid: 'k2', typ: 'JWT' })
      .sign(rotated.privateKey);
    // At most one fetch per cooldown for an unknown kid: ask until the new key set is in.
    let withNewKey = await get(fresh);
    const deadline = Date.now() + 20_000;
    while (withNewKey.status !== 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      withNewKey = await get(fresh);
    }
    const afterRotation = await get(token);

    expect([warmUp.status, first.status, second.status]).toEqual([200, 200, 200]);
    expect(accessOf(id).at(-1)?.authorizerCache).toBe('hit');
    expect(withNewKey.status).toBe(200);
    // The new key set changed the stamp: the old token's cached ALLOW is gone, and it is decided.
    expect(afterRotation.status).toBe(401);
    expect(afterRotation.headers.get('x-zta-decision-id')).not.toBe(id);
  });
});

describe('zta serve options', () => {
  let ws: Workspace;
  beforeAll(() => {
    ws = workspace();
  });
  afterAll(() => ws.cleanup());

  // biome-ignore format: one case per line keeps the table readable
  const cases: ReadonlyArray<readonly [string[], RegExp]> = [
    [['--upstream', 'http://127.0.0.1:3000/base'], /--upstream expects an origin/],
    [['--upstream', 'http://127.0.0.1:3000/?x=1'], /--upstream expects an origin/],
    [['--upstream', 'http://user:pw@127.0.0.1:3000'], /--upstream expects an origin/],
    [['--upstream', 'ftp://127.0.0.1'], /--upstream expects an origin/],
    [['--upstream', 'not a url'], /--upstream is not a URL/],
    [['--drain-seconds=-1'], /--drain-seconds expects a number of seconds from 0 to 3600, got "-1"/],
    [['--drain-seconds', 'soon'], /--drain-seconds expects/],
    [['--drain-seconds', ''], /--drain-seconds expects/],
  ];
  it.each(cases)('%j is refused with exit 2', async (args, message) => {
    const result = await runCli(['serve', '--config', ws.config, '--port', '0', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});

/**
 * The `/_zta/` console of `zta serve`, over real HTTP on 127.0.0.1: answered by the gateway
 * itself (read only, GET only, loopback Host only, never decided or forwarded), and never
 * showing a token, a signature or key material. The page itself is driven in a real browser
 * in serve-console-browser.test.ts.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGateway } from '../../bin/cli/local-gateway.ts';
import { mintLocalToken } from '../../bin/cli/token.ts';
import type { ConsoleSnapshot } from '../../functions/local/console/feed.ts';
import type { RunningGateway } from '../../functions/local/gateway.ts';
import { type BuiltAuthorizer, buildAuthorizer } from '../../functions/runtime/build-authorizer.ts';
import { loadConfigFile } from '../../functions/runtime/config-file.ts';
import type { LocalKeyStore } from '../../functions/runtime/local-key-store.ts';
import { type RecordingUpstream, rawRequest, recordingUpstream, until } from '../security/gateway-harness.ts';
import { POLICY_DIR } from '../support/authorizer.ts';
import { ISSUER, runCli, type Workspace, workspace } from './harness.ts';

interface Served {
  readonly built: BuiltAuthorizer;
  readonly gateway: RunningGateway;
  readonly port: number;
  raw(method: string, target: string, headers?: readonly string[]): ReturnType<typeof rawRequest>;
}

async function serve(ws: Workspace, upstream: RecordingUpstream, console: boolean): Promise<Served> {
  const built = buildAuthorizer(loadConfigFile(ws.config, POLICY_DIR));
  const gateway = await runGateway(built, {
    port: 0,
    log: join(ws.dir, 'gateway.log'),
    upstream: upstream.url.origin,
    console,
    info: () => {},
    warn: () => {},
  });
  const port = Number(new URL(gateway.url).port);
  return {
    built,
    gateway,
    port,
    raw: (method, target, headers = [`Host: 127.0.0.1:${port}`]) =>
      rawRequest(port, [`${method} ${target} HTTP/1.1`, ...headers].join('\r\n')),
  };
}

describe('zta serve --console', () => {
  let ws: Workspace;
  let upstream: RecordingUpstream;
  let on: Served;
  let off: Served;
  let admin: string;

  beforeAll(async () => {
    ws = workspace({ localIssuer: { issuer: 'https://zta.local', audience: 'zt-api', keysDir: './keys' } });
    upstream = await recordingUpstream();
    on = await serve(ws, upstream, true);
    off = await serve(ws, upstream, false);
    admin = await mintLocalToken(on.built.localKeys as LocalKeyStore, {
      sub: 'alice',
      roles: ['admin'],
      mfa: true,
      ttlSeconds: 600,
    });
  });
  afterAll(async () => {
    await on?.gateway.close();
    await off?.gateway.close();
    await upstream?.close();
    ws?.cleanup();
  });

  it('serves one self-contained page whose CSP allows only its own inline script and style', async () => {
    const page = await on.raw('GET', '/_zta/');

    expect(page?.status).toBe(200);
    expect(page?.headers['content-type']).toBe('text/html; charset=utf-8');
    const body = page?.body ?? '';
    const inline = (tag: string) =>
      createHash('sha256')
        .update(Buffer.from(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`).exec(body)?.[1] ?? '', 'latin1'))
        .digest('base64');
    const csp = page?.headers['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain(`script-src 'sha256-${inline('script')}'`);
    expect(csp).toContain(`style-src 'sha256-${inline('style')}'`);
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain('unsafe');
    // Offline: nothing loaded from anywhere else.
    expect(body).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(body).not.toMatch(/@import|url\(/i);
  });

  // Everything under /_zta is the console's: answered here, read only, never decided or
  // forwarded; other spellings of the prefix are refused by the target check before that.
  it.each([
    ['GET', '/_zta/api/state', undefined, 200],
    ['GET', '/_zta', undefined, 308],
    ['GET', '/_zta/nope', undefined, 404],
    ['GET', '/_zta/api/state?x=1', undefined, 200],
    ['POST', '/_zta/api/state', undefined, 405],
    ['DELETE', '/_zta/', undefined, 405],
    ['HEAD', '/_zta/', undefined, 405],
    ['GET', '/_zta/api/state', ['Host: attacker.example'], 403],
    ['GET', '/_zta/api/state', ['Host: attacker.example:80'], 403],
    ['GET', '/_zta/api/state', [], 400],
    ['GET', '/%5Fzta/api/state', undefined, 400],
    ['GET', '/_zta/../api/profile', undefined, 400],
    ['GET', '/_zta//api/state', undefined, 400],
    ['GET', '/_ZTA/api/state', undefined, 401],
  ])('%s %s (headers %j) → %i, never reaching the upstream', async (method, target, headers, status) => {
    const seenBefore = upstream.seen.length;
    const answer = await on.raw(method, target, headers ?? [`Host: 127.0.0.1:${on.port}`]);
    expect(answer?.status).toBe(status);
    expect(upstream.seen.length).toBe(seenBefore);
  });

  it('a valid token does not turn a console path into a forwarded one', async () => {
    const answer = await on.raw('GET', '/_zta/api/state', [
      `Host: 127.0.0.1:${on.port}`,
      `Authorization: Bearer ${admin}`,
    ]);
    expect(answer?.status).toBe(200);
    expect(answer?.headers['content-type']).toBe('application/json');
    expect(upstream.seen.map((r) => r.url)).not.toContainEqual(expect.stringContaining('_zta'));
  });

  it('without --console, /_zta/ is an ordinary path: decided like any other', async () => {
    expect((await off.raw('GET', '/_zta/'))?.status).toBe(401);
    expect(
      (
        await off.raw('GET', '/_zta/api/state', [
          `Host: 127.0.0.1:${off.port}`,
          `Authorization: Bearer ${admin}`,
        ])
      )?.status,
    ).toBe(403);
  });

  it('shows decisions, deny reasons, revocations and keys live, and never a token, a signature or a key', async () => {
    // Prepare: a gateway of its own (nothing counted yet), a live stream, then one request
    // per outcome and a revocation by `zta revoke`.
    const fresh = await serve(ws, upstream, true);
    const stream = await openStream(`${fresh.gateway.url}/_zta/api/stream`);
    const keys = on.built.localKeys as LocalKeyStore;
    const noMfa = await mintLocalToken(keys, { sub: 'bob', roles: ['admin'], mfa: false, ttlSeconds: 600 });
    const forged = `${admin.slice(0, -6)}AAAAAA`;
    const external = await ws.sign({ sub: 'carol' });
    const send = (path: string, token: string) =>
      fetch(`${fresh.gateway.url}${path}`, { headers: { authorization: `Bearer ${token}` } }).then(
        (r) => r.status,
      );
    try {
      expect(await send('/api/sensitive?page=2', admin)).toBe(200);
      expect(await send('/api/sensitive', noMfa)).toBe(403);
      expect(await send('/api/sensitive', forged)).toBe(401);
      expect(await send('/api/profile', external)).toBe(200);
      expect((await fetch(`${fresh.gateway.url}/api/profile?access_token=${admin}`)).status).toBe(401);
      const revoked = await runCli([
        'revoke',
        '--config',
        ws.config,
        '--sub',
        'mallory',
        '--iss',
        ISSUER,
        '--reason',
        'laptop lost',
      ]);
      expect(revoked.code).toBe(0);

      // Assess: the stream tells each decision and the revocation as they happen.
      await until(
        () => (stream.text().match(/^event: decision$/gm) ?? []).length === 5,
        'five decisions on the stream',
      );
      await until(
        () => /^event: revocations\ndata: .*mallory/m.test(stream.text()),
        'the revocation on the stream',
      );
      const state = (await (await fetch(`${fresh.gateway.url}/_zta/api/state`)).json()) as ConsoleSnapshot;
      expect(state.denyReasons).toEqual({ mfa_required: 1, invalid_signature: 1, missing_token: 1 });
      expect(state.latest.map((d) => [d.subject ?? null, d.status])).toEqual([
        [null, 401],
        ['carol', 200],
        ['alice', 401],
        ['bob', 403],
        ['alice', 200],
      ]);
      expect(state.latest[4]).toMatchObject({
        method: 'GET',
        path: '/api/sensitive',
        policies: ['sensitive.admin-with-mfa'],
        verified: true,
      });
      expect(state.revocations?.state === 'ok' && state.revocations.items).toEqual([
        expect.objectContaining({
          kind: 'subject',
          subject: 'mallory',
          issuer: ISSUER,
          reason: 'laptop lost',
        }),
      ]);
      const kids = (state.keys ?? []).map((issuer) => [
        issuer.issuer,
        issuer.keys.map((k) => `${k.kid}:${k.state}`),
      ]);
      expect(kids).toEqual([
        [ISSUER, ['k1:served']],
        ['https://zta.local', [`${keys.listKeys()[0]?.kid}:active`]],
      ]);

      const shown = [(await on.raw('GET', '/_zta/'))?.body, JSON.stringify(state), stream.text()].join('\n');
      const secrets = [admin, noMfa, forged, external]
        .flatMap((token) => [token, token.split('.')[2] as string])
        .concat(keyMaterial(ws.dir));
      expect(shown).toContain('mallory');
      expect(shown).toContain('sensitive.admin-with-mfa');
      for (const secret of secrets) expect(shown).not.toContain(secret);
    } finally {
      stream.close();
      await fresh.gateway.close();
    }
  });
});

describe('zta serve --console: answers from the result cache', () => {
  it('counts and lists a request answered from the cache as the decision it reuses, marked cached', async () => {
    // Prepare: a gateway of its own; the second identical request is answered from its cache.
    const ws = workspace({ gateway: { cacheTtlSeconds: 300 } });
    const upstream = await recordingUpstream();
    const served = await serve(ws, upstream, true);
    try {
      const token = await ws.sign({ sub: 'carol' });
      const send = async () =>
        (await fetch(`${served.gateway.url}/api/profile`, { headers: { authorization: `Bearer ${token}` } }))
          .status;

      // Act
      const statuses = [await send(), await send()];

      // Assess
      expect(statuses).toEqual([200, 200]);
      expect(upstream.seen).toHaveLength(2);
      let state: ConsoleSnapshot | undefined;
      await until(async () => {
        state = (await (await fetch(`${served.gateway.url}/_zta/api/state`)).json()) as ConsoleSnapshot;
        return state.latest.length === 2;
      }, 'both requests on the console');
      const [second, first] = state?.latest ?? [];
      expect(first?.cached).toBeUndefined();
      expect(second).toMatchObject({ decisionId: first?.decisionId, subject: 'carol', cached: true });
      expect(state?.buckets.reduce((n, b) => n + b.allow, 0)).toBe(2);
    } finally {
      await served.gateway.close();
      await upstream.close();
      ws.cleanup();
    }
  });
});

describe('zta serve --console: stopping', () => {
  it('a drain ends the open event streams instead of waiting out the grace period for them', async () => {
    const ws = workspace();
    const upstream = await recordingUpstream();
    const served = await serve(ws, upstream, true);
    try {
      const stream = await openStream(`${served.gateway.url}/_zta/api/stream`);
      // An hour of grace: only the streams being ended lets this finish within the test's time.
      await served.gateway.drain(3_600_000);
      await until(() => stream.ended(), 'the stream to end');
    } finally {
      await served.gateway.close();
      await upstream.close();
      ws.cleanup();
    }
  });
});

/** Every private and public key coordinate on disk: none belongs on the console. */
function keyMaterial(dir: string): string[] {
  const local = JSON.parse(readFileSync(join(dir, 'keys', 'keys.json'), 'utf8')) as {
    keys: Array<{ privateJwk: Record<string, string> }>;
  };
  const external = JSON.parse(readFileSync(join(dir, 'jwks.json'), 'utf8')) as {
    keys: Array<Record<string, string>>;
  };
  return [...local.keys.map((k) => k.privateJwk), ...external.keys].flatMap((jwk) =>
    ['d', 'x', 'y', 'n']
      .map((member) => jwk[member])
      .filter((value): value is string => typeof value === 'string'),
  );
}

/** Reads an event stream in the background; `text()` is everything received so far. */
async function openStream(url: string): Promise<{ text(): string; ended(): boolean; close(): void }> {
  const abort = new AbortController();
  const response = await fetch(url, { signal: abort.signal });
  expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  let received = '';
  let ended = false;
  const decoder = new TextDecoder();
  void (async () => {
    try {
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) received += decoder.decode(chunk);
    } catch {
      // aborted at the end of the test
    }
    ended = true;
  })();
  await until(() => received.includes('event: snapshot'), 'the first snapshot');
  return { text: () => received, ended: () => ended, close: () => abort.abort() };
}

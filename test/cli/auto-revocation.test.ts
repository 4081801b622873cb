/**
 * The local decision pipeline end to end, over real HTTP on 127.0.0.1 with `zta serve`
 * spawned as a user runs it: a spike of policy denials revokes the principal within one
 * second, forged tokens naming a victim never do, and the revocation survives a restart.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyPair } from '../support/keys.ts';
import { AUDIENCE, ISSUER, jsonLines, stopProcess, type Workspace, workspace, ZTA } from './harness.ts';

/**
 * How long the test waits for the revocation to bite. The product revokes within a second on an
 * idle machine; the bound here is generous so a loaded CI machine cannot fail it (no test asserts
 * a time).
 */
const CONTRACT_MS = 15_000;

let ws: Workspace;
let gateway: { child: ChildProcess; url: string };
/** Mallory's tokens issued before the spike (reused after the restart). */
const mallory: string[] = [];

function serve(): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const args = [
      'serve',
      '--config',
      ws.config,
      '--port',
      '0',
      '--log',
      `${ws.dir}/gateway.log`,
      '--events',
      `${ws.dir}/events.jsonl`,
    ];
    const child = spawn(process.execPath, [ZTA, ...args]);
    let out = '';
    child.stdout?.on('data', (d) => {
      out += d;
      const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match?.[1]) resolve({ child, url: match[1] });
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}`)));
  });
}

const get = async (path: string, token: string) =>
  (await fetch(`${gateway.url}${path}`, { headers: { authorization: `Bearer ${token}` } })).status;

/** Polls `probe` until it returns `want` or `boundMs` passes; returns the elapsed ms, or null. */
async function within(boundMs: number, want: number, probe: () => Promise<number>): Promise<number | null> {
  const started = performance.now();
  for (;;) {
    if ((await probe()) === want) return performance.now() - started;
    if (performance.now() - started > boundMs) return null;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const events = () => jsonLines(readFileSync(`${ws.dir}/events.jsonl`, 'utf8'));
const revocations = () =>
  JSON.parse(readFileSync(`${ws.dir}/revocations.json`, 'utf8')).revocations as Record<string, unknown>[];
const signed = (sub: string, extra: Record<string, unknown> = {}) =>
  ws.sign({ sub, iat: Math.floor(Date.now() / 1000) - 5, ...extra });

beforeAll(async () => {
  ws = workspace({ autoRevocation: { denyThreshold: 5, windowSeconds: 60 } });
  gateway = await serve();
});
afterAll(async () => {
  if (gateway) await stopProcess(gateway.child);
  ws.cleanup();
});

describe('zta serve with autoRevocation', () => {
  it('revokes a principal within one second of its 5th policy denial, on every route and token', async () => {
    // Prepare: two tokens of mallory; one already has a cached ALLOW on /api/profile.
    const [probing, other, bob] = await Promise.all([
      signed('mallory', { jti: 'm-1' }),
      signed('mallory', { jti: 'm-2' }),
      signed('bob'),
    ]);
    mallory.push(probing, other);
    expect(await get('/api/profile', other)).toBe(200);

    // Act: five policy denials.
    const denied = [];
    for (let i = 0; i < 5; i++) denied.push(await get(`/api/admin/${i % 2}`, probing));
    const elapsed = await within(CONTRACT_MS, 401, () => get('/api/profile', other));

    // Assess
    expect(denied).toEqual([403, 403, 403, 403, 403]);
    expect(elapsed).not.toBeNull();
    expect(await get('/api/sensitive', probing)).toBe(401);
    expect(await get('/api/profile', bob)).toBe(200);
    expect(revocations()).toEqual([
      expect.objectContaining({
        kind: 'subject',
        issuer: ISSUER,
        subject: 'mallory',
        revokedBy: 'zta:auto-revocation',
        trigger: 'auto',
      }),
    ]);
  });

  it('writes the decision events as JSON Lines in the EventBridge envelope', async () => {
    // The announcement follows the revocation write: wait for it rather than race it.
    await within(CONTRACT_MS, 1, async () =>
      events().some((e) => e['detail-type'] === 'Credential Revoked') ? 1 : 0,
    );
    const stream = events();
    const types = stream.map((e) => `${e.source} ${e['detail-type']}`);
    expect(new Set(types)).toEqual(
      new Set([
        'zta.authorizer Authorization Decision',
        'zta.spike-detector Principal Suspected Compromise',
        'zta.revoker Credential Revoked',
      ]),
    );
    const alert = stream.find((e) => e['detail-type'] === 'Principal Suspected Compromise');
    expect(alert).toMatchObject({
      version: '0',
      detail: { version: 1, issuer: ISSUER, subject: 'mallory', denials: 5, threshold: 5, windowSeconds: 60 },
    });
    const revoked = stream.find((e) => e['detail-type'] === 'Credential Revoked');
    expect(revoked?.detail).toMatchObject({
      outcome: 'revoked',
      trigger: 'auto',
      subject: 'mallory',
      cacheFlush: [{ stage: 'local', ok: true }],
    });
    expect(
      stream.every(
        (e) =>
          typeof e.id === 'string' &&
          typeof e.time === 'string' &&
          (e.detail as { version: number }).version === 1,
      ),
    ).toBe(true);
  });

  it('never revokes a victim whose sub an attacker writes into forged tokens', async () => {
    // Prepare: the attacker's own key, published under the real kid; alice's real token.
    const attackerKey = keyPair({ type: 'ec', namedCurve: 'P-256' }).privateKey;
    const forge = (i: number) =>
      new SignJWT({ iss: ISSUER, aud: AUDIENCE, sub: 'alice', jti: `f-${i}`, role: 'admin' })
        .setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'JWT' })
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(attackerKey);
    const alice = await signed('alice');

    // Act: 50 forged requests on denied routes, and alice's own 4 denials (under the threshold).
    const forged = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => get(`/api/other/${i}`, await forge(i))),
    );
    const own = [];
    for (let i = 0; i < 4; i++) own.push(await get('/api/other', alice));

    // Assess: given the pipeline as long as a real spike needs, alice is still in.
    await new Promise((r) => setTimeout(r, CONTRACT_MS));
    expect(new Set(forged)).toEqual(new Set([401]));
    expect(own).toEqual([403, 403, 403, 403]);
    expect(await get('/api/profile', alice)).toBe(200);
    expect(revocations().filter((r) => r.subject === 'alice')).toEqual([]);
    expect(
      events().filter(
        (e) =>
          (e.detail as { subject?: string }).subject === 'alice' &&
          e['detail-type'] !== 'Authorization Decision',
      ),
    ).toEqual([]);
  });

  it('keeps the revocation across a gateway restart', async () => {
    await stopProcess(gateway.child);
    gateway = await serve();
    expect(await Promise.all(mallory.map((t) => get('/api/profile', t)))).toEqual([401, 401]);
    expect(await get('/api/profile', await signed('bob'))).toBe(200);
  });
});

import { decodeProtectedHeader } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Authorizer } from '../../functions/core/authorizer.ts';
import type { RotationDeps } from '../../functions/key-rotation/executor.ts';
import { KmsTokenSigner } from '../../functions/signing/kms-signer.ts';
import { type KeyPolicyPrincipals, signingKeyPolicy } from '../../functions/workload-keys/key-policy.ts';
import { TOKEN_ISSUER } from '../support/token-service.ts';
import { Crash, crashAfterChange, T0 } from './helpers.ts';
import { startWorld, type World } from './world.ts';

const GRACE = 900 + 30 + 60;
const JWKS_MAX_AGE = 300;

interface Drive {
  /** Valid tokens that did not verify: must stay empty. */
  readonly failures: string[];
  /** Per generation, the distinct states it went through, in order (`deleted` = PendingDeletion in KMS). */
  readonly timeline: Map<number, string[]>;
  /** Rotation runs that crashed. */
  crashes: number;
}

/**
 * Moves the clock in `step`-second ticks until `until`. Every tick: `POST /token` mints a token,
 * and every token still inside `exp` + tolerance is verified by `verifier` (its JWKS cache on the
 * same clock). Every `scheduleEvery` seconds the scheduled rotation runs, through `wrap(run)`.
 */
async function drive(
  world: World,
  verifier: Authorizer,
  options: {
    until: number;
    step?: number;
    scheduleEvery?: number;
    wrap?: (crashesSoFar: number, lastRunCrashed: boolean) => (d: RotationDeps) => RotationDeps;
  },
  drive: Drive = { failures: [], timeline: new Map(), crashes: 0 },
): Promise<Drive> {
  const step = options.step ?? 300;
  const every = options.scheduleEvery ?? 900;
  const live: { token: string; exp: number }[] = [];
  let lastRun = Number.NEGATIVE_INFINITY;
  let crashed = false;
  while (world.now < options.until) {
    if (world.now - lastRun >= every) {
      lastRun = world.now;
      try {
        await world.rotate({ kind: 'scheduled' }, options.wrap?.(drive.crashes, crashed));
        crashed = false;
      } catch (error) {
        if (!(error instanceof Crash)) throw error;
        crashed = true;
        drive.crashes++;
      }
      // Key states change only in rotation runs: the timeline is read after each.
      const state = await world.state();
      for (const key of state.keys) record(drive.timeline, key.generation, key.status);
      for (const removed of state.removed) {
        if (world.kms.keyState(removed.keyId) === 'PendingDeletion')
          record(drive.timeline, removed.generation, 'deleted');
      }
    }
    const response = await world.requestToken();
    if (response.statusCode !== 200)
      drive.failures.push(`t+${world.now - T0}: POST /token answered ${response.body}`);
    else live.push({ token: JSON.parse(response.body).token, exp: JSON.parse(response.body).expiresAt });
    while (live.length && world.now > (live[0]?.exp ?? 0) + 30) live.shift();
    for (const { token } of live) {
      const verdict = await world.verify(verifier, token);
      if (verdict !== '200 allowed')
        drive.failures.push(`t+${world.now - T0}: ${decodeProtectedHeader(token).kid}: ${verdict}`);
    }
    world.now += step;
  }
  return drive;
}

function record(timeline: Map<number, string[]>, generation: number, status: string): void {
  const seen = timeline.get(generation) ?? [];
  if (seen.at(-1) !== status) seen.push(status);
  timeline.set(generation, seen);
}

describe('key rotation end to end (KMS double, DynamoDB in dynalite, JWKS over HTTP)', () => {
  let world: World;
  beforeEach(async () => {
    world = await startWorld();
  });
  afterEach(() => world.close());

  it('rotates next → active → retired → deleted with zero failed verifications, then rejects the old key', async () => {
    // Prepare: the first key, and a token pinned to it that outlives its key's grace (exp 6 h).
    await world.rotate();
    const first = (await world.state()).keys[0];
    if (!first) throw new Error('no first key');
    const pinned = new KmsTokenSigner({ client: world.kms.client(), keyAlias: first.keyId });
    const longLived = await pinned.sign({
      iss: TOKEN_ISSUER,
      sub: 'spiffe://example.test/dev/orders',
      aud: 'zt-api',
      iat: T0,
      exp: T0 + 21_600,
      jti: 'long',
    });
    const verifier = world.newVerifier();
    const jwks = await fetch(`${world.jwksApi.url}/.well-known/jwks.json`);

    // Act: two full periods and a grace: generation 2 goes through its whole life.
    const result = await drive(world, verifier, { until: T0 + 2 * 14_400 + 3600 + GRACE + 2 * JWKS_MAX_AGE });
    const state = await world.state();
    const removedFirst = state.removed.find((k) => k.generation === 1);
    const retiredFirstAt = removedFirst ? removedFirst.removedAt : Number.NaN;

    // Assess
    expect(jwks.headers.get('cache-control')).toBe(`public, max-age=${JWKS_MAX_AGE}`);
    expect(result.failures).toEqual([]);
    expect(result.timeline.get(1)).toEqual(['active', 'retired', 'deleted']);
    expect(result.timeline.get(2)).toEqual(['next', 'active', 'retired', 'deleted']);
    expect(result.timeline.get(3)).toEqual(['next', 'active']);
    expect(world.kms.keyState(first.keyId)).toBe('PendingDeletion');
    expect(world.kms.keyPolicy(first.keyId)).toBe(
      signingKeyPolicy(world.config.signing.keyPolicy as KeyPolicyPrincipals),
    );
    expect(retiredFirstAt).toBeGreaterThan(T0);
    expect(await world.verify(verifier, longLived)).toBe('401 unknown_key');
    expect(await world.verify(world.newVerifier(), longLived)).toBe('401 unknown_key');
  });

  it('keeps every token valid when every step first crashes half-way, and leaves no orphan key', async () => {
    // Prepare: a run crashes right after its 1st, 2nd or 3rd change (KMS call or state write),
    // cycling; the run after a crash is clean, so each step is interrupted once and resumed a
    // schedule later, while tokens keep being minted and verified on the half-done state.
    const wrap =
      (crashes: number, lastRunCrashed: boolean) =>
      (deps: RotationDeps): RotationDeps =>
        lastRunCrashed ? deps : crashAfterChange(deps, (crashes % 3) + 1);
    await world.rotate();
    const verifier = world.newVerifier();

    // Act
    const result = await drive(world, verifier, {
      until: T0 + 2 * 14_400 + 3600 + GRACE + 900,
      scheduleEvery: 600,
      wrap,
    });
    const state = await world.state();

    // Assess
    expect(result.crashes).toBeGreaterThanOrEqual(4);
    expect(result.failures).toEqual([]);
    expect(result.timeline.get(2)).toEqual(['next', 'active', 'retired', 'deleted']);
    expect(state.creating).toBeUndefined();
    // Every key KMS holds is one the state recorded: a crash after CreateKey was recovered by tag.
    expect(world.kms.keyIds().length).toBe(state.generation);
  });
});

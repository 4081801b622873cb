import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type RotationDeps, runRotation } from '../../functions/key-rotation/executor.ts';
import { jwksDocument, type RotationState } from '../../functions/workload-keys/state.ts';
import { MemoryRotationStateStore } from '../../functions/workload-keys/state-store.ts';
import { Crash, crashAfterCall, MemoryKeyManager, T0, TIMING } from './helpers.ts';

const ALIAS = 'alias/zta-test';
const JWKS_MAX_AGE = 300;

type Op =
  | { kind: 'advance'; seconds: number }
  | {
      kind: 'run';
      request: 'scheduled' | 'rotate';
      crash: { target: 'kms' | 'store'; afterCall: number } | null;
    };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    kind: fc.constant('advance' as const),
    seconds: fc.oneof(fc.integer({ min: 1, max: 90 }), fc.integer({ min: 1, max: 2400 })),
  }),
  fc.record({
    kind: fc.constant('run' as const),
    request: fc.constantFrom('scheduled' as const, 'scheduled' as const, 'rotate' as const),
    crash: fc.option(
      fc.record({
        target: fc.constantFrom('kms' as const, 'store' as const),
        afterCall: fc.integer({ min: 1, max: 4 }),
      }),
    ),
  }),
);

/**
 * A model world: the real executor and planner over in-memory KMS and state, a signer that
 * caches the alias for `signerCacheSeconds`, and a verifier that caches the JWKS for its
 * max-age and never refetches early (stricter than the real cache, which refetches on an
 * unknown kid). Every token stays checked until it expires.
 */
async function simulate(
  ops: readonly Op[],
): Promise<{ failures: string[]; tokens: number; rotations: number }> {
  const kms = new MemoryKeyManager();
  const store = new MemoryRotationStateStore();
  let now = T0;
  const settings = { rotationId: 'prop', aliasName: ALIAS, timing: TIMING, pendingWindowDays: 7 };
  const deps = (crash: Op & { kind: 'run' }): RotationDeps => ({
    keys:
      crash.crash?.target === 'kms'
        ? crashAfterCall(
            kms,
            ['createKey', 'pointAlias', 'disableAndScheduleDeletion'],
            crash.crash.afterCall,
          )
        : kms,
    store: crash.crash?.target === 'store' ? crashAfterCall(store, ['save'], crash.crash.afterCall) : store,
    settings,
    clock: () => now,
  });
  const signer = { keyId: '', kid: '', resolvedAt: Number.NEGATIVE_INFINITY };
  let jwks = { kids: new Set<string>(), fetchedAt: Number.NEGATIVE_INFINITY };
  const tokens: { kid: string; exp: number }[] = [];
  const failures: string[] = [];
  let minted = 0;
  const state = (): Promise<RotationState> => store.load('prop');

  const tick = async () => {
    if (now - signer.resolvedAt >= TIMING.signerCacheSeconds) {
      const keyId = kms.aliases.get(ALIAS) as string;
      signer.kid = (await kms.publicJwk(keyId)).kid;
      Object.assign(signer, { keyId, resolvedAt: now });
    }
    tokens.push({ kid: signer.kid, exp: now + TIMING.maxTokenTtlSeconds });
    minted++;
    if (now - jwks.fetchedAt > JWKS_MAX_AGE) {
      jwks = {
        kids: new Set(jwksDocument(await state(), now, TIMING).keys.map((k) => k.kid)),
        fetchedAt: now,
      };
    }
    while (tokens.length && now > (tokens[0] as { exp: number }).exp + TIMING.clockToleranceSeconds)
      tokens.shift();
    for (const token of tokens) {
      if (!jwks.kids.has(token.kid))
        failures.push(
          `t+${now - T0}: token of ${token.kid} (exp t+${token.exp - T0}) not in the cached JWKS`,
        );
    }
    // The key that signs is never disabled under the signer.
    if (kms.keys.get(kms.aliases.get(ALIAS) as string)?.state !== 'Enabled')
      failures.push(`t+${now - T0}: alias on a disabled key`);
  };

  await runRotation(deps({ kind: 'run', request: 'scheduled', crash: null }), { kind: 'scheduled' });
  await tick();
  for (const next of ops) {
    if (next.kind === 'advance') {
      // Sample densely: a token is minted and every live token verified every 20 s of time.
      const end = now + next.seconds;
      while (now < end) {
        now = Math.min(end, now + 20);
        await tick();
      }
      continue;
    }
    try {
      await runRotation(deps(next), { kind: next.request });
    } catch (error) {
      if (!(error instanceof Crash)) throw error;
    }
    await tick();
  }
  return { failures, tokens: minted, rotations: (await state()).generation };
}

describe('rotation under random time, on-demand rotations and crashes (model)', () => {
  it('never fails a valid token, never disables the signing key, and keeps the state well-formed', async () => {
    let rotations = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 20, maxLength: 80 }), async (ops) => {
        const result = await simulate(ops);
        rotations += result.rotations;
        expect(result.failures).toEqual([]);
      }),
      { numRuns: 60, endOnFailure: true },
    );
    // The runs must really rotate, or the property proves nothing.
    expect(rotations).toBeGreaterThan(60 * 2);
  });

  it('reaches the end of a full cycle on a fixed schedule despite a crash after every single call', async () => {
    // Prepare: the scheduler every 30 minutes, each run crashing after its n-th call, n = 1, 2, 3, 1, …
    const ops: Op[] = [];
    for (let i = 0; i < 40; i++) {
      ops.push({ kind: 'advance', seconds: 1800 });
      ops.push({
        kind: 'run',
        request: 'scheduled',
        crash: { target: i % 2 ? 'kms' : 'store', afterCall: (i % 3) + 1 },
      });
      ops.push({ kind: 'run', request: 'scheduled', crash: null });
    }

    // Act
    const result = await simulate(ops);

    // Assess: 40 × 30 min = 20 h = 72 000 s, so ≥ 7 rotations of a 10 000 s period.
    expect(result.failures).toEqual([]);
    expect(result.rotations).toBeGreaterThanOrEqual(7);
  });
});

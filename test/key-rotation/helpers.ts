/**
 * Rotation test helpers: a timing small enough to read, states built from short descriptions,
 * an in-memory `SigningKeyManager` with real P-256 keys (for fast property runs; the KMS double
 * covers the wire), and a crash injector.
 */
import { type KeyObject, randomUUID } from 'node:crypto';
import type { RotationDeps } from '../../functions/key-rotation/executor.ts';
import type { SigningKeyManager } from '../../functions/key-rotation/kms-keys.ts';
import { newP256PrivateKey, publicJwkOf } from '../../functions/signing/jwk.ts';
import type { RotationKey, RotationState, RotationTiming } from '../../functions/workload-keys/state.ts';

/** grace = 900 + 30 + 60 = 990 s; a key signs for 10 000 s; next keys wait 3 600 s. */
export const TIMING: RotationTiming = {
  rotationPeriodSeconds: 10_000,
  propagationDelaySeconds: 3600,
  maxTokenTtlSeconds: 900,
  clockToleranceSeconds: 30,
  signerCacheSeconds: 60,
};
export const GRACE = 990;
export const T0 = 1_767_225_600;

/** A key record; `keyId` is `key-<generation>`, the kid `kid-<generation>`. */
export function key(
  generation: number,
  status: RotationKey['status'],
  times: Partial<RotationKey> = {},
): RotationKey {
  const kid = `kid-${generation}`;
  return {
    kid,
    keyId: `key-${generation}`,
    generation,
    status,
    createdAt: T0,
    publicJwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', kid, alg: 'ES256', use: 'sig' },
    ...times,
  };
}

export function state(keys: RotationKey[], extra: Partial<RotationState> = {}): RotationState {
  return {
    id: 'test',
    version: 3,
    generation: Math.max(0, ...keys.map((k) => k.generation)),
    keys,
    removed: [],
    ...extra,
  };
}

/** In-memory KMS for the executor: real keys, alias, tags, key states. */
export class MemoryKeyManager implements SigningKeyManager {
  readonly keys = new Map<
    string,
    { privateKey: KeyObject; tag: string; state: 'Enabled' | 'Disabled' | 'PendingDeletion' }
  >();
  readonly aliases = new Map<string, string>();

  async aliasTarget(aliasName: string) {
    return this.aliases.get(aliasName);
  }
  async createKey(rotationId: string, generation: number) {
    const keyId = randomUUID();
    const privateKey = newP256PrivateKey();
    this.keys.set(keyId, { privateKey, tag: `${rotationId}#${generation}`, state: 'Enabled' });
    return keyId;
  }
  async findKey(rotationId: string, generation: number) {
    for (const [keyId, k] of this.keys)
      if (k.tag === `${rotationId}#${generation}` && k.state === 'Enabled') return keyId;
    return undefined;
  }
  async publicJwk(keyId: string) {
    const k = this.keys.get(keyId);
    if (k?.state !== 'Enabled') throw new Error(`key ${keyId} is not usable`);
    return publicJwkOf(k.privateKey);
  }
  async pointAlias(aliasName: string, keyId: string) {
    if (this.keys.get(keyId)?.state === 'PendingDeletion') throw new Error('KMSInvalidStateException');
    this.aliases.set(aliasName, keyId);
  }
  async disableAndScheduleDeletion(keyId: string) {
    const k = this.keys.get(keyId);
    if (k) k.state = 'PendingDeletion';
  }
}

/** The error a crash injector throws. */
export class Crash extends Error {
  override readonly name = 'Crash';
}

/**
 * Wraps `target` so that the `n`-th call (counting from 1) to any of `methods` completes its
 * effect and then throws `Crash`, as a Lambda killed right after a KMS or DynamoDB call would.
 */
export function crashAfterCall<T extends object>(
  target: T,
  methods: readonly (keyof T)[],
  n: number,
  counter: { calls: number } = { calls: 0 },
): T {
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const value = Reflect.get(obj, prop, receiver);
      if (typeof value !== 'function' || !methods.includes(prop as keyof T)) return value;
      return async (...args: unknown[]) => {
        const result = await value.apply(obj, args);
        if (++counter.calls === n) throw new Crash(`crashed after ${String(prop)} (call ${n})`);
        return result;
      };
    },
  });
}

/** The calls of a rotation run that change something (the reads never matter to a crash). */
export const KMS_CHANGES = ['createKey', 'pointAlias', 'disableAndScheduleDeletion'] as const;

/** `deps` whose run crashes right after its `n`-th change, in KMS or in the state store. */
export function crashAfterChange(deps: RotationDeps, n: number): RotationDeps {
  const counter = { calls: 0 };
  return {
    ...deps,
    keys: crashAfterCall(deps.keys, KMS_CHANGES, n, counter),
    store: crashAfterCall(deps.store, ['save'], n, counter),
  };
}

/**
 * The durable rotation state of one issuer's KMS signing keys, and the pure functions that read
 * it. The JWKS is a function of (state, now): a key is published from the moment it is recorded
 * as `next` until its grace period ends, unless it is marked compromised. Nothing here talks to
 * AWS; `state-store.ts` persists it, `planner.ts` decides what to change.
 */
import type { JwksDocument, KeyInfo, KeyState, PublicJwk } from '../signing/types.ts';

/** One KMS key of the rotation. */
export interface RotationKey {
  readonly kid: string;
  /** The KMS key id (a UUID), never an alias. */
  readonly keyId: string;
  /** 1 for the first key, +1 for each next key: matches the key's `zta:generation` tag. */
  readonly generation: number;
  readonly status: KeyState;
  /** When it was recorded, which is when the JWKS started publishing it (epoch seconds). */
  readonly createdAt: number;
  readonly activatedAt?: number;
  readonly retiredAt?: number;
  /** Set by an emergency rotation: the key leaves the JWKS at once. */
  readonly compromisedAt?: number;
  readonly publicJwk: PublicJwk;
}

/** A key that left the rotation (disabled and scheduled for deletion in KMS). */
export interface RemovedKey {
  readonly kid: string;
  readonly keyId: string;
  readonly generation: number;
  readonly removedAt: number;
  readonly reason: 'expired' | 'compromised';
}

export interface RotationState {
  /** The item key: one rotation per issuer and environment. */
  readonly id: string;
  /** Optimistic-concurrency version: 0 before the first save, +1 on every save. */
  readonly version: number;
  /** The highest generation recorded so far. */
  readonly generation: number;
  /**
   * Set before `CreateKey` is called and cleared when the key is recorded: if the rotator
   * crashes in between, the next run knows a key with this generation may exist in KMS and
   * looks for it by its tags instead of creating another one.
   */
  readonly creating?: { readonly generation: number; readonly startedAt: number };
  readonly keys: readonly RotationKey[];
  /** The last few removed keys, newest last, for audit. */
  readonly removed: readonly RemovedKey[];
}

/** The timing every decision about publishing and removing keys depends on (seconds). */
export interface RotationTiming {
  /** How long a key stays active before its successor takes over. */
  readonly rotationPeriodSeconds: number;
  /** How long a next key is published before it signs: longer than any JWKS cache. */
  readonly propagationDelaySeconds: number;
  /** The longest token lifetime the service issues. */
  readonly maxTokenTtlSeconds: number;
  /** The verifiers' clock tolerance on `exp`. */
  readonly clockToleranceSeconds: number;
  /** How long a signer may keep using the old key after the alias moved. */
  readonly signerCacheSeconds: number;
}

/**
 * How long a retired key stays published: a token it signed just before the signer noticed the
 * alias move lives `maxTokenTtl` more seconds, and verifiers accept it `clockTolerance` longer.
 */
export function graceSeconds(timing: RotationTiming): number {
  return timing.maxTokenTtlSeconds + timing.clockToleranceSeconds + timing.signerCacheSeconds;
}

/** The state of an issuer that has never rotated. */
export function emptyState(id: string): RotationState {
  return { id, version: 0, generation: 0, keys: [], removed: [] };
}

/** Whether `key` may verify tokens at `now`. */
export function isPublished(key: RotationKey, now: number, timing: RotationTiming): boolean {
  if (key.compromisedAt !== undefined) return false;
  if (key.status !== 'retired') return true;
  return now <= (key.retiredAt ?? 0) + graceSeconds(timing);
}

/** The keys the JWKS publishes at `now`: next, active, and retired within grace; never a compromised key. */
export function publishedKeys(state: RotationState, now: number, timing: RotationTiming): RotationKey[] {
  return state.keys.filter((k) => isPublished(k, now, timing));
}

/** The public JWKS document of the published keys, newest generation first. */
export function jwksDocument(state: RotationState, now: number, timing: RotationTiming): JwksDocument {
  const keys = publishedKeys(state, now, timing).sort((a, b) => b.generation - a.generation);
  return { keys: keys.map((k) => k.publicJwk) };
}

/** The `SigningKeyStore` view of a key. */
export function keyInfo(key: RotationKey, timing: RotationTiming): KeyInfo {
  return {
    kid: key.kid,
    state: key.status,
    createdAt: key.createdAt,
    ...(key.activatedAt === undefined ? {} : { activatedAt: key.activatedAt }),
    ...(key.retiredAt === undefined
      ? {}
      : { retiredAt: key.retiredAt, verifiesUntil: key.retiredAt + graceSeconds(timing) }),
  };
}

/** Thrown when a stored item is not a rotation state: a corrupt store must stop rotation, not reset it. */
export class CorruptStateError extends Error {
  override readonly name = 'CorruptStateError';
}

const STATES: readonly KeyState[] = ['next', 'active', 'retired'];

/** Checks the shape of a state read from storage. */
export function parseRotationState(item: Record<string, unknown>): RotationState {
  const fail = (what: string): never => {
    throw new CorruptStateError(`rotation state ${JSON.stringify(item.id)}: ${what}`);
  };
  const int = (value: unknown, what: string): number =>
    typeof value === 'number' && Number.isInteger(value) && value >= 0
      ? value
      : fail(`${what} is not a count`);
  if (typeof item.id !== 'string') fail('id is not a string');
  if (!Array.isArray(item.keys) || !Array.isArray(item.removed)) fail('keys/removed are not lists');
  const keys = (item.keys as Record<string, unknown>[]).map((k, i) => {
    const jwk = k.publicJwk as Record<string, unknown> | undefined;
    if (typeof k.kid !== 'string' || typeof k.keyId !== 'string') fail(`keys[${i}] has no kid/keyId`);
    if (!STATES.includes(k.status as KeyState)) fail(`keys[${i}].status ${JSON.stringify(k.status)}`);
    if (jwk?.kid !== k.kid || jwk?.kty !== 'EC' || jwk?.crv !== 'P-256' || 'd' in jwk)
      fail(`keys[${i}].publicJwk is not the public P-256 key of ${String(k.kid)}`);
    int(k.generation, `keys[${i}].generation`);
    int(k.createdAt, `keys[${i}].createdAt`);
    return k as unknown as RotationKey;
  });
  const count = (s: KeyState) => keys.filter((k) => k.status === s).length;
  if (count('active') > 1 || count('next') > 1) fail('more than one active or next key');
  const creating = item.creating as RotationState['creating'] | undefined;
  return {
    id: item.id as string,
    version: int(item.version, 'version'),
    generation: int(item.generation, 'generation'),
    ...(creating ? { creating } : {}),
    keys,
    removed: item.removed as RemovedKey[],
  };
}

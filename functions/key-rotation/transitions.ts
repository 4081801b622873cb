/**
 * Pure state changes, one per executor step. Each returns a new state (the version is the one
 * it was derived from; the store's conditional write bumps it), so a step written twice, or
 * written after someone else's step, is caught by the store rather than merged.
 */
import type { PublicJwk } from '../signing/types.ts';
import type { RemovedKey, RotationKey, RotationState } from '../workload-keys/state.ts';

/** How many removed keys the state remembers. */
const REMOVED_HISTORY = 10;

/** Records that generation `generation` is about to be created in KMS. */
export function withCreating(state: RotationState, generation: number, now: number): RotationState {
  return { ...state, creating: { generation, startedAt: now } };
}

/** Records a created key as `next`: from this write on, the JWKS publishes it. */
export function withNextKey(
  state: RotationState,
  key: { keyId: string; generation: number; publicJwk: PublicJwk },
  now: number,
): RotationState {
  const { creating: _done, ...rest } = state;
  const next: RotationKey = {
    kid: key.publicJwk.kid,
    keyId: key.keyId,
    generation: key.generation,
    status: 'next',
    createdAt: now,
    publicJwk: key.publicJwk,
  };
  return { ...rest, generation: Math.max(state.generation, key.generation), keys: [...state.keys, next] };
}

/**
 * `kid` becomes active and the previous active key retired. `retiredAt` is the time of this
 * write, which is never earlier than the alias move: the grace period can only be longer than
 * needed, never shorter.
 */
export function withActivated(state: RotationState, kid: string, now: number): RotationState {
  return {
    ...state,
    keys: state.keys.map((k): RotationKey => {
      if (k.kid === kid) return { ...k, status: 'active', activatedAt: now };
      if (k.status === 'active') return { ...k, status: 'retired', retiredAt: now };
      return k;
    }),
  };
}

/** Marks `kid` compromised: the JWKS stops publishing it with this write. */
export function withCompromised(state: RotationState, kid: string, now: number): RotationState {
  return {
    ...state,
    keys: state.keys.map((k) =>
      k.kid === kid && k.compromisedAt === undefined ? { ...k, compromisedAt: now } : k,
    ),
  };
}

/** Forgets `kid` after KMS disabled it and scheduled its deletion. */
export function withRemoved(state: RotationState, kid: string, now: number): RotationState {
  const key = state.keys.find((k) => k.kid === kid);
  if (!key) return state;
  const removed: RemovedKey = {
    kid,
    keyId: key.keyId,
    generation: key.generation,
    removedAt: now,
    reason: key.compromisedAt === undefined ? 'expired' : 'compromised',
  };
  return {
    ...state,
    keys: state.keys.filter((k) => k.kid !== kid),
    removed: [...state.removed, removed].slice(-REMOVED_HISTORY),
  };
}

/**
 * The rotation executor: performs ONE planned action against KMS and the state store, then the
 * runner plans again from what is really there. Every action is safe to repeat and safe to
 * interrupt, because the state write that makes a change visible always comes after the KMS
 * call it depends on, and the planner recognises every half-done step:
 *
 * - create-next: `creating` marker written → CreateKey (tagged) → key recorded as `next`. A crash
 *   after CreateKey leaves the marker; the next run finds the key by its tags and records it.
 * - activate: alias moved → state written. A crash in between leaves the alias on a key that is
 *   already published; the planner sees the alias on `next` and finishes the activation.
 * - remove: DisableKey + ScheduleKeyDeletion (each skipped when already done) → state written.
 *   The key left the JWKS when its grace ended (or when it was marked compromised), not here.
 * - mark-compromised: one state write.
 *
 * A concurrent run loses the conditional write (`StateConflictError`) and re-plans.
 */
import type { KeyInfo } from '../signing/types.ts';
import {
  keyInfo,
  type RotationKey,
  type RotationState,
  type RotationTiming,
} from '../workload-keys/state.ts';
import { type RotationStateStore, StateConflictError } from '../workload-keys/state-store.ts';
import type { SigningKeyManager } from './kms-keys.ts';
import { planNextAction, type RotationAction, type RotationRequest } from './planner.ts';
import { withActivated, withCompromised, withCreating, withNextKey, withRemoved } from './transitions.ts';

export interface RotationSettings {
  /** The state item's id and the keys' `zta:rotation-id` tag, e.g. `zta-token-dev`. */
  readonly rotationId: string;
  /** The alias the signer follows, e.g. `alias/zta-token-dev`. */
  readonly aliasName: string;
  readonly timing: RotationTiming;
  /** KMS waiting period before a removed key is deleted (7–30 days). */
  readonly pendingWindowDays: number;
}

export interface RotationDeps {
  readonly keys: SigningKeyManager;
  readonly store: RotationStateStore;
  readonly settings: RotationSettings;
  /** Epoch seconds. */
  readonly clock: () => number;
  /** Told about each action before it runs. @default - nothing */
  readonly onAction?: (action: RotationAction) => void;
}

/** What a run asks for; an emergency without `kid` means the key that is active when it starts. */
export type RunRequest =
  | { readonly kind: 'scheduled' }
  | { readonly kind: 'rotate' }
  | { readonly kind: 'emergency'; readonly kid?: string };

export interface RotationReport {
  /** The actions performed, in order. */
  readonly performed: readonly RotationAction[];
  /** Why the run stopped: `idle` (nothing due until `nextDueAt`) or `refuse`. */
  readonly outcome: Extract<RotationAction, { kind: 'idle' | 'refuse' }>;
  /** The keys as they are now, published or not. */
  readonly keys: readonly (KeyInfo & { readonly generation: number; readonly compromised: boolean })[];
}

export interface RunOptions {
  /** @default 8 (an emergency with cleanup needs 4) */
  readonly maxSteps?: number;
  /** @default 3 */
  readonly maxConflicts?: number;
}

/** Plans and executes until nothing is due. Throws when an action fails: the next run resumes. */
export async function runRotation(
  deps: RotationDeps,
  run: RunRequest,
  options: RunOptions = {},
): Promise<RotationReport> {
  const { store, keys, settings } = deps;
  const performed: RotationAction[] = [];
  let conflicts = 0;
  let request: RotationRequest | undefined =
    run.kind === 'emergency' && run.kid ? { kind: 'emergency', kid: run.kid } : undefined;
  for (let step = 0; step <= (options.maxSteps ?? 8); ) {
    const state = await store.load(settings.rotationId);
    request ??= resolveRequest(run, state);
    const action: RotationAction = request
      ? planNextAction({
          state,
          aliasTarget: await keys.aliasTarget(settings.aliasName),
          now: deps.clock(),
          timing: settings.timing,
          request,
        })
      : { kind: 'refuse', code: 'no_active_key', detail: 'an emergency without kid needs an active key' };
    if (action.kind === 'idle' || action.kind === 'refuse') {
      return { performed, outcome: action, keys: state.keys.map((k) => describe(k, settings.timing)) };
    }
    deps.onAction?.(action);
    try {
      await executeAction(deps, state, action);
      performed.push(action);
      step++;
    } catch (error) {
      if (!(error instanceof StateConflictError) || ++conflicts > (options.maxConflicts ?? 3)) throw error;
    }
  }
  throw new Error(`rotation ${settings.rotationId} did not settle in ${options.maxSteps ?? 8} steps`);
}

/** Performs one action on `state` (as loaded); returns the state as stored afterwards. */
export async function executeAction(
  deps: RotationDeps,
  state: RotationState,
  action: RotationAction,
): Promise<RotationState> {
  const { keys, store, settings, clock } = deps;
  switch (action.kind) {
    case 'create-next': {
      const g = action.generation;
      let current = state;
      let keyId: string | undefined;
      if (state.creating?.generation === g) keyId = await keys.findKey(settings.rotationId, g);
      else current = await store.save(withCreating(state, g, clock()));
      keyId ??= await keys.createKey(settings.rotationId, g);
      const publicJwk = await keys.publicJwk(keyId);
      return store.save(withNextKey(current, { keyId, generation: g, publicJwk }, clock()));
    }
    case 'activate': {
      const key = keyOf(state, action.kid);
      await keys.pointAlias(settings.aliasName, key.keyId);
      return store.save(withActivated(state, key.kid, clock()));
    }
    case 'repair-alias':
      await keys.pointAlias(settings.aliasName, keyOf(state, action.kid).keyId);
      return state;
    case 'mark-compromised':
      return store.save(withCompromised(state, action.kid, clock()));
    case 'remove': {
      const key = keyOf(state, action.kid);
      // Last line of defence against a corrupt state: never disable the key that signs.
      if ((await keys.aliasTarget(settings.aliasName)) === key.keyId) {
        throw new Error(`refusing to remove ${key.kid}: the alias ${settings.aliasName} points at it`);
      }
      await keys.disableAndScheduleDeletion(key.keyId, settings.pendingWindowDays);
      return store.save(withRemoved(state, key.kid, clock()));
    }
    case 'idle':
    case 'refuse':
      return state;
    default:
      return assertNever(action);
  }
}

function resolveRequest(run: RunRequest, state: RotationState): RotationRequest | undefined {
  if (run.kind !== 'emergency') return run;
  const kid = run.kid ?? state.keys.find((k) => k.status === 'active')?.kid;
  return kid === undefined ? undefined : { kind: 'emergency', kid };
}

function keyOf(state: RotationState, kid: string): RotationKey {
  const key = state.keys.find((k) => k.kid === kid);
  if (!key) throw new Error(`rotation ${state.id} has no key ${kid}`);
  return key;
}

function describe(key: RotationKey, timing: RotationTiming) {
  return {
    ...keyInfo(key, timing),
    generation: key.generation,
    compromised: key.compromisedAt !== undefined,
  };
}

function assertNever(value: never): never {
  throw new TypeError(`unhandled rotation action ${JSON.stringify(value)}`);
}

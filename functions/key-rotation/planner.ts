/**
 * The rotation planner: a pure function of (state, where the alias points, now, timing, request)
 * that names the ONE next thing to do. The executor performs it and asks again, so a crash or a
 * repeated run simply re-plans from what is really there.
 *
 * Timeline of a key: created and recorded as `next` (published) → after the propagation delay,
 * the alias moves to it and it becomes `active` (the previous active key becomes `retired`) →
 * once the grace period after its retirement has passed, it is disabled and scheduled for
 * deletion. An emergency marks a key compromised (the JWKS drops it at once), activates a
 * replacement without waiting for propagation, and removes the compromised key.
 */
import {
  graceSeconds,
  type RotationKey,
  type RotationState,
  type RotationTiming,
} from '../workload-keys/state.ts';

/** Why the rotator runs. */
export type RotationRequest =
  /** The schedule: do whatever the timeline says is due. */
  | { readonly kind: 'scheduled' }
  /** On demand: start a rotation now (create the next key) even if the active key is not due. */
  | { readonly kind: 'rotate' }
  /**
   * Incident: retire `kid` at once. The kid is fixed when the incident is declared (the runner
   * resolves "the active key" once), so the replacement is never mistaken for the compromised key.
   */
  | { readonly kind: 'emergency'; readonly kid: string };

export type RotationAction =
  | {
      readonly kind: 'create-next';
      readonly generation: number;
      readonly why: 'bootstrap' | 'due' | 'requested' | 'emergency';
    }
  | {
      readonly kind: 'activate';
      readonly kid: string;
      readonly why: 'bootstrap' | 'due' | 'resume' | 'emergency';
    }
  /** The alias does not point at the active key (a lost race or a manual change): point it back. */
  | { readonly kind: 'repair-alias'; readonly kid: string }
  | { readonly kind: 'mark-compromised'; readonly kid: string }
  | { readonly kind: 'remove'; readonly kid: string; readonly why: 'expired' | 'compromised' }
  | { readonly kind: 'idle'; readonly nextDueAt: number | undefined }
  | { readonly kind: 'refuse'; readonly code: 'unknown_kid' | 'no_active_key'; readonly detail: string };

export interface PlanInput {
  readonly state: RotationState;
  /** The KMS key id the signing alias points to now; undefined when the alias does not exist. */
  readonly aliasTarget: string | undefined;
  /** Epoch seconds. */
  readonly now: number;
  readonly timing: RotationTiming;
  readonly request: RotationRequest;
}

/** The next action. Total: every input gets an answer, never an exception. */
export function planNextAction(input: PlanInput): RotationAction {
  const { state, aliasTarget, now, timing, request } = input;
  const active = state.keys.find((k) => k.status === 'active');
  const next = state.keys.find((k) => k.status === 'next');
  const nextGeneration = state.generation + 1;

  if (request.kind === 'emergency') {
    const kid = request.kid;
    const target = state.keys.find((k) => k.kid === kid);
    if (!target) {
      if (state.removed.some((k) => k.kid === kid)) return idle(state, next, active, now, timing);
      return { kind: 'refuse', code: 'unknown_kid', detail: `no key ${kid} in rotation ${state.id}` };
    }
    if (target.compromisedAt === undefined) return { kind: 'mark-compromised', kid };
  }

  // The alias already moved but the state was not written (a crash mid-activation): finish it.
  // The signer is signing with this key already, and it is published, so no waiting.
  if (next && next.compromisedAt === undefined && aliasTarget === next.keyId) {
    return { kind: 'activate', kid: next.kid, why: 'resume' };
  }

  // Compromised keys that no longer sign go first; a compromised signing key needs a replacement.
  const signing = (k: RotationKey) => k.status === 'active' || k.keyId === aliasTarget;
  const stray = state.keys.find((k) => k.compromisedAt !== undefined && !signing(k));
  if (stray) return { kind: 'remove', kid: stray.kid, why: 'compromised' };
  if (state.keys.some((k) => k.compromisedAt !== undefined)) {
    return next
      ? { kind: 'activate', kid: next.kid, why: 'emergency' }
      : { kind: 'create-next', generation: nextGeneration, why: 'emergency' };
  }

  if (!active) {
    return next
      ? { kind: 'activate', kid: next.kid, why: 'bootstrap' }
      : { kind: 'create-next', generation: nextGeneration, why: 'bootstrap' };
  }
  if (aliasTarget !== active.keyId) return { kind: 'repair-alias', kid: active.kid };

  if (next && now >= next.createdAt + timing.propagationDelaySeconds) {
    return { kind: 'activate', kid: next.kid, why: 'due' };
  }
  const expired = state.keys.find(
    (k) => k.status === 'retired' && now > (k.retiredAt ?? 0) + graceSeconds(timing),
  );
  if (expired) return { kind: 'remove', kid: expired.kid, why: 'expired' };
  if (!next) {
    if (request.kind === 'rotate')
      return { kind: 'create-next', generation: nextGeneration, why: 'requested' };
    if (now >= nextKeyDueAt(active, timing))
      return { kind: 'create-next', generation: nextGeneration, why: 'due' };
  }
  return idle(state, next, active, now, timing);
}

/** When the successor of `active` is created: one propagation delay before it must sign. */
function nextKeyDueAt(active: RotationKey, timing: RotationTiming): number {
  return (
    (active.activatedAt ?? active.createdAt) + timing.rotationPeriodSeconds - timing.propagationDelaySeconds
  );
}

function idle(
  state: RotationState,
  next: RotationKey | undefined,
  active: RotationKey | undefined,
  now: number,
  timing: RotationTiming,
): RotationAction {
  const due: number[] = [];
  if (next) due.push(next.createdAt + timing.propagationDelaySeconds);
  else if (active) due.push(nextKeyDueAt(active, timing));
  for (const k of state.keys) {
    if (k.status === 'retired') due.push((k.retiredAt ?? 0) + graceSeconds(timing) + 1);
  }
  const future = due.filter((t) => t > now);
  return { kind: 'idle', nextDueAt: future.length ? Math.min(...future) : undefined };
}

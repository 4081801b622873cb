/**
 * The two ways the rotator is invoked, over the same executor: on a schedule (EventBridge
 * Scheduler, every hour or so: it does only what the timeline says is due) and on demand
 * (`aws lambda invoke`, for an operator or an incident).
 *
 * On-demand input: `{ "action": "rotate" }` starts a rotation now (the new key still waits the
 * propagation delay before it signs), `{ "action": "emergency", "kid"?: "<kid>" }` retires the
 * given key (default: the active key) at once, `{ "action": "status" }` changes nothing and
 * says what the next step would be. Anything else is refused with an `InvalidRotationRequest`.
 */

import { keyInfo } from '../workload-keys/state.ts';
import { type RotationDeps, type RotationReport, type RunRequest, runRotation } from './executor.ts';
import type { RotationAction } from './planner.ts';
import { planNextAction } from './planner.ts';

export type OnDemandRequest = RunRequest | { readonly kind: 'status' };

/** A malformed on-demand invocation. */
export class InvalidRotationRequest extends Error {
  override readonly name = 'InvalidRotationRequest';
}

/** The on-demand event as a request. Throws `InvalidRotationRequest`. */
export function parseOnDemandRequest(event: unknown): OnDemandRequest {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new InvalidRotationRequest('expected {"action": "rotate" | "emergency" | "status", "kid"?: "..."}');
  }
  const { action, kid, ...rest } = event as Record<string, unknown>;
  const extra = Object.keys(rest)[0];
  if (extra !== undefined) throw new InvalidRotationRequest(`unknown member ${JSON.stringify(extra)}`);
  if (kid !== undefined && (typeof kid !== 'string' || kid === '' || action !== 'emergency')) {
    throw new InvalidRotationRequest('kid must be a non-empty string, and only with "emergency"');
  }
  switch (action) {
    case 'rotate':
      return { kind: 'rotate' };
    case 'status':
      return { kind: 'status' };
    case 'emergency':
      return kid === undefined ? { kind: 'emergency' } : { kind: 'emergency', kid: kid as string };
    default:
      throw new InvalidRotationRequest(
        `action must be "rotate", "emergency" or "status", got ${JSON.stringify(action)}`,
      );
  }
}

export interface StatusReport {
  readonly nextAction: RotationAction;
  readonly keys: RotationReport['keys'];
}

/** What the scheduled run would do now, without doing it. */
export async function rotationStatus(deps: RotationDeps): Promise<StatusReport> {
  const { settings } = deps;
  const state = await deps.store.load(settings.rotationId);
  const nextAction = planNextAction({
    state,
    aliasTarget: await deps.keys.aliasTarget(settings.aliasName),
    now: deps.clock(),
    timing: settings.timing,
    request: { kind: 'scheduled' },
  });
  const keys = state.keys.map((k) => ({
    ...keyInfo(k, settings.timing),
    generation: k.generation,
    compromised: k.compromisedAt !== undefined,
  }));
  return { nextAction, keys };
}

/** Runs the scheduled timeline. Throws on failure so the scheduler retries (and alarms). */
export function scheduledRotation(deps: RotationDeps): Promise<RotationReport> {
  return runRotation(deps, { kind: 'scheduled' });
}

/** Runs an on-demand invocation. */
export async function onDemandRotation(
  deps: RotationDeps,
  event: unknown,
): Promise<RotationReport | StatusReport> {
  const request = parseOnDemandRequest(event);
  return request.kind === 'status' ? rotationStatus(deps) : runRotation(deps, request);
}

/**
 * The shape of a table row in the security suite, and how one is decided. A row names the
 * attack and the exact outcome; the runner asserts DENY with that status and reason, and that
 * the Lambda answer matches (401 → the thrown `Unauthorized`, 403 → an explicit Deny).
 */
import type { DecisionOutcome } from '../../functions/core/authorizer.ts';
import type { DenyReason } from '../../functions/core/reasons.ts';
import type { TestAuthorizer } from './authorizer.ts';
import { bearerEvent, type World } from './world.ts';

export interface DenyCase {
  readonly name: string;
  /** Sent as `Authorization: Bearer <token>` in a REST REQUEST event for `GET <route>`. */
  readonly token?: string;
  /** @default '/api/profile' */
  readonly route?: string;
  /** A whole event instead of `token`. */
  readonly event?: unknown;
  /** @default the world's default authorizer */
  readonly authorizer?: TestAuthorizer;
  /** Epoch seconds. @default NOW */
  readonly now?: number;
  readonly expect: readonly [401 | 403, DenyReason];
}

export function decideCase(world: World, c: DenyCase): Promise<DecisionOutcome> {
  const event = 'event' in c ? c.event : bearerEvent(c.token ?? '', c.route);
  return (c.authorizer ?? world.default).decide(event, c.now);
}

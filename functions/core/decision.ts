import type { PrincipalFacts } from './policy/types.ts';
import type { CredentialReason, PolicyReason } from './reasons.ts';

/**
 * The outcome of one authorization decision: a closed union, so every consumer `switch`es
 * exhaustively. 401 is about the credential, 403 about policy; there is no third way out.
 */
export type Decision =
  | {
      readonly effect: 'allow';
      readonly status: 200;
      readonly reason: 'allowed';
      readonly principal: PrincipalFacts;
      readonly policies: readonly string[];
    }
  | {
      readonly effect: 'deny';
      readonly status: 401;
      readonly reason: CredentialReason;
      /** Why, for the decision log only; never token material. */
      readonly detail: string;
    }
  | {
      readonly effect: 'deny';
      readonly status: 403;
      readonly reason: PolicyReason;
      readonly principal: PrincipalFacts;
      readonly policies: readonly string[];
      readonly detail: string;
    };

export function unauthorized(reason: CredentialReason, detail: string): Decision {
  return { effect: 'deny', status: 401, reason, detail };
}

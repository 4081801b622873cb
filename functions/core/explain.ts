/**
 * The steps of one decision, as `zta explain` shows them. The authorizer emits them, in order,
 * to an observer passed with the event, from the very code that decides: an explanation never
 * describes a path other than the one taken.
 *
 * Nothing here is token material: no token, no signature, no key bytes (a key is described by
 * its kid, type and algorithm). Header and claim values are the token's own words, shown as
 * decoded; until the `signature` step says `valid`, they are claims, not facts.
 */
import type { PrincipalFacts, RequestTarget } from './policy/types.ts';

/** A policy of the set that the request satisfied (its conditions held), whatever the decision. */
export interface MatchedPolicy {
  readonly id: string;
  readonly effect: 'permit' | 'forbid';
  readonly file: string;
  readonly line: number;
}

/** The Cedar request the engine sent, exactly (principal, action, resource, context, entities). */
export type CedarRequestView = Readonly<Record<string, unknown>>;

export type ExplainStep =
  | {
      readonly step: 'event';
      readonly format: string;
      readonly target: RequestTarget;
      readonly resourceArn: string;
    }
  | {
      readonly step: 'credential';
      /** What the Authorization input held; a bearer token only by its size. */
      readonly found: 'none' | 'several values' | 'bearer token';
      readonly tokenBytes?: number;
    }
  | {
      readonly step: 'header';
      readonly alg: unknown;
      readonly kid: unknown;
      readonly typ: unknown;
      readonly members: readonly string[];
    }
  | {
      readonly step: 'issuer';
      readonly iss: string;
      /** The issuer entry chosen: what it requires of a token. */
      readonly audiences: readonly string[];
      readonly clientIds: readonly string[];
      readonly algorithms: readonly string[];
      readonly typ: string | undefined;
    }
  | {
      readonly step: 'key';
      readonly kid: string | undefined;
      readonly kty: string;
      readonly crv: string | undefined;
      readonly alg: string;
    }
  | { readonly step: 'signature'; readonly valid: boolean }
  | {
      readonly step: 'claims';
      /** The registered claims as the token states them. */
      readonly claims: Readonly<Record<string, unknown>>;
      readonly now: number;
      readonly clockToleranceSeconds: number;
      readonly maxLifetimeSeconds: number;
    }
  | {
      readonly step: 'revocation';
      readonly query: { readonly issuer: string; readonly subject: string; readonly jti: string | undefined };
      readonly jtiRevoked: boolean;
      readonly subjectRevokedAt: number | undefined;
      /** A subject revocation covers tokens with iat up to this (revokedAt + clock tolerance). */
      readonly coversIatUpTo: number | undefined;
      readonly iat: number;
      readonly revoked: boolean;
    }
  | { readonly step: 'identity'; readonly principal: PrincipalFacts }
  | {
      readonly step: 'policy';
      /** Undefined when the method is not an action of the schema (nothing can permit it). */
      readonly request: CedarRequestView | undefined;
      readonly matched: readonly MatchedPolicy[];
      readonly decision: 'allow' | 'deny';
      readonly determining: readonly string[];
      readonly errors: readonly string[];
    };

/** Receives the steps of one decision, in order. */
export type DecisionObserver = (step: ExplainStep) => void;

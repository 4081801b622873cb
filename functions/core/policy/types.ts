import type { MatchedPolicy } from '../explain.ts';
import type { PolicyReason } from '../reasons.ts';

/** Who is asking: facts taken from a verified token, never from unverified input. */
export interface PrincipalFacts {
  /** Exact `iss` of the verified token. */
  readonly issuer: string;
  /** `sub` of the verified token (non-empty). */
  readonly subject: string;
  /** Union of `role` (string) and `roles` (array of strings), exact strings, de-duplicated. */
  readonly roles: readonly string[];
  /** True only when the issuer's MFA mapping says so (booleans only, never the string "true"). */
  readonly mfa: boolean;
  /** `auth_time` (epoch seconds) when the token carries a finite number. */
  readonly authTime?: number;
  /** The issuer's scope claims as a set (`context.scopes`). @default - no scopes */
  readonly scopes?: readonly string[];
  /** Typed claims the issuer maps (`context.claims`); a missing claim has no member. @default - none */
  readonly claims?: Readonly<Record<string, TypedClaimValue>>;
}

/** A typed claim's value: Cedar String, Long (a safe integer), Bool, or Set<String>. */
export type TypedClaimValue = string | number | boolean | readonly string[];

/** What is being asked for, as API Gateway describes it. */
export interface RequestTarget {
  /** HTTP method, upper case as API Gateway gives it (`GET`, `POST`, ...). */
  readonly method: string;
  /** Route template: REST `resource` (`/items/{id}`), HTTP API path part of `routeKey`, or `$default`. */
  readonly route: string;
  /** Concrete request path (`/items/42`). */
  readonly path: string;
  readonly apiId?: string;
  readonly stage?: string;
  /** Caller's source IP as API Gateway saw it. */
  readonly sourceIp?: string;
}

export interface PolicyInput {
  readonly principal: PrincipalFacts;
  readonly request: RequestTarget;
  /** Evaluation time, epoch seconds (injected, never read from the clock here). */
  readonly now: number;
}

export type PolicyResult =
  | { readonly decision: 'allow'; readonly determiningPolicies: readonly string[] }
  | {
      readonly decision: 'deny';
      readonly reason: PolicyReason;
      readonly determiningPolicies: readonly string[];
      /** Evaluation error messages (policy ids and Cedar's text; never token material). */
      readonly errors: readonly string[];
    };

/** A loaded, validated, pre-parsed policy set. Construction fails on any invalid policy. */
export interface PolicyEngine {
  /** Stable hash of the schema and policy texts, logged with every decision. */
  readonly revision: string;
  /** Never throws: an evaluation failure is a deny with reason `policy_error`. */
  evaluate(input: PolicyInput): PolicyResult;
  /**
   * `evaluate` without the decision cache, also saying what Cedar was asked and every policy the
   * request satisfied (`zta explain`). Never throws either.
   * @default - engines without it are explained by their result alone
   */
  explain?(input: PolicyInput): PolicyExplanation;
}

/** What `PolicyEngine.explain` reports. */
export interface PolicyExplanation {
  readonly result: PolicyResult;
  /** The exact Cedar request; undefined when the method is not an action of the schema. */
  readonly request: Readonly<Record<string, unknown>> | undefined;
  readonly matched: readonly MatchedPolicy[];
}

import { randomUUID } from 'node:crypto';
import { bearerToken } from './bearer.ts';
import { type Decision, unauthorized } from './decision.ts';
import { type DecisionRecord, decisionRecord, type TokenFacts } from './decision-record.ts';
import { parseAuthorizerEvent, type RequestFacts } from './event.ts';
import type { DecisionObserver } from './explain.ts';
import { byIssuer, type TrustedIssuer } from './jwt/issuer-entry.ts';
import { createTokenVerifier } from './jwt/verified-token-cache.ts';
import { verifyTokenWithProof } from './jwt/verify-token.ts';
import type { PolicyEngine, PolicyInput, PolicyResult } from './policy/types.ts';
import { isRevoked, type RevocationStore, RevocationUnavailable } from './revocation.ts';

/** Characters IAM reads as wildcards in a policy's `Resource`. */
const IAM_WILDCARD = /[*?]/;

/** The largest epoch-milliseconds value a `Date` can hold. */
const MAX_DATE_MS = 8.64e15;

export interface AuthorizerDeps {
  readonly issuers: readonly TrustedIssuer[];
  readonly policy: PolicyEngine;
  /** `null` runs without revocation checks: a visible choice in the caller's code. */
  readonly revocations: RevocationStore | null;
  readonly maxTokenBytes: number;
  /**
   * Most verified tokens remembered, so a repeated token skips its signature check (expiry,
   * key, revocation and policy are still checked on every request); 0 verifies every time.
   * @default 4096
   */
  readonly verifiedTokenCacheSize?: number;
  /** @default crypto.randomUUID */
  readonly newDecisionId?: () => string;
}

export interface DecisionOutcome {
  readonly decision: Decision;
  readonly facts: RequestFacts | undefined;
  readonly record: DecisionRecord;
  /**
   * Epoch ms after which this answer must not be reused: the verified token's `exp` plus its
   * issuer's clock tolerance. Set only when a token was verified (an ALLOW or a 403).
   */
  readonly cacheUntilMs?: number;
}

/**
 * Decides one authorizer event at `nowMs` (epoch milliseconds). Never throws. With `observe`
 * (`zta explain`), every step is reported as it is taken, and the decision is made without the
 * verified-token and decision caches, so each step really runs.
 */
export type Authorizer = (
  event: unknown,
  nowMs: number,
  observe?: DecisionObserver,
) => Promise<DecisionOutcome>;

/**
 * The decision core: a function of (event, keys, policies, revocations, now).
 *
 * Error semantics: every path that is not an explicit policy ALLOW for a verified, unrevoked
 * token is a DENY. Credential problems (missing, malformed, untrusted, expired, revoked, a key
 * or revocation source that cannot answer) deny with 401; a verified principal that policy
 * does not allow is denied with 403. An unexpected exception anywhere denies with 401
 * `internal_error`. Nothing here reads the clock, the environment or the network directly.
 */
export function createAuthorizer(deps: AuthorizerDeps): Authorizer {
  const issuers = byIssuer(deps.issuers);
  const newId = deps.newDecisionId ?? randomUUID;
  const verifyToken = createTokenVerifier(issuers, deps.maxTokenBytes, deps.verifiedTokenCacheSize ?? 4096);
  // A header far beyond the token cap is refused before even the character scan.
  const maxHeaderChars = deps.maxTokenBytes * 2;

  async function decide(
    event: unknown,
    now: number,
    observe: DecisionObserver | undefined,
  ): Promise<{ decision: Decision; facts?: RequestFacts; token: TokenFacts; cacheUntilMs?: number }> {
    const unverified: TokenFacts = { verified: false };
    const parsed = parseAuthorizerEvent(event);
    if (!parsed.ok) return { decision: unauthorized('malformed_event', parsed.detail), token: unverified };
    const { facts, credential } = parsed;
    observe?.({ step: 'event', format: facts.format, target: facts.target, resourceArn: facts.resourceArn });
    observe?.(
      credential.kind === 'value'
        ? { step: 'credential', found: 'bearer token', tokenBytes: credential.value.length }
        : { step: 'credential', found: credential.kind === 'none' ? 'none' : 'several values' },
    );
    // Checked before the credential: whatever the token, no IAM answer may name this resource.
    if (facts.format !== 'http-v2' && IAM_WILDCARD.test(facts.resourceArn))
      return denied(facts, 'wildcard_resource', 'methodArn holds an IAM wildcard (* or ?)');
    if (credential.kind === 'none') return denied(facts, 'missing_token', 'no Authorization header');
    if (credential.kind === 'multiple')
      return denied(facts, 'malformed_authorization', 'several Authorization values');
    if (credential.value.length > maxHeaderChars)
      return denied(facts, 'token_too_large', 'Authorization header too long');
    const bearer = bearerToken(credential.value);
    if (!bearer.ok) return denied(facts, bearer.reason, 'Authorization is not "Bearer <token>"');

    const verified = observe
      ? await verifyTokenWithProof(bearer.token, issuers, deps.maxTokenBytes, now, observe)
      : await verifyToken(bearer.token, now);
    if (!verified.ok) return denied(facts, verified.reason, verified.detail, verified.facts);
    const { claims, issuer } = verified;

    if (deps.revocations) {
      let revoked: boolean;
      try {
        // Always awaited: a promise-like answer that is not a native Promise, left unawaited,
        // would read as "nothing revoked" (test/security/thenables.test.ts).
        const found = await deps.revocations.lookup({
          issuer: claims.iss,
          subject: claims.sub,
          jti: claims.jti,
        });
        revoked = isRevoked(found, claims.iat, issuer.clockToleranceSeconds);
        observe?.({
          step: 'revocation',
          query: { issuer: claims.iss, subject: claims.sub, jti: claims.jti },
          jtiRevoked: found.jtiRevoked,
          subjectRevokedAt: found.subjectRevokedAt,
          coversIatUpTo:
            found.subjectRevokedAt === undefined
              ? undefined
              : found.subjectRevokedAt + issuer.clockToleranceSeconds,
          iat: claims.iat,
          revoked,
        });
      } catch (error) {
        const detail =
          error instanceof RevocationUnavailable ? error.message : 'revocation store could not be read';
        return denied(facts, 'revocation_unavailable', detail.slice(0, 512), verified.facts);
      }
      if (revoked) return denied(facts, 'token_revoked', 'jti or subject revoked', verified.facts);
    }

    const principal = verified.principal;
    observe?.({ step: 'identity', principal });
    const input = { principal, request: facts.target, now };
    const result = observe ? explainPolicy(deps.policy, input, observe) : deps.policy.evaluate(input);
    const decision: Decision =
      result.decision === 'allow'
        ? { effect: 'allow', status: 200, reason: 'allowed', principal, policies: result.determiningPolicies }
        : {
            effect: 'deny',
            status: 403,
            reason: result.reason,
            principal,
            policies: result.determiningPolicies,
            detail:
              result.errors.length > 0 ? result.errors.join('; ').slice(0, 512) : 'policy did not allow',
          };
    const cacheUntilMs = (claims.exp + issuer.clockToleranceSeconds) * 1000;
    return { decision, facts, token: verified.facts, cacheUntilMs };
  }

  return async (event, nowMs, observe) => {
    const started = performance.now();
    // A clock outside Date's range (or NaN) makes every time comparison false, so an expired
    // token would pass, and the record's timestamp throws: refuse before deciding anything.
    const clockOk = Number.isFinite(nowMs) && Math.abs(nowMs) <= MAX_DATE_MS;
    let outcome: { decision: Decision; facts?: RequestFacts; token: TokenFacts; cacheUntilMs?: number };
    try {
      outcome = clockOk
        ? await decide(event, Math.floor(nowMs / 1000), observe)
        : {
            decision: unauthorized('internal_error', 'clock value is not a valid time'),
            token: { verified: false },
          };
    } catch {
      outcome = { decision: unauthorized('internal_error', 'unexpected error'), token: { verified: false } };
    }
    const record = decisionRecord({
      decisionId: newId(),
      nowMs: clockOk ? nowMs : 0,
      decision: outcome.decision,
      facts: outcome.facts,
      token: outcome.token,
      policyRevision: deps.policy.revision,
      latencyMs: performance.now() - started,
    });
    return { decision: outcome.decision, facts: outcome.facts, record, cacheUntilMs: outcome.cacheUntilMs };
  };
}

/** The policy step for an observer: the engine's own explanation when it has one. */
function explainPolicy(policy: PolicyEngine, input: PolicyInput, observe: DecisionObserver): PolicyResult {
  const explained = policy.explain?.(input);
  const result = explained?.result ?? policy.evaluate(input);
  observe({
    step: 'policy',
    request: explained?.request,
    matched: explained?.matched ?? [],
    decision: result.decision,
    determining: result.determiningPolicies,
    errors: result.decision === 'deny' ? result.errors : [],
  });
  return result;
}

const UNVERIFIED: TokenFacts = Object.freeze({ verified: false });

// A module function rather than a closure made on every request (see also verify-token.ts).
function denied(
  facts: RequestFacts,
  reason: Parameters<typeof unauthorized>[0],
  detail: string,
  token: TokenFacts = UNVERIFIED,
): { decision: Decision; facts: RequestFacts; token: TokenFacts } {
  return { decision: unauthorized(reason, detail), facts, token };
}

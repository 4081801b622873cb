/**
 * The closed set of decision reason codes, and the HTTP status each one implies.
 *
 * 401 means "we could not establish who you are" (API Gateway answers with the literal
 * `Unauthorized`); 403 means "we know who you are and policy says no". Every error path
 * maps to one of these codes: there is no free-text reason anywhere in a decision.
 */
export const CREDENTIAL_REASONS = [
  'malformed_event', // not an API Gateway authorizer event we understand
  // A REST methodArn holding an IAM wildcard (* or ?), e.g. a literal * in the path: any policy
  // naming it would also match other routes (and be cached per token), so no answer is given.
  'wildcard_resource',
  'missing_token', // no Authorization header / authorizationToken
  'malformed_authorization', // scheme other than Bearer, tabs/newlines, several values
  'token_too_large', // over the configured byte cap, checked before any parsing
  'malformed_token', // not three canonical base64url segments of safe, duplicate-free JSON
  'unsupported_token_header', // typ, crit, zip, b64, jku, x5u, x5c or embedded jwk
  'algorithm_not_allowed', // alg not in the issuer's allowlist (none and HS* never are)
  'untrusted_issuer', // iss missing or not configured, or the token fits none of its entries
  'ambiguous_issuer', // the token fits several issuer entries of its iss (issue 11): none is guessed
  'unknown_key', // no key, or more than one, of the issuer's JWKS fits kid/alg
  'keys_unavailable', // the issuer's JWKS could not be loaded
  'invalid_signature',
  'invalid_claims', // a required claim missing or of the wrong type
  'audience_mismatch',
  'token_expired',
  'token_not_yet_valid', // nbf or iat in the future (beyond clock tolerance)
  'lifetime_exceeded', // exp - iat over the issuer's maximum lifetime
  'token_revoked', // jti revoked, or subject revoked at or after iat minus the clock tolerance
  'revocation_unavailable', // the revocation store could not be read: fail closed
  'internal_error', // anything unexpected: fail closed
] as const;

export const POLICY_REASONS = [
  'policy_denied', // no permit policy matched
  'forbidden_by_policy', // a forbid policy without a @reason annotation matched
  'mfa_required', // a forbid policy annotated @reason("mfa_required") matched
  'role_required', // a forbid policy annotated @reason("role_required") matched
  'policy_error', // the policy engine failed to evaluate the request: fail closed
] as const;

export type CredentialReason = (typeof CREDENTIAL_REASONS)[number];
export type PolicyReason = (typeof POLICY_REASONS)[number];
export type DenyReason = CredentialReason | PolicyReason;
export type Reason = DenyReason | 'allowed';

const credentialSet: ReadonlySet<string> = new Set(CREDENTIAL_REASONS);
const policySet: ReadonlySet<string> = new Set(POLICY_REASONS);

export function isCredentialReason(value: string): value is CredentialReason {
  return credentialSet.has(value);
}

export function isPolicyReason(value: string): value is PolicyReason {
  return policySet.has(value);
}

/** Fails the type check when a `switch` over a closed union misses a member. */
export function assertUnreachable(value: never): never {
  throw new TypeError(`unreachable: ${JSON.stringify(value)}`);
}

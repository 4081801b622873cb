import type { IssuerConfig } from '../config/authorizer-config.ts';
import type { CredentialReason } from '../reasons.ts';
import { claimAt, showClaimPath } from './claim-path.ts';

/** Claims that passed every check, with the types the checks proved. */
export interface VerifiedClaims {
  readonly iss: string;
  readonly sub: string;
  readonly iat: number;
  readonly exp: number;
  readonly jti: string | undefined;
  readonly all: Readonly<Record<string, unknown>>;
}

export type ClaimsResult =
  | { ok: true; claims: VerifiedClaims }
  | { ok: false; reason: CredentialReason; detail: string };

const isFiniteNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isNonEmptyString = (v: unknown): v is string => typeof v === 'string' && v.length > 0;

/**
 * Checks the registered claims of a token whose signature has been verified. Times are epoch
 * seconds; the clock tolerance applies to `exp`, `nbf` and `iat` inclusively (a token is
 * expired only when now > exp + tolerance). The lifetime bound (`exp - iat`) also catches
 * `exp` given in milliseconds or as 1e308, which are finite numbers that jose accepts.
 */
export function checkClaims(
  claims: Readonly<Record<string, unknown>>,
  issuer: IssuerConfig,
  now: number,
): ClaimsResult {
  const { iss, sub, exp, iat, nbf, jti } = claims;
  if (iss !== issuer.issuer) return fail('untrusted_issuer', 'iss does not match the issuer');
  if (!isNonEmptyString(sub)) return fail('invalid_claims', 'sub must be a non-empty string');
  if (!isFiniteNumber(exp)) return fail('invalid_claims', 'exp must be a finite number');
  if (!isFiniteNumber(iat)) return fail('invalid_claims', 'iat must be a finite number');
  if (nbf !== undefined && !isFiniteNumber(nbf)) return fail('invalid_claims', 'nbf must be a finite number');
  if (jti !== undefined && !isNonEmptyString(jti))
    return fail('invalid_claims', 'jti must be a non-empty string');

  const mismatch = entryClaimsMismatch(claims, issuer);
  if (mismatch) return fail(mismatch.reason, mismatch.detail);

  const tolerance = issuer.clockToleranceSeconds;
  if (now > exp + tolerance) return fail('token_expired', 'exp is in the past');
  if (nbf !== undefined && now < nbf - tolerance) return fail('token_not_yet_valid', 'nbf is in the future');
  if (iat > now + tolerance) return fail('token_not_yet_valid', 'iat is in the future');
  if (exp < iat) return fail('invalid_claims', 'exp is before iat');
  if (exp - iat > issuer.maxLifetimeSeconds) {
    return fail('lifetime_exceeded', `exp - iat exceeds ${issuer.maxLifetimeSeconds} s`);
  }
  return { ok: true, claims: { iss, sub, iat, exp, jti, all: claims } };
}

/**
 * The claim checks that tell an issuer's entries apart (`issuer-entry.ts`): required claim
 * values, then audience or client id. A pure function of the claims, so an entry chosen for a token
 * stays chosen for it.
 *
 * With an `aud`, it must hold one of the entry's audiences. Without one, `client_id` must be one
 * of the entry's `clientIds` (API Gateway's JWT authorizer rule; Cognito access tokens carry no
 * `aud`); an entry with no `clientIds` refuses a token without `aud`, as before they existed.
 */
export function entryClaimsMismatch(
  claims: Readonly<Record<string, unknown>>,
  issuer: IssuerConfig,
): { reason: CredentialReason; detail: string; audience: boolean } | undefined {
  for (const required of issuer.requiredClaims) {
    const value = claimAt(claims, required.claim);
    if (!required.oneOf.some((expected) => expected === value))
      return problem(
        'invalid_claims',
        `${showClaimPath(required.claim)} does not have a required value`,
        false,
      );
  }
  const { aud } = claims;
  if (aud !== undefined || issuer.clientIds.length === 0) {
    const audiences = audienceList(aud);
    if (audiences === undefined)
      return problem('invalid_claims', 'aud must be a string or an array of strings');
    if (!audiences.some((a) => issuer.audiences.includes(a)))
      return problem('audience_mismatch', 'aud holds none of the configured audiences');
  } else {
    const clientId = claims.client_id;
    if (typeof clientId !== 'string')
      return problem('invalid_claims', 'a token without aud needs a client_id string');
    if (!issuer.clientIds.includes(clientId))
      return problem('audience_mismatch', 'client_id is none of the configured clientIds');
  }
  return undefined;
}

/** `audience`: the required claims passed and the audience (or client id) check failed. */
function problem(reason: CredentialReason, detail: string, audience = true) {
  return { reason, detail, audience };
}

function audienceList(aud: unknown): readonly string[] | undefined {
  if (typeof aud === 'string') return [aud];
  if (Array.isArray(aud) && aud.every((a) => typeof a === 'string')) return aud as string[];
  return undefined;
}

function fail(reason: CredentialReason, detail: string): ClaimsResult {
  return { ok: false, reason, detail };
}

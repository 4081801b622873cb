import type { ClaimMapping } from './config/authorizer-config.ts';
import type { VerifiedClaims } from './jwt/claims.ts';
import type { PrincipalFacts } from './policy/types.ts';

/**
 * Maps verified claims to the facts policies see. Types are exact: MFA needs an `amr` array
 * holding a configured value or a configured claim that is the boolean `true` (the string
 * "true" is not MFA), and a role claim counts only in the JSON type the mapping names, so
 * `role: ["admin"]` where a string is expected grants nothing.
 */
export function principalFacts(claims: VerifiedClaims, mapping: ClaimMapping): PrincipalFacts {
  const all = claims.all;
  const roles = new Set<string>();
  for (const { claim, type } of mapping.roles) {
    const value = all[claim];
    if (type === 'string' && typeof value === 'string' && value !== '') roles.add(value);
    if (type === 'array' && Array.isArray(value)) {
      for (const role of value) if (typeof role === 'string' && role !== '') roles.add(role);
    }
  }
  const amr = all.amr;
  const mfa =
    (Array.isArray(amr) && amr.some((v) => typeof v === 'string' && mapping.mfaAmrValues.includes(v))) ||
    mapping.mfaBooleanClaims.some((claim) => all[claim] === true);
  const authTime = all.auth_time;
  return {
    issuer: claims.iss,
    subject: claims.sub,
    roles: [...roles],
    mfa,
    ...(typeof authTime === 'number' && Number.isFinite(authTime) ? { authTime } : {}),
  };
}

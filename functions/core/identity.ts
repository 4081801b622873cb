import type { ClaimMapping, TypedClaim } from './config/claim-mapping.ts';
import { claimAt, showClaimPath } from './jwt/claim-path.ts';
import type { VerifiedClaims } from './jwt/claims.ts';
import type { PrincipalFacts, TypedClaimValue } from './policy/types.ts';

export type IdentityResult =
  | { readonly ok: true; readonly principal: PrincipalFacts }
  /** The token holds a claim of the wrong shape: it is refused (`invalid_claims`). */
  | { readonly ok: false; readonly detail: string };

// RFC 6749 §3.3: scope-token = 1*( %x21 / %x23-5B / %x5D-7E ), joined by single spaces.
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
const SCOPE_LIST = /^[\x21\x23-\x5b\x5d-\x7e]+(?: [\x21\x23-\x5b\x5d-\x7e]+)*$/;

/**
 * Maps verified claims to the facts policies see. Types are exact everywhere:
 * - MFA needs an `amr` array holding a configured value, an `acr` string equal to a configured
 *   value, or a configured claim that is the boolean `true` (the string "true" is not MFA);
 * - a role claim counts only in the JSON type the mapping names (`role: ["admin"]` where a
 *   string is expected grants nothing);
 * - scopes are the union of the configured scope claims, each a space-separated string of RFC
 *   6749 scope tokens or an array of them. Anything else there — tabs, newlines, doubled or
 *   edge spaces, quotes, non-ASCII, a non-string — refuses the token, rather than guess which
 *   scopes were meant;
 * - a typed claim is absent when missing (or JSON null), and refuses the token when present
 *   with another type: a policy's `has` must never read "absent" for a claim that is there.
 */
export function principalFacts(claims: VerifiedClaims, mapping: ClaimMapping): IdentityResult {
  const all = claims.all;
  const roles = new Set<string>();
  for (const { claim, type } of mapping.roles) {
    const value = claimAt(all, claim);
    if (type === 'string' && typeof value === 'string' && value !== '') roles.add(value);
    if (type === 'array' && Array.isArray(value)) {
      for (const role of value) if (typeof role === 'string' && role !== '') roles.add(role);
    }
  }
  const scopes = new Set<string>();
  for (const path of mapping.scopes) {
    const problem = addScopes(claimAt(all, path), scopes);
    if (problem) return { ok: false, detail: `${showClaimPath(path)} ${problem}` };
  }
  const typed: Record<string, TypedClaimValue> = {};
  for (const spec of mapping.typed) {
    const value = typedValue(claimAt(all, spec.claim), spec);
    if (value === WRONG_TYPE) {
      return {
        ok: false,
        detail: `${showClaimPath(spec.claim)} is not a ${spec.type} (claims.typed.${spec.name})`,
      };
    }
    if (value !== undefined) typed[spec.name] = value;
  }
  const amr = all.amr;
  const acr = all.acr;
  const mfa =
    (Array.isArray(amr) && amr.some((v) => typeof v === 'string' && mapping.mfaAmrValues.includes(v))) ||
    (typeof acr === 'string' && mapping.mfaAcrValues.includes(acr)) ||
    mapping.mfaBooleanClaims.some((path) => claimAt(all, path) === true);
  const authTime = all.auth_time;
  return {
    ok: true,
    principal: {
      issuer: claims.iss,
      subject: claims.sub,
      roles: [...roles],
      mfa,
      scopes: [...scopes].sort(),
      claims: typed,
      ...(typeof authTime === 'number' && Number.isFinite(authTime) ? { authTime } : {}),
    },
  };
}

function addScopes(value: unknown, into: Set<string>): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') {
    if (value === '') return undefined;
    if (!SCOPE_LIST.test(value)) return 'is not a list of scope tokens separated by single spaces';
    for (const scope of value.split(' ')) into.add(scope);
    return undefined;
  }
  if (Array.isArray(value)) {
    for (const scope of value) {
      if (typeof scope !== 'string' || !SCOPE_TOKEN.test(scope))
        return 'holds an item that is not a scope token';
      into.add(scope);
    }
    return undefined;
  }
  return 'is neither a space-separated string nor an array of scopes';
}

const WRONG_TYPE = Symbol('wrong type');

function typedValue(value: unknown, spec: TypedClaim): TypedClaimValue | undefined | typeof WRONG_TYPE {
  if (value === undefined || value === null) return undefined;
  switch (spec.type) {
    case 'String':
      return typeof value === 'string' ? value : WRONG_TYPE;
    case 'Long':
      // Cedar's Long is 64-bit, but a JSON number past 2^53 has already lost digits.
      return Number.isSafeInteger(value) ? (value as number) : WRONG_TYPE;
    case 'Bool':
      return typeof value === 'boolean' ? value : WRONG_TYPE;
    case 'Set<String>':
      return Array.isArray(value) && value.every((v) => typeof v === 'string')
        ? [...new Set(value as string[])].sort()
        : WRONG_TYPE;
  }
}

/**
 * Chooses the one issuer entry a token belongs to. Several entries may share an `iss` (access
 * tokens with `typ: at+jwt` for the API beside ID tokens for a BFF; Cognito access and ID
 * tokens of one user pool), told apart by what the token says: its `alg`, its `typ`, its
 * audience or client id, and required claim values.
 *
 * Error semantics (every one a 401):
 * - no entry for the `iss`: `untrusted_issuer`;
 * - one entry: it is used, and its own checks give their precise reasons further on;
 * - several, none matching: the reason of the entries the token came closest to (checks run
 *   alg, typ, required claims, audience / client id), when they agree — a Cognito access token
 *   of another app client passes the access entry's `token_use` and fails its client id:
 *   `audience_mismatch` — else `untrusted_issuer`;
 * - several matching: `ambiguous_issuer`. Guessing would let the token pick the entry whose
 *   mapping suits it best (its roles, its MFA rule), so nothing is guessed.
 *
 * The choice reads unverified claims only to pick the keys; the chosen entry's signature check
 * then proves them, and the same claim checks run again on the verified token.
 */
import type { IssuerConfig } from '../config/authorizer-config.ts';
import type { KeySource } from '../keys.ts';
import type { CredentialReason } from '../reasons.ts';
import { entryClaimsMismatch } from './claims.ts';

/** An issuer entry the authorizer trusts, with the source of its keys. */
export interface TrustedIssuer {
  readonly config: IssuerConfig;
  readonly keys: KeySource;
}

/** Trusted entries grouped by exact `iss`, in config order. */
export type TrustedIssuers = ReadonlyMap<string, readonly TrustedIssuer[]>;

export type EntryChoice =
  | { readonly ok: true; readonly trusted: TrustedIssuer }
  | { readonly ok: false; readonly reason: CredentialReason; readonly detail: string };

const DEFAULT_TYPS = new Set(['jwt', 'at+jwt']);

/** Groups entries by `iss`, keeping config order within each group. */
export function byIssuer(entries: readonly TrustedIssuer[]): TrustedIssuers {
  const map = new Map<string, TrustedIssuer[]>();
  for (const entry of entries) {
    const group = map.get(entry.config.issuer);
    if (group) group.push(entry);
    else map.set(entry.config.issuer, [entry]);
  }
  return map;
}

export function chooseEntry(
  issuers: TrustedIssuers,
  header: Readonly<Record<string, unknown>>,
  claims: Readonly<Record<string, unknown>>,
): EntryChoice {
  const candidates = typeof claims.iss === 'string' ? issuers.get(claims.iss) : undefined;
  if (!candidates || candidates.length === 0)
    return { ok: false, reason: 'untrusted_issuer', detail: 'iss is missing or not a configured issuer' };
  if (candidates.length === 1) return { ok: true, trusted: candidates[0] as TrustedIssuer };
  const matching: TrustedIssuer[] = [];
  let closest = 0;
  let reasons = new Set<CredentialReason>();
  for (const candidate of candidates) {
    const mismatch = entryMismatch(candidate.config, header, claims);
    if (mismatch === undefined) {
      matching.push(candidate);
      continue;
    }
    if (mismatch.depth > closest) {
      closest = mismatch.depth;
      reasons = new Set();
    }
    if (mismatch.depth === closest) reasons.add(mismatch.reason);
  }
  if (matching.length === 1) return { ok: true, trusted: matching[0] as TrustedIssuer };
  if (matching.length > 1) {
    return {
      ok: false,
      reason: 'ambiguous_issuer',
      detail: `token matches ${matching.length} issuer entries of its iss: make their audiences, clientIds, typ or requiredClaims exclusive`,
    };
  }
  const [only] = reasons;
  return reasons.size === 1 && only !== undefined
    ? { ok: false, reason: only, detail: `token matches none of the ${candidates.length} entries of its iss` }
    : {
        ok: false,
        reason: 'untrusted_issuer',
        detail: `token matches none of the ${candidates.length} entries of its iss`,
      };
}

/** Why `issuer` is not the entry for this token and how far its checks got, or undefined. */
function entryMismatch(
  issuer: IssuerConfig,
  header: Readonly<Record<string, unknown>>,
  claims: Readonly<Record<string, unknown>>,
): { reason: CredentialReason; depth: number } | undefined {
  if (!issuer.algorithms.some((a) => a === header.alg)) return { reason: 'algorithm_not_allowed', depth: 1 };
  if (!typAccepted(header.typ, issuer.typ)) return { reason: 'unsupported_token_header', depth: 2 };
  const mismatch = entryClaimsMismatch(claims, issuer);
  return mismatch && { reason: mismatch.reason, depth: mismatch.audience ? 4 : 3 };
}

/** `typ` as the entry wants it: equal to its `typ` when set, else absent, `JWT` or `at+jwt`. */
export function typAccepted(typ: unknown, required: string | undefined): boolean {
  if (typ === undefined) return required === undefined;
  if (typeof typ !== 'string') return false;
  const normalized = typ.toLowerCase().replace(/^application\//, '');
  return required === undefined
    ? DEFAULT_TYPS.has(normalized)
    : normalized === required.toLowerCase().replace(/^application\//, '');
}

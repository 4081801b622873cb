/**
 * Remembers tokens whose signature verified, so a caller presenting the same token again skips
 * the signature check (the costliest step of a decision) but nothing else.
 *
 * Why this is safe:
 * - The key is the exact token string, and entries are added only after a full verification.
 *   A malleated variant (`==` appended, s replaced by n−s, changed unused bits) is another string:
 *   it misses and meets the full verifier, which refuses non-canonical input. Failures are never
 *   stored, so a token can never become valid through the cache.
 * - A hit is re-checked against the world of this request: the key that verified the token must
 *   still be the one its issuer's key source selects for the same (alg, kid) (the same key
 *   material) — a rotated-out or replaced key sends the token back through full verification —
 *   and every claim check (exp,
 *   nbf, iat, lifetime, audience) runs again at `now`. Revocation and policy are checked by the
 *   caller on every request, hit or miss.
 */
import { checkClaims } from './claims.ts';
import { selectKey } from './key-set.ts';
import {
  type KeyProof,
  type TokenResult,
  type TrustedIssuers,
  verifyTokenWithProof,
} from './verify-token.ts';

/** Verifies a token at `now` (epoch seconds). Never throws for a bad token. */
export type TokenVerifier = (token: string, now: number) => Promise<TokenResult>;

interface Entry {
  readonly verified: Extract<TokenResult, { ok: true }>;
  readonly proof: KeyProof;
}

/**
 * A verifier over `issuers` that keeps at most `maxEntries` verified tokens (oldest evicted
 * first); 0 verifies every token in full.
 */
export function createTokenVerifier(
  issuers: TrustedIssuers,
  maxBytes: number,
  maxEntries: number,
  /** @default verifyTokenWithProof (tests count the full verifications through it) */
  verifyInFullWith: typeof verifyTokenWithProof = verifyTokenWithProof,
): TokenVerifier {
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 0) {
    throw new TypeError(`verifiedTokenCacheSize must be a whole number ≥ 0, got ${maxEntries}`);
  }
  const entries = new Map<string, Entry>();

  const verifyInFull = async (token: string, now: number): Promise<TokenResult> => {
    const result = await verifyInFullWith(token, issuers, maxBytes, now);
    if (!result.ok) return result;
    const { proof, ...verified } = result;
    if (maxEntries > 0) {
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string);
      // Every hit hands out these same objects: frozen, so no caller can change what a later
      // request of the same token sees.
      Object.freeze(verified.claims.all);
      Object.freeze(verified.claims);
      Object.freeze(verified.facts);
      freezePrincipal(verified.principal);
      entries.set(token, { verified: Object.freeze(verified), proof });
    }
    return verified;
  };

  return async (token, now) => {
    const entry = token.length <= maxBytes ? entries.get(token) : undefined;
    if (entry === undefined || !(await sameKeyStillServed(entry.proof))) {
      entries.delete(token);
      return verifyInFull(token, now);
    }
    const { verified } = entry;
    const checked = checkClaims(verified.claims.all, verified.issuer, now);
    if (!checked.ok) {
      // What the full verifier says of a correctly signed token whose claims fail at `now`.
      return {
        ok: false,
        reason: checked.reason,
        detail: checked.detail,
        facts: { ...verified.facts, verified: false },
      };
    }
    return verified;
  };
}

/** True when the issuer's current key set still selects the key that verified the token. */
async function sameKeyStillServed({ trusted, alg, kid, key }: KeyProof): Promise<boolean> {
  try {
    const selected = selectKey(await trusted.keys.current(), alg, kid);
    // Same object, or the same key material re-parsed (sources re-derive their key sets, the
    // local key store once a second): either verifies exactly as the key that did.
    return selected.ok && (selected.key.key === key || selected.key.key.equals(key));
  } catch {
    // The full path turns an unreadable key source into `keys_unavailable`.
    return false;
  }
}

function freezePrincipal(principal: Extract<TokenResult, { ok: true }>['principal']): void {
  Object.freeze(principal.roles);
  if (principal.scopes) Object.freeze(principal.scopes);
  if (principal.claims) {
    for (const value of Object.values(principal.claims)) if (Array.isArray(value)) Object.freeze(value);
    Object.freeze(principal.claims);
  }
  Object.freeze(principal);
}

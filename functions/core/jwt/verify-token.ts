import type { KeyObject } from 'node:crypto';
import type { IssuerConfig } from '../config/authorizer-config.ts';
import type { TokenFacts } from '../decision-record.ts';
import type { DecisionObserver } from '../explain.ts';
import { principalFacts } from '../identity.ts';
import type { PrincipalFacts } from '../policy/types.ts';
import type { CredentialReason } from '../reasons.ts';
import { type Algorithm, verifySignature } from './algorithms.ts';
import { type ClaimsResult, checkClaims, type VerifiedClaims } from './claims.ts';
import { parseCompactJws } from './compact.ts';
import { chooseEntry, type TrustedIssuer, type TrustedIssuers, typAccepted } from './issuer-entry.ts';
import { type KeySet, selectKey, type VerificationKey } from './key-set.ts';

export type { TrustedIssuer, TrustedIssuers } from './issuer-entry.ts';

export type TokenResult =
  | {
      ok: true;
      claims: VerifiedClaims;
      issuer: IssuerConfig;
      /** What policies see of the caller, mapped by the entry's `claims` (`identity.ts`). */
      principal: PrincipalFacts;
      facts: TokenFacts;
    }
  | { ok: false; reason: CredentialReason; detail: string; facts: TokenFacts };

/** A success with what proved it: the key object and how it was selected (for the token cache). */
export type ProvenTokenResult =
  | (Extract<TokenResult, { ok: true }> & { proof: KeyProof })
  | Extract<TokenResult, { ok: false }>;

/** The key that verified a token, and the (alg, kid) that selected it from its issuer's set. */
export interface KeyProof {
  readonly trusted: TrustedIssuer;
  readonly alg: Algorithm;
  readonly kid: string | undefined;
  readonly key: KeyObject;
}

// Header members that make a token depend on something we never do: fetch keys from a URL the
// token names (jku, x5u), trust a key the token carries (jwk, x5c), decompress (zip), sign an
// unencoded payload (b64), nest a token (cty), or honour extensions we do not implement (crit).
const REFUSED_HEADER_MEMBERS = ['jku', 'x5u', 'jwk', 'x5c', 'zip', 'b64', 'crit', 'cty'];

/**
 * Verifies a compact JWS: structure, header, issuer, algorithm, key, signature, claims, in
 * that order, each failure a 401 reason. The issuer entry is chosen by the unverified `iss` (and,
 * when several entries share it, by what tells them apart: `issuer-entry.ts`) only to choose
 * the keys; the signature then proves it.
 */
export async function verifyToken(
  token: string,
  issuers: TrustedIssuers,
  maxBytes: number,
  now: number,
): Promise<TokenResult> {
  const result = await verifyTokenWithProof(token, issuers, maxBytes, now);
  if (!result.ok) return result;
  const { proof: _, ...verified } = result;
  return verified;
}

/**
 * `verifyToken`, also saying which key verified the token. `observe` (for `zta explain`) is told
 * each step as it is taken; it never sees the token, the signature or key material.
 */
export async function verifyTokenWithProof(
  token: string,
  issuers: TrustedIssuers,
  maxBytes: number,
  now: number,
  observe?: DecisionObserver,
): Promise<ProvenTokenResult> {
  const parsed = parseCompactJws(token, maxBytes);
  if (!parsed.ok)
    return { ok: false, reason: parsed.reason, detail: parsed.detail, facts: { verified: false } };
  const { header, claims, signingInput, signature } = parsed.jws;
  const facts: TokenFacts = {
    alg: stringOrUndefined(header.alg),
    kid: stringOrUndefined(header.kid),
    iss: stringOrUndefined(claims.iss),
    sub: stringOrUndefined(claims.sub),
    jti: stringOrUndefined(claims.jti),
    verified: false,
  };

  observe?.({
    step: 'header',
    alg: header.alg,
    kid: header.kid,
    typ: header.typ,
    members: Object.keys(header),
  });
  const refused = REFUSED_HEADER_MEMBERS.find((m) => m in header);
  if (refused) return failed(facts, 'unsupported_token_header', `header member "${refused}" is not accepted`);
  if (typeof header.alg !== 'string') return failed(facts, 'malformed_token', 'header alg must be a string');
  if (header.kid !== undefined && (typeof header.kid !== 'string' || header.kid === '')) {
    return failed(facts, 'malformed_token', 'header kid must be a non-empty string');
  }
  const chosen = chooseEntry(issuers, header, claims);
  if (!chosen.ok) return failed(facts, chosen.reason, chosen.detail);
  const trusted = chosen.trusted;
  const issuer = trusted.config;
  observe?.({
    step: 'issuer',
    iss: issuer.issuer,
    audiences: issuer.audiences,
    clientIds: issuer.clientIds,
    algorithms: issuer.algorithms,
    typ: issuer.typ,
  });
  const alg = issuer.algorithms.find((a) => a === header.alg);
  if (!alg) return failed(facts, 'algorithm_not_allowed', 'alg is not in the issuer allowlist');
  if (!typAccepted(header.typ, issuer.typ))
    return failed(facts, 'unsupported_token_header', 'typ is not accepted');

  const found = await findKey(trusted, alg, header.kid as string | undefined);
  if (typeof found === 'string')
    return failed(facts, found, found === 'unknown_key' ? 'no single key fits kid/alg' : 'JWKS unavailable');
  const key = found.key;
  observe?.({ step: 'key', kid: found.kid, kty: found.kty, crv: found.crv, alg });
  const valid = verifySignature(alg, key, signingInput, signature);
  observe?.({ step: 'signature', valid });
  if (!valid) return failed(facts, 'invalid_signature', 'signature does not verify');

  observe?.({
    step: 'claims',
    claims: registeredClaims(claims),
    now,
    clockToleranceSeconds: issuer.clockToleranceSeconds,
    maxLifetimeSeconds: issuer.maxLifetimeSeconds,
  });
  const checked: ClaimsResult = checkClaims(claims, issuer, now);
  if (!checked.ok) return failed(facts, checked.reason, checked.detail);
  const identity = principalFacts(checked.claims, issuer.claims);
  if (!identity.ok) return failed(facts, 'invalid_claims', identity.detail);
  const kid = header.kid as string | undefined;
  return {
    ok: true,
    claims: checked.claims,
    issuer,
    principal: identity.principal,
    facts: { ...facts, verified: true },
    proof: { trusted, alg, kid, key },
  };
}

async function findKey(
  trusted: TrustedIssuer,
  alg: Algorithm,
  kid: string | undefined,
): Promise<VerificationKey | 'unknown_key' | 'keys_unavailable'> {
  let keySet: KeySet;
  try {
    keySet = await trusted.keys.current();
  } catch {
    return 'keys_unavailable';
  }
  let selected = selectKey(keySet, alg, kid);
  if (!selected.ok && selected.problem === 'no_matching_key') {
    // A key published since the last load (rotation) is found here; sources bound the cost.
    const fresh = await trusted.keys.refresh().catch(() => undefined);
    if (fresh) selected = selectKey(fresh, alg, kid);
  }
  return selected.ok ? selected.key : 'unknown_key';
}

const REGISTERED = ['iss', 'sub', 'aud', 'client_id', 'iat', 'nbf', 'exp', 'jti'];

/** The claims every check reads, as the token states them (for `zta explain`). */
function registeredClaims(claims: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of REGISTERED) if (Object.hasOwn(claims, name)) out[name] = claims[name];
  return out;
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function failed(facts: TokenFacts, reason: CredentialReason, detail: string): ProvenTokenResult {
  return { ok: false, reason, detail, facts };
}

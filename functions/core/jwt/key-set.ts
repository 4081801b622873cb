import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { type Algorithm, isAlgorithm, keyFitsAlgorithm } from './algorithms.ts';

/** One public verification key taken from a JWKS. */
export interface VerificationKey {
  readonly kid: string | undefined;
  readonly kty: string;
  readonly crv: string | undefined;
  /** The key's own `alg`, when the JWKS pins one. */
  readonly alg: Algorithm | undefined;
  readonly key: KeyObject;
}

export interface KeySet {
  readonly keys: readonly VerificationKey[];
}

export type KeySelection =
  | { ok: true; key: VerificationKey }
  | { ok: false; problem: 'no_matching_key' | 'ambiguous_key' };

const MIN_RSA_BITS = 2048;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];

export interface JwksParseResult {
  readonly keySet: KeySet;
  /** One line per key that was skipped, naming its index and why. */
  readonly problems: readonly string[];
}

/**
 * Turns a JWKS document into verification keys. Keys that cannot be used for signature
 * verification (wrong `use`/`key_ops`, unsupported type, RSA under 2048 bits) are skipped
 * with a problem line; private key material is always a problem, because a JWKS that leaks
 * a private key means the issuer is compromised, not that we should ignore a member.
 */
export function parseJwks(document: unknown): JwksParseResult {
  if (
    typeof document !== 'object' ||
    document === null ||
    !Array.isArray((document as { keys?: unknown }).keys)
  ) {
    return { keySet: { keys: [] }, problems: ['not a JWKS: expected an object with a "keys" array'] };
  }
  const keys: VerificationKey[] = [];
  const problems: string[] = [];
  (document as { keys: unknown[] }).keys.forEach((jwk, index) => {
    const result = toVerificationKey(jwk);
    if (typeof result === 'string') problems.push(`keys[${index}]: ${result}`);
    else if (result) keys.push(result);
  });
  return { keySet: { keys }, problems };
}

/** Returns a key, undefined for a key that is not for verification, or a problem string. */
function toVerificationKey(jwk: unknown): VerificationKey | undefined | string {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return 'not an object';
  const k = jwk as Record<string, unknown>;
  if (PRIVATE_MEMBERS.some((m) => m in k)) return 'contains private or symmetric key material';
  if (k.kty !== 'RSA' && k.kty !== 'EC' && k.kty !== 'OKP') return `unsupported kty ${JSON.stringify(k.kty)}`;
  if (k.use !== undefined && k.use !== 'sig') return undefined;
  if (k.key_ops !== undefined && !(Array.isArray(k.key_ops) && k.key_ops.includes('verify')))
    return undefined;
  if (k.kid !== undefined && (typeof k.kid !== 'string' || k.kid === ''))
    return 'kid must be a non-empty string';
  if (k.alg !== undefined && !isAlgorithm(k.alg)) return `unsupported alg ${JSON.stringify(k.alg)}`;
  const crv = typeof k.crv === 'string' ? k.crv : undefined;
  let key: KeyObject;
  try {
    key = createPublicKey({ key: k as JsonWebKey, format: 'jwk' });
  } catch (error) {
    return `invalid key: ${(error as Error).message}`;
  }
  if (k.kty === 'RSA') {
    const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS) return `RSA modulus of ${bits} bits is under ${MIN_RSA_BITS}`;
  }
  const alg = k.alg as Algorithm | undefined;
  if (alg && !keyFitsAlgorithm(alg, k.kty, crv)) return `alg ${alg} does not fit a ${k.kty} ${crv ?? ''} key`;
  return { kid: k.kid as string | undefined, kty: k.kty, crv, alg, key };
}

/**
 * Picks the one key that may verify a token. With a `kid`, the key must carry that kid; without
 * one, exactly one key of the set may fit `alg` — guessing among several would let a token pick
 * its verifier.
 */
export function selectKey(keySet: KeySet, alg: Algorithm, kid: string | undefined): KeySelection {
  let found: VerificationKey | undefined;
  for (const candidate of keySet.keys) {
    if (kid !== undefined && candidate.kid !== kid) continue;
    if (candidate.alg !== undefined && candidate.alg !== alg) continue;
    if (!keyFitsAlgorithm(alg, candidate.kty, candidate.crv)) continue;
    if (found) return { ok: false, problem: 'ambiguous_key' };
    found = candidate;
  }
  return found ? { ok: true, key: found } : { ok: false, problem: 'no_matching_key' };
}

import { constants, type KeyObject, verify } from 'node:crypto';

/**
 * The asymmetric JWS algorithms an issuer may allow. `none` and the HMAC family are absent on
 * purpose: a shared secret cannot be published in a JWKS, and accepting `HS256` with a public
 * key as the secret is the classic algorithm-confusion attack.
 */
export const ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

const algorithmSet: ReadonlySet<string> = new Set(ALGORITHMS);
export function isAlgorithm(value: unknown): value is Algorithm {
  return typeof value === 'string' && algorithmSet.has(value);
}

interface AlgorithmSpec {
  readonly kty: 'RSA' | 'EC' | 'OKP';
  /** Curves an EC/OKP key must be on to serve this algorithm. */
  readonly curves?: readonly string[];
  readonly hash: string | null;
  readonly pss?: boolean;
  /** ECDSA signatures are r||s, each exactly this many bytes (RFC 7518 §3.4). */
  readonly ecdsaPartBytes?: number;
}

const SPECS: Readonly<Record<Algorithm, AlgorithmSpec>> = {
  RS256: { kty: 'RSA', hash: 'sha256' },
  RS384: { kty: 'RSA', hash: 'sha384' },
  RS512: { kty: 'RSA', hash: 'sha512' },
  PS256: { kty: 'RSA', hash: 'sha256', pss: true },
  PS384: { kty: 'RSA', hash: 'sha384', pss: true },
  PS512: { kty: 'RSA', hash: 'sha512', pss: true },
  ES256: { kty: 'EC', curves: ['P-256'], hash: 'sha256', ecdsaPartBytes: 32 },
  ES384: { kty: 'EC', curves: ['P-384'], hash: 'sha384', ecdsaPartBytes: 48 },
  ES512: { kty: 'EC', curves: ['P-521'], hash: 'sha512', ecdsaPartBytes: 66 },
  EdDSA: { kty: 'OKP', curves: ['Ed25519', 'Ed448'], hash: null },
};

/** Whether a public key of this type (and curve) can verify signatures of `alg`. */
export function keyFitsAlgorithm(alg: Algorithm, kty: string, crv: string | undefined): boolean {
  const spec = SPECS[alg];
  if (spec.kty !== kty) return false;
  return spec.curves === undefined || (crv !== undefined && spec.curves.includes(crv));
}

/**
 * Verifies a JWS signature with node:crypto, which is about twice as fast here as WebCrypto
 * (see FACTS). Returns false, never throws, for any malformed signature.
 */
export function verifySignature(alg: Algorithm, key: KeyObject, data: Buffer, signature: Buffer): boolean {
  const spec = SPECS[alg];
  try {
    if (spec.ecdsaPartBytes !== undefined) {
      // IEEE P1363 only: a DER signature, or one of any other length, is refused outright.
      if (signature.length !== spec.ecdsaPartBytes * 2) return false;
      return verify(spec.hash, data, { key, dsaEncoding: 'ieee-p1363' }, signature);
    }
    if (spec.pss) {
      return verify(
        spec.hash,
        data,
        { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST },
        signature,
      );
    }
    return verify(spec.hash, data, key, signature);
  } catch {
    return false;
  }
}

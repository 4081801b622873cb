/**
 * Signing keys generated at test time: nothing secret is ever committed, and every run proves
 * the suite works with fresh keys.
 */
import { generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';

export type TestAlg = 'ES256' | 'ES384' | 'RS256' | 'PS256' | 'EdDSA';

export interface TestKey {
  readonly alg: TestAlg;
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** The public JWK as a JWKS publishes it (`kid`, `alg`, `use: "sig"`). */
  readonly jwk: JsonWebKey;
}

function pair(alg: TestAlg, rsaBits: number): { privateKey: KeyObject; publicKey: KeyObject } {
  switch (alg) {
    case 'ES256':
      return generateKeyPairSync('ec', { namedCurve: 'P-256' });
    case 'ES384':
      return generateKeyPairSync('ec', { namedCurve: 'P-384' });
    case 'RS256':
    case 'PS256':
      return generateKeyPairSync('rsa', { modulusLength: rsaBits });
    case 'EdDSA':
      return generateKeyPairSync('ed25519');
  }
}

/** A fresh key pair. `rsaBits` exists to build deliberately weak RSA keys. */
export function generateKey(alg: TestAlg, kid: string, options: { rsaBits?: number } = {}): TestKey {
  const { privateKey, publicKey } = pair(alg, options.rsaBits ?? 2048);
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
  return { alg, kid, privateKey, publicKey, jwk };
}

/** A JWKS document publishing the public halves of `keys`. */
export function jwksOf(...keys: readonly TestKey[]): { keys: JsonWebKey[] } {
  return { keys: keys.map((k) => k.jwk) };
}

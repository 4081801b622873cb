/**
 * Signing keys generated at test time: nothing secret is ever committed, and every run proves
 * the suite works with fresh keys.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
} from 'node:crypto';

export type TestAlg = 'ES256' | 'ES384' | 'RS256' | 'PS256' | 'EdDSA';

export interface TestKey {
  readonly alg: TestAlg;
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** The public JWK as a JWKS publishes it (`kid`, `alg`, `use: "sig"`). */
  readonly jwk: JsonWebKey;
}

export type KeyKind =
  | { type: 'ec'; namedCurve: 'P-256' | 'P-384' | 'P-521' }
  | { type: 'rsa'; modulusLength: number }
  | { type: 'ed25519' };

/**
 * A key pair generated as DER and re-imported. On Node 20, exporting a KeyObject straight from
 * `generateKeyPairSync` (as JWK, say) can deadlock the process when GC finalises the generation
 * job mid-export; a re-imported key shares no state with the job (see functions/signing/jwk.ts).
 * Every test key goes through here.
 */
export function keyPair(kind: KeyKind): { privateKey: KeyObject; publicKey: KeyObject } {
  const der = derPair(kind);
  return {
    privateKey: createPrivateKey({ key: der.privateKey, format: 'der', type: 'pkcs8' }),
    publicKey: createPublicKey({ key: der.publicKey, format: 'der', type: 'spki' }),
  };
}

function derPair(kind: KeyKind): { privateKey: Buffer; publicKey: Buffer } {
  const privateKeyEncoding = { type: 'pkcs8', format: 'der' } as const;
  const publicKeyEncoding = { type: 'spki', format: 'der' } as const;
  switch (kind.type) {
    case 'ec':
      return generateKeyPairSync('ec', {
        namedCurve: kind.namedCurve,
        privateKeyEncoding,
        publicKeyEncoding,
      });
    case 'rsa':
      return generateKeyPairSync('rsa', {
        modulusLength: kind.modulusLength,
        privateKeyEncoding,
        publicKeyEncoding,
      });
    case 'ed25519':
      return generateKeyPairSync('ed25519', { privateKeyEncoding, publicKeyEncoding });
  }
}

function pair(alg: TestAlg, rsaBits: number): { privateKey: KeyObject; publicKey: KeyObject } {
  switch (alg) {
    case 'ES256':
      return keyPair({ type: 'ec', namedCurve: 'P-256' });
    case 'ES384':
      return keyPair({ type: 'ec', namedCurve: 'P-384' });
    case 'RS256':
    case 'PS256':
      return keyPair({ type: 'rsa', modulusLength: rsaBits });
    case 'EdDSA':
      return keyPair({ type: 'ed25519' });
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

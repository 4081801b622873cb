import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import type { JwtClaims, PublicJwk } from './types.ts';

/**
 * The `kid` of an EC P-256 key: its RFC 7638 JWK thumbprint. Deriving the kid from the public
 * key (instead of storing a name) means the signer and the JWKS agree by construction, and a
 * rotator that crashed can always recompute it from KMS `GetPublicKey`.
 */
export function thumbprintKid(jwk: { readonly crv: string; readonly x: string; readonly y: string }): string {
  // Members in lexicographic order, no whitespace: the RFC's canonical form.
  const canonical = `{"crv":"${jwk.crv}","kty":"EC","x":"${jwk.x}","y":"${jwk.y}"}`;
  return createHash('sha256').update(canonical).digest('base64url');
}

/**
 * The public JWK of a P-256 key given as SubjectPublicKeyInfo DER (what KMS `GetPublicKey`
 * returns). Throws a TypeError for any other key type or curve: signing ES256 with it would
 * produce tokens nobody can verify.
 */
export function publicJwkFromSpki(spki: Uint8Array): { jwk: PublicJwk; key: KeyObject } {
  const key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  return { jwk: publicJwkOf(key), key };
}

/** The public JWK (`kid` = thumbprint) of a P-256 public or private KeyObject. */
export function publicJwkOf(key: KeyObject): PublicJwk {
  // createPublicKey refuses a public KeyObject as input; it derives one from a private key.
  const exported = (key.type === 'public' ? key : createPublicKey(key)).export({ format: 'jwk' });
  if (exported.kty !== 'EC' || exported.crv !== 'P-256' || !exported.x || !exported.y) {
    throw new TypeError(`expected an EC P-256 key, got ${exported.kty} ${exported.crv ?? ''}`);
  }
  const { x, y } = exported;
  return {
    kty: 'EC',
    crv: 'P-256',
    x,
    y,
    kid: thumbprintKid({ crv: 'P-256', x, y }),
    alg: 'ES256',
    use: 'sig',
  };
}

/** The JWS signing input `base64url(header).base64url(claims)` of an ES256 token. */
export function signingInput(kid: string, claims: JwtClaims): string {
  const header = { alg: 'ES256', typ: 'JWT', kid };
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode(header)}.${encode(claims)}`;
}

/**
 * A fresh P-256 private key. Generated as DER and re-imported on purpose: on Node 20, exporting a
 * KeyObject that `generateKeyPairSync` returned (e.g. as JWK) can deadlock the process forever
 * when a garbage collection finalises the generation job mid-export (seen here: the main thread
 * waits on the key's mutex inside `~KeyGenJob`, called from GC inside `ExportJWKEcKey`). A key
 * imported from DER shares no state with the job.
 */
export function newP256PrivateKey(): KeyObject {
  const { privateKey } = generateKeyPairSync('ec', {
    namedCurve: 'P-256',
    privateKeyEncoding: { type: 'pkcs8', format: 'der' },
    publicKeyEncoding: { type: 'spki', format: 'der' },
  });
  return createPrivateKey({ key: privateKey, format: 'der', type: 'pkcs8' });
}

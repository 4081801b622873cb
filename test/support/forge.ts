/**
 * A token forger: builds compact JWS strings from arbitrary header and claims (objects, or raw
 * JSON text so duplicate keys and `__proto__` members survive), signed by any key, by an HMAC
 * secret, or carrying whatever signature bytes an attack needs.
 */
import { constants, createHmac, type KeyObject, sign } from 'node:crypto';

export const b64u = (data: string | Uint8Array): string => Buffer.from(data).toString('base64url');
export const fromB64u = (segment: string): Buffer => Buffer.from(segment, 'base64url');

const HASH: Record<string, string> = { '256': 'sha256', '384': 'sha384', '512': 'sha512' };

/** How the signature segment is produced. */
export type Signer =
  /** Sign as `alg` (any JWS name: ES*, RS*, PS*, EdDSA, HS*) with a private key or an HMAC secret. */
  | { alg: string; key: KeyObject | Uint8Array; der?: boolean }
  /** These exact signature bytes. */
  | { bytes: Uint8Array }
  /** This exact signature segment text, encoded or not. */
  | { segment: string };

export interface ForgeInput {
  readonly header: Record<string, unknown> | string;
  readonly claims: Record<string, unknown> | string;
  readonly signer: Signer;
}

/** Signs `input` as the JWS algorithm `alg` would. `der` gives ECDSA's DER form instead of r||s. */
export function signBytes(alg: string, key: KeyObject | Uint8Array, input: Buffer, der = false): Buffer {
  const hash = HASH[alg.slice(2)] ?? 'sha256';
  if (alg.startsWith('HS'))
    return createHmac(hash, key as Uint8Array)
      .update(input)
      .digest();
  const k = key as KeyObject;
  if (alg === 'EdDSA') return sign(null, input, k);
  if (alg.startsWith('ES')) return sign(hash, input, { key: k, dsaEncoding: der ? 'der' : 'ieee-p1363' });
  if (alg.startsWith('PS')) {
    return sign(hash, input, {
      key: k,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
    });
  }
  return sign(hash, input, k);
}

const json = (part: Record<string, unknown> | string) =>
  typeof part === 'string' ? part : JSON.stringify(part);

export function forge({ header, claims, signer }: ForgeInput): string {
  const signingInput = `${b64u(json(header))}.${b64u(json(claims))}`;
  if ('segment' in signer) return `${signingInput}.${signer.segment}`;
  const signature =
    'bytes' in signer
      ? signer.bytes
      : signBytes(signer.alg, signer.key, Buffer.from(signingInput), signer.der);
  return `${signingInput}.${b64u(signature)}`;
}

/** The three segments of a compact token. */
export function segments(token: string): [string, string, string] {
  const [h = '', p = '', s = ''] = token.split('.');
  return [h, p, s];
}

/** `token` with segment `index` replaced by `text`. */
export function withSegment(token: string, index: 0 | 1 | 2, text: string): string {
  const parts = segments(token);
  parts[index] = text;
  return parts.join('.');
}

/** Order of the P-256 group: for any valid ES256 signature (r, s), (r, n − s) verifies too. */
const P256_N = BigInt('0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551');

/** The same ES256 token with its signature re-encoded as (r, n − s): a second valid spelling. */
export function malleateEs256(token: string): string {
  const signature = fromB64u(segments(token)[2]);
  const s = BigInt(`0x${signature.subarray(32).toString('hex')}`);
  const flipped = Buffer.from((P256_N - s).toString(16).padStart(64, '0'), 'hex');
  return withSegment(token, 2, b64u(Buffer.concat([signature.subarray(0, 32), flipped])));
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * `segment` with an unused trailing bit set: the same bytes to a lenient decoder, a different
 * string. Undefined when the segment's length leaves no unused bits (a multiple of 4 chars).
 */
export function setUnusedBit(segment: string): string | undefined {
  if (segment.length % 4 === 0) return undefined;
  const last = ALPHABET.indexOf(segment.slice(-1));
  return segment.slice(0, -1) + ALPHABET[last | 1];
}

/** Standard base64 (`+`, `/`) for a base64url segment. */
export const toStandardBase64 = (segment: string): string =>
  segment.replaceAll('-', '+').replaceAll('_', '/');

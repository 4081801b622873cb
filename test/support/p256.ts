/**
 * ECDSA P-256 over a caller-supplied SHA-256 digest, in BigInt arithmetic. Node's `crypto.sign`
 * always hashes its input for EC keys, so it cannot do what KMS `Sign` with `MessageType:
 * DIGEST` does; this does, with a random nonce as KMS uses. Test-only: not constant time.
 */
import { randomBytes } from 'node:crypto';

const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const G: Point = {
  x: 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n,
  y: 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n,
  z: 1n,
};

/** Jacobian coordinates; `undefined` is the point at infinity. */
interface Point {
  readonly x: bigint;
  readonly y: bigint;
  readonly z: bigint;
}

const mod = (a: bigint, m: bigint) => ((a % m) + m) % m;

/** Modular inverse by the extended Euclidean algorithm (much faster than a^(m−2) in BigInt). */
function inverse(a: bigint, m: bigint): bigint {
  let [r0, r1] = [mod(a, m), m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  return mod(s0, m);
}

function double(p: Point | undefined): Point | undefined {
  if (!p || p.y === 0n) return undefined;
  // a = −3 doubling formulas (dbl-2001-b).
  const delta = (p.z * p.z) % P;
  const gamma = (p.y * p.y) % P;
  const beta = (p.x * gamma) % P;
  const alpha = mod(3n * (p.x - delta) * (p.x + delta), P);
  const x = mod(alpha * alpha - 8n * beta, P);
  const z = mod((p.y + p.z) ** 2n - gamma - delta, P);
  const y = mod(alpha * (4n * beta - x) - 8n * gamma * gamma, P);
  return { x, y, z };
}

function add(p: Point | undefined, q: Point | undefined): Point | undefined {
  if (!p) return q;
  if (!q) return p;
  const z1z1 = (p.z * p.z) % P;
  const z2z2 = (q.z * q.z) % P;
  const u1 = (p.x * z2z2) % P;
  const u2 = (q.x * z1z1) % P;
  const s1 = (p.y * q.z * z2z2) % P;
  const s2 = (q.y * p.z * z1z1) % P;
  if (u1 === u2) return s1 === s2 ? double(p) : undefined;
  const h = mod(u2 - u1, P);
  const r = mod(s2 - s1, P);
  const hh = (h * h) % P;
  const hhh = (hh * h) % P;
  const x = mod(r * r - hhh - 2n * u1 * hh, P);
  const y = mod(r * (u1 * hh - x) - s1 * hhh, P);
  return { x, y, z: (h * p.z * q.z) % P };
}

/**
 * Fixed-base table: TABLE[i][j] = j · 16^i · G. k·G is then one addition per 4-bit digit of k
 * (64 in all) instead of 256 doublings and ~128 additions — the tests sign thousands of tokens.
 */
const TABLE: (Point | undefined)[][] = (() => {
  const rows: (Point | undefined)[][] = [];
  let base: Point | undefined = G;
  for (let i = 0; i < 64; i++) {
    const row: (Point | undefined)[] = [undefined];
    for (let j = 1; j < 16; j++) row.push(add(row[j - 1], base));
    rows.push(row);
    base = double(double(double(double(base))));
  }
  return rows;
})();

function multiplyG(k: bigint): Point | undefined {
  let result: Point | undefined;
  for (let i = 0; i < 64; i++) result = add(result, TABLE[i]?.[Number((k >> BigInt(4 * i)) & 15n)]);
  return result;
}

const toBigInt = (bytes: Uint8Array) => BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
const to32 = (n: bigint) => Buffer.from(n.toString(16).padStart(64, '0'), 'hex');

/** r‖s (64 bytes) of an ECDSA signature of `digest` (32 bytes) by private scalar `d` (JWK `d`). */
export function signDigest(digest: Uint8Array, d: Uint8Array): Buffer {
  if (digest.length !== 32) throw new TypeError('a SHA-256 digest is 32 bytes');
  const e = toBigInt(digest);
  const secret = toBigInt(d);
  for (;;) {
    const k = toBigInt(randomBytes(32));
    if (k === 0n || k >= N) continue;
    const point = multiplyG(k);
    if (!point) continue;
    const zInv = inverse(point.z, P);
    const r = mod((point.x * zInv * zInv) % P, N);
    if (r === 0n) continue;
    const s = mod(inverse(k, N) * (e + r * secret), N);
    if (s === 0n) continue;
    return Buffer.concat([to32(r), to32(s)]);
  }
}

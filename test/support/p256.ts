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

function pow(base: bigint, exp: bigint, m: bigint): bigint {
  let result = 1n;
  let b = mod(base, m);
  for (let e = exp; e > 0n; e >>= 1n) {
    if (e & 1n) result = (result * b) % m;
    b = (b * b) % m;
  }
  return result;
}

const inverse = (a: bigint, m: bigint) => pow(a, m - 2n, m);

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

function multiply(k: bigint, point: Point): Point | undefined {
  let result: Point | undefined;
  for (let i = BigInt(k.toString(2).length - 1); i >= 0n; i--) {
    result = double(result);
    if ((k >> i) & 1n) result = add(result, point);
  }
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
    const point = multiply(k, G);
    if (!point) continue;
    const zInv = inverse(point.z, P);
    const r = mod((point.x * zInv * zInv) % P, N);
    if (r === 0n) continue;
    const s = mod(inverse(k, N) * (e + r * secret), N);
    if (s === 0n) continue;
    return Buffer.concat([to32(r), to32(s)]);
  }
}

/**
 * ECDSA signature encodings. KMS (like OpenSSL by default) returns an ASN.1 DER
 * `SEQUENCE { INTEGER r, INTEGER s }`; JWS (RFC 7518 §3.4) wants the fixed-size concatenation
 * r‖s, each integer left-padded to the curve's byte length — 64 bytes for ES256. The authorizer
 * refuses anything else, so the conversion is strict: a malformed or oversized DER value throws
 * instead of producing a signature that would fail somewhere less obvious.
 */

/** Thrown for a DER value that is not exactly one well-formed ECDSA signature. */
export class DerSignatureError extends Error {
  override readonly name = 'DerSignatureError';
}

/** r‖s (`2 × size` bytes) from a DER ECDSA signature; `size` is 32 for P-256. */
export function derToJose(der: Uint8Array, size = 32): Buffer {
  const reader = new DerReader(der);
  reader.expect(0x30, 'SEQUENCE');
  const sequenceLength = reader.length();
  if (sequenceLength !== der.length - reader.offset) throw new DerSignatureError('SEQUENCE length mismatch');
  const r = reader.integer(size);
  const s = reader.integer(size);
  if (reader.offset !== der.length) throw new DerSignatureError('trailing bytes after s');
  const out = Buffer.alloc(size * 2);
  // Left-padding: DER drops leading zero bytes, JWS keeps the fixed width.
  out.set(r, size - r.length);
  out.set(s, size * 2 - s.length);
  return out;
}

/** The DER form of a r‖s signature (for tests and for the KMS double). */
export function joseToDer(jose: Uint8Array): Buffer {
  if (jose.length % 2 !== 0) throw new DerSignatureError('r‖s must have an even length');
  const half = jose.length / 2;
  const integer = (bytes: Uint8Array): Buffer => {
    let start = 0;
    while (start < bytes.length - 1 && bytes[start] === 0) start++;
    const body = Buffer.from(bytes.subarray(start));
    // A set high bit would read as a negative INTEGER: DER prefixes a zero byte.
    const value = (body[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), body]) : body;
    return Buffer.concat([Buffer.from([0x02, value.length]), value]);
  };
  const body = Buffer.concat([integer(jose.subarray(0, half)), integer(jose.subarray(half))]);
  const length = body.length < 0x80 ? Buffer.from([body.length]) : Buffer.from([0x81, body.length]);
  return Buffer.concat([Buffer.from([0x30]), length, body]);
}

class DerReader {
  offset = 0;
  constructor(private readonly bytes: Uint8Array) {}

  private byte(): number {
    const value = this.bytes[this.offset];
    if (value === undefined) throw new DerSignatureError('truncated DER');
    this.offset++;
    return value;
  }

  expect(tag: number, name: string): void {
    if (this.byte() !== tag) throw new DerSignatureError(`expected ${name}`);
  }

  /** Definite lengths only, in their shortest form (DER, not BER). */
  length(): number {
    const first = this.byte();
    if (first < 0x80) return first;
    if (first !== 0x81) throw new DerSignatureError('unsupported length form');
    const value = this.byte();
    if (value < 0x80) throw new DerSignatureError('non-minimal length');
    return value;
  }

  /** A positive INTEGER of at most `size` significant bytes, without its sign padding. */
  integer(size: number): Uint8Array {
    this.expect(0x02, 'INTEGER');
    const length = this.length();
    if (length === 0 || this.offset + length > this.bytes.length)
      throw new DerSignatureError('bad INTEGER length');
    let value = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    if ((value[0] as number) & 0x80) throw new DerSignatureError('negative INTEGER');
    if (value[0] === 0 && value.length > 1) {
      if (!((value[1] as number) & 0x80)) throw new DerSignatureError('non-minimal INTEGER');
      value = value.subarray(1);
    }
    if (value.length > size) throw new DerSignatureError(`INTEGER longer than ${size} bytes`);
    if (value.every((b) => b === 0)) throw new DerSignatureError('zero INTEGER');
    return value;
  }
}

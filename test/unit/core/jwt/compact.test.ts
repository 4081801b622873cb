import { describe, expect, it } from 'vitest';
import { parseCompactJws } from '../../../../functions/core/jwt/compact.ts';

const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64url');
const HEADER = b64('{"alg":"ES256","typ":"JWT"}');
const CLAIMS = b64('{"sub":"alice","iat":1}');
const SIG = b64(Buffer.alloc(64, 7));
const MAX = 8192;

/** A token of exactly `length` characters whose claims pad it out. */
function tokenOfLength(length: number): string {
  const fixed = `${HEADER}..${SIG}`.length;
  // Each 3 bytes of padding add 4 characters; the claims text keeps a multiple of 3 bytes.
  const base = '{"sub":"alice","p":""}';
  const padBytes = ((length - fixed) / 4) * 3 - base.length;
  const claims = b64(`{"sub":"alice","p":"${'x'.repeat(padBytes)}"}`);
  return `${HEADER}.${claims}.${SIG}`;
}

describe('parseCompactJws', () => {
  it('splits a well-formed token into header, claims, signing input and signature', () => {
    // Act
    const result = parseCompactJws(`${HEADER}.${CLAIMS}.${SIG}`, MAX);

    // Assess
    expect(result).toEqual({
      ok: true,
      jws: {
        header: { alg: 'ES256', typ: 'JWT' },
        claims: { sub: 'alice', iat: 1 },
        signingInput: Buffer.from(`${HEADER}.${CLAIMS}`),
        signature: Buffer.alloc(64, 7),
      },
    });
  });

  it('accepts a token of exactly the cap and refuses one byte more', () => {
    // Prepare
    const atCap = tokenOfLength(MAX);
    const overCap = `${atCap}A`;

    // Act
    const results = [parseCompactJws(atCap, MAX), parseCompactJws(overCap, MAX)];

    // Assess
    expect([atCap.length, overCap.length]).toEqual([MAX, MAX + 1]);
    expect(results.map((r) => (r.ok ? 'ok' : r.reason))).toEqual(['ok', 'token_too_large']);
  });

  it.each([
    { name: 'two segments', token: `${HEADER}.${CLAIMS}` },
    { name: 'four segments', token: `${HEADER}.${CLAIMS}.${SIG}.${SIG}` },
    { name: 'an empty signature (alg none style)', token: `${HEADER}.${CLAIMS}.` },
    { name: 'a padded signature', token: `${HEADER}.${CLAIMS}.${SIG}==` },
    { name: 'a signature with a space', token: `${HEADER}.${CLAIMS}.${SIG.slice(0, 8)} ${SIG.slice(8)}` },
    {
      name: 'a non-canonical last character',
      token: `${HEADER}.${CLAIMS}.${SIG.slice(0, -1)}${String.fromCharCode(SIG.charCodeAt(SIG.length - 1) + 1)}`,
    },
    { name: 'a header that is not JSON', token: `${b64('alg')}.${CLAIMS}.${SIG}` },
    { name: 'a header that is an array', token: `${b64('["ES256"]')}.${CLAIMS}.${SIG}` },
    { name: 'claims that are null', token: `${HEADER}.${b64('null')}.${SIG}` },
    { name: 'claims with a duplicate member', token: `${HEADER}.${b64('{"sub":"a","sub":"b"}')}.${SIG}` },
    { name: 'a header with __proto__', token: `${b64('{"alg":"ES256","__proto__":{}}')}.${CLAIMS}.${SIG}` },
    { name: 'claims that are not UTF-8', token: `${HEADER}.${b64(Buffer.from([0x7b, 0xff, 0x7d]))}.${SIG}` },
    { name: 'claims with a byte-order mark', token: `${HEADER}.${b64('\ufeff{"sub":"a"}')}.${SIG}` },
  ])('refuses $name as malformed_token', ({ token }) => {
    // Act
    const result = parseCompactJws(token, MAX);

    // Assess
    expect(result).toMatchObject({ ok: false, reason: 'malformed_token' });
  });
});

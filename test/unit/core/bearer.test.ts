import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bearerToken } from '../../../functions/core/bearer.ts';

const JWT = 'aaa.bbb.ccc';

describe('bearerToken', () => {
  it.each([
    { name: 'the canonical form', value: `Bearer ${JWT}` },
    { name: 'lower case', value: `bearer ${JWT}` },
    { name: 'mixed case', value: `bEaReR ${JWT}` },
    { name: 'several spaces after the scheme', value: `Bearer    ${JWT}` },
    { name: 'spaces around the value', value: `   Bearer ${JWT}  ` },
  ])('extracts the token from $name', ({ value }) => {
    // Act
    const result = bearerToken(value);

    // Assess
    expect(result).toEqual({ ok: true, token: JWT });
  });

  it.each([
    { name: 'an empty value', value: '', reason: 'missing_token' },
    { name: 'spaces only', value: '   ', reason: 'missing_token' },
    { name: 'no scheme', value: JWT, reason: 'malformed_authorization' },
    { name: 'the scheme alone', value: 'Bearer', reason: 'malformed_authorization' },
    { name: 'the scheme and a space', value: 'Bearer ', reason: 'malformed_authorization' },
    { name: 'another scheme', value: `Basic ${JWT}`, reason: 'malformed_authorization' },
    { name: 'a scheme prefix', value: `Bearerx ${JWT}`, reason: 'malformed_authorization' },
    { name: 'no space after the scheme', value: `Bearer${JWT}`, reason: 'malformed_authorization' },
    { name: 'a tab after the scheme', value: `Bearer\t${JWT}`, reason: 'malformed_authorization' },
    { name: 'a trailing newline', value: `Bearer ${JWT}\n`, reason: 'malformed_authorization' },
    { name: 'a leading tab', value: `\tBearer ${JWT}`, reason: 'malformed_authorization' },
    { name: 'two tokens', value: `Bearer ${JWT} ${JWT}`, reason: 'malformed_authorization' },
    { name: 'two joined values', value: `Bearer ${JWT}, Bearer ${JWT}`, reason: 'malformed_authorization' },
    { name: 'a non-ASCII character', value: `Bearer ${JWT}é`, reason: 'malformed_authorization' },
    { name: 'a NUL character', value: `Bearer ${JWT}\u0000`, reason: 'malformed_authorization' },
  ])('refuses $name ($reason)', ({ value, reason }) => {
    // Act
    const result = bearerToken(value);

    // Assess
    expect(result).toEqual({ ok: false, reason });
  });
});

describe('bearerToken fast path', () => {
  // The rules as first written, without the fast path: the oracle the fast path must agree with.
  const oracle = (headerValue: string) => {
    if (!/^[\x20-\x7e]*$/.test(headerValue)) return { ok: false, reason: 'malformed_authorization' };
    const value = headerValue.replace(/^ +| +$/g, '');
    if (value === '') return { ok: false, reason: 'missing_token' };
    if (value.includes(',')) return { ok: false, reason: 'malformed_authorization' };
    const match = /^bearer +([^ ]+)$/i.exec(value);
    return match?.[1] ? { ok: true, token: match[1] } : { ok: false, reason: 'malformed_authorization' };
  };

  it('answers exactly as the full rules do for any header value', () => {
    const piece = fc.constantFrom(
      'Bearer',
      'bearer',
      'BEARER',
      'Basic',
      ' ',
      '  ',
      '\t',
      ',',
      '.',
      '=',
      'é',
      'a',
      'Z',
      '0',
      '-',
      '_',
      '+',
      '/',
    );
    const header = fc.array(piece, { maxLength: 8 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(header, (value) => {
        expect(bearerToken(value)).toEqual(oracle(value));
      }),
      { numRuns: 20_000 },
    );
  });
});

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

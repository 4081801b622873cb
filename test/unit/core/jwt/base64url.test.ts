import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeBase64url } from '../../../../functions/core/jwt/base64url.ts';

describe('decodeBase64url', () => {
  it.each([
    { segment: 'AA', bytes: [0] },
    { segment: 'AAA', bytes: [0, 0] },
    { segment: 'AAAA', bytes: [0, 0, 0] },
    { segment: '-_8', bytes: [0xfb, 0xff] },
    {
      segment: Buffer.from('{"alg":"ES256"}').toString('base64url'),
      bytes: [...Buffer.from('{"alg":"ES256"}')],
    },
  ])('decodes canonical $segment', ({ segment, bytes }) => {
    // Act
    const decoded = decodeBase64url(segment);

    // Assess
    expect(decoded && [...decoded]).toEqual(bytes);
  });

  it.each([
    { name: 'an empty segment', segment: '' },
    { name: 'padding', segment: 'AA==' },
    { name: 'one padding character', segment: 'AAA=' },
    { name: 'the standard alphabet (+)', segment: '+_8' },
    { name: 'the standard alphabet (/)', segment: '-/8' },
    { name: 'a space inside', segment: 'AA AA' },
    { name: 'a newline inside', segment: 'AA\nAA' },
    { name: 'a length of 4n+1', segment: 'AAAAA' },
    { name: 'non-zero unused bits (2 chars)', segment: 'AB' },
    { name: 'non-zero unused bits (3 chars)', segment: 'AAB' },
    { name: 'a non-ASCII character', segment: 'AAÀA' },
  ])('refuses $name', ({ segment }) => {
    // Act
    const decoded = decodeBase64url(segment);

    // Assess
    expect(decoded).toBeUndefined();
  });

  it('accepts exactly the strings that re-encode to themselves (the definition of canonical)', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const segment = fc.oneof(
      fc.string({ unit: fc.constantFrom(...alphabet, '=', '+', '/', ' ', 'é'), maxLength: 12 }),
      fc.uint8Array({ maxLength: 12 }).map((bytes) => Buffer.from(bytes).toString('base64url')),
    );
    fc.assert(
      fc.property(segment, (s) => {
        const canonical =
          /^[A-Za-z0-9_-]+$/.test(s) && Buffer.from(s, 'base64url').toString('base64url') === s;
        expect(decodeBase64url(s) !== undefined).toBe(canonical);
      }),
      { numRuns: 5000 },
    );
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRequestTarget } from '../../../functions/local/request-target.ts';

const PLAIN = /^[A-Za-z0-9\-._~!$&'()*+,;=:@]$/;

function percentDecode(segment: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < segment.length; i++) {
    if (segment[i] === '%') {
      bytes.push(Number.parseInt(segment.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(segment.charCodeAt(i));
  }
  return Buffer.from(bytes);
}

/** RFC 3986 normal form: characters allowed raw are raw, every other byte is %XX upper case. */
function canonicalEncode(bytes: Buffer): string {
  let out = '';
  for (const byte of bytes) {
    const char = String.fromCharCode(byte);
    out += PLAIN.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

describe('parseRequestTarget', () => {
  // biome-ignore format: one case per line keeps the table readable
  const cases: ReadonlyArray<readonly [string, { path: string; query: string | undefined } | RegExp]> = [
    ['/', { path: '/', query: undefined }],
    ['/api/profile', { path: '/api/profile', query: undefined }],
    ['/api/profile?', { path: '/api/profile', query: '' }],
    ['/api/profile?a=1&b=/../%2e?x', { path: '/api/profile', query: 'a=1&b=/../%2e?x' }],
    ['/a%20b/%C3%A9/%25/%3F', { path: '/a%20b/%C3%A9/%25/%3F', query: undefined }],
    ['/a/', { path: '/a/', query: undefined }],
    ['/...', { path: '/...', query: undefined }],
    ['/a.b/.c/d.', { path: '/a.b/.c/d.', query: undefined }],
    ['http://h/a', /origin-form/],
    ['//h/a', /origin-form/],
    ['*', /origin-form/],
    ['', /origin-form/],
    ['/a#b', /fragment/],
    ['/a/../b', /"\." or "\.\." segment/],
    ['/a/./b', /"\." or "\.\." segment/],
    ['/..', /"\." or "\.\." segment/],
    ['/a//b', /empty segment/],
    ['/a\\b', /must be percent-encoded/],
    ['/a b', /must be percent-encoded/],
    ['/a%2e%2e', /%2e must be upper case/],
    ['/a/%2E%2E/b', /%2E: write "\."/],
    ['/%41', /%41: write "A"/],
    ['/%2F', /encoded separator/],
    ['/%5C', /encoded separator/],
    ['/%00', /encoded separator or control/],
    ['/%7F', /encoded separator or control/],
    ['/%4', /two hex digits/],
    ['/%GG', /two hex digits/],
  ];

  it.each(cases)('%j', (target, expected) => {
    const result = parseRequestTarget(target);
    if (expected instanceof RegExp) {
      expect(result.ok).toBe(false);
      expect(!result.ok && result.problem).toMatch(expected);
    } else {
      expect(result).toEqual({ ok: true, ...expected });
    }
  });

  /**
   * The rule's promise: an accepted path is one a backend cannot read as another. URL
   * normalisation (WHATWG, as Node's own URL parser and most frameworks do it) leaves it as it
   * is, and percent-decoding each segment gives no separator and no dot-segment.
   */
  it('accepted paths are fixed points of URL normalisation and decode to the same segments', () => {
    const pieces = fc.constantFrom(
      'a',
      'Z',
      '0',
      '.',
      '..',
      '/',
      '//',
      '\\',
      '%2e',
      '%2E',
      '%2f',
      '%2F',
      '%5C',
      '%41',
      '%20',
      '%C3%A9',
      '%c3',
      '%',
      '%0',
      '%00',
      '~',
      ':',
      '@',
      ';',
      '=',
      '?',
      '#',
      ' ',
      'é',
    );
    fc.assert(
      fc.property(fc.array(pieces, { maxLength: 12 }), (parts) => {
        const target = `/${parts.join('')}`;
        const result = parseRequestTarget(target);
        if (!result.ok) return;
        expect(new URL(result.path, 'http://h').pathname).toBe(result.path);
        for (const segment of result.path.split('/').slice(1)) {
          const bytes = percentDecode(segment);
          expect(bytes.includes(0x2f) || bytes.includes(0x5c)).toBe(false);
          expect(['.', '..']).not.toContain(bytes.toString('latin1'));
          // One spelling: encoding the bytes back the canonical way gives the segment again.
          expect(canonicalEncode(bytes)).toBe(segment);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

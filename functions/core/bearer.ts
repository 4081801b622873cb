import type { CredentialReason } from './reasons.ts';

export type BearerResult = { ok: true; token: string } | { ok: false; reason: CredentialReason };

// Printable ASCII only: a tab, newline or any control character is refused, not trimmed.
const PRINTABLE = /^[\x20-\x7e]*$/;
const BEARER = /^bearer +([^ ]+)$/i;
// The shape nearly every request has. Anything it matches, the full rules below would accept
// with the same token (printable, untrimmed, no comma, one space); anything else takes them.
const PLAIN = /^[Bb]earer ([A-Za-z0-9_.-]+)$/;

/**
 * Extracts the token from an Authorization header value: `Bearer` in any case, one or more
 * spaces, the token; spaces around the value are ignored. A comma means the header was sent
 * twice and joined — base64url never contains one — so it is refused rather than split.
 */
export function bearerToken(headerValue: string): BearerResult {
  const plain = PLAIN.exec(headerValue);
  if (plain?.[1]) return { ok: true, token: plain[1] };
  if (!PRINTABLE.test(headerValue)) return { ok: false, reason: 'malformed_authorization' };
  const value = headerValue.replace(/^ +| +$/g, '');
  if (value === '') return { ok: false, reason: 'missing_token' };
  if (value.includes(',')) return { ok: false, reason: 'malformed_authorization' };
  const match = BEARER.exec(value);
  return match?.[1] ? { ok: true, token: match[1] } : { ok: false, reason: 'malformed_authorization' };
}

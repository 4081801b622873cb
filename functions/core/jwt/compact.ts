import { decodeBase64url } from './base64url.ts';
import { parseSafeJson } from './safe-json.ts';

/** A JWS in compact form whose structure, but not signature, has been checked. */
export interface ParsedJws {
  readonly header: Readonly<Record<string, unknown>>;
  readonly claims: Readonly<Record<string, unknown>>;
  /** ASCII bytes of `header.payload`, the input the signature covers. */
  readonly signingInput: Buffer;
  readonly signature: Buffer;
}

export type ParseFailure = 'token_too_large' | 'malformed_token';
export type ParseResult = { ok: true; jws: ParsedJws } | { ok: false; reason: ParseFailure; detail: string };

/**
 * Splits and decodes a compact JWS. The size cap is checked first, before any decoding, so an
 * oversized token costs nothing. Each segment must be canonical base64url and header and
 * claims must be JSON objects without duplicate or prototype-named members.
 */
export function parseCompactJws(token: string, maxBytes: number): ParseResult {
  // Characters outside ASCII fail the alphabet check below, so length is the byte count here.
  if (token.length > maxBytes) return fail('token_too_large', `token longer than ${maxBytes} bytes`);
  const parts = token.split('.');
  if (parts.length !== 3) return fail('malformed_token', 'token is not three dot-separated segments');
  const [h, p, s] = parts as [string, string, string];
  const headerBytes = decodeBase64url(h);
  const payloadBytes = decodeBase64url(p);
  const signature = decodeBase64url(s);
  if (!headerBytes || !payloadBytes || !signature) {
    return fail('malformed_token', 'segment is not canonical base64url');
  }
  const header = parseObject(headerBytes);
  if (typeof header === 'string') return fail('malformed_token', `header: ${header}`);
  const claims = parseObject(payloadBytes);
  if (typeof claims === 'string') return fail('malformed_token', `claims: ${claims}`);
  return {
    ok: true,
    jws: { header, claims, signingInput: Buffer.from(`${h}.${p}`, 'ascii'), signature },
  };
}

// ignoreBOM keeps a leading BOM in the text, so JSON.parse refuses it instead of skipping it.
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function parseObject(bytes: Buffer): Record<string, unknown> | string {
  let decoded: string;
  try {
    decoded = UTF8.decode(bytes);
  } catch {
    return 'not UTF-8';
  }
  const parsed = parseSafeJson(decoded);
  if (!parsed.ok) return parsed.problem;
  const value = parsed.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'not a JSON object';
  return value as Record<string, unknown>;
}

function fail(reason: ParseFailure, detail: string): ParseResult {
  return { ok: false, reason, detail };
}

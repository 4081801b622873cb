/**
 * The gateway's rule for request targets: it decides on a path and forwards that same path,
 * byte for byte, to the upstream's origin. A decision is only worth something if the upstream
 * reads the path the way the policy did, so a path that a backend could read as a *different*
 * path is refused (400) instead of being normalised here:
 *
 * - the target must be origin-form (`/path?query`, RFC 9112 §3.2.1): absolute-form
 *   (`http://host/…`), scheme-relative (`//host/…`), authority-form and `*` would let the
 *   client choose where the request — and its token — goes;
 * - no dot-segments (`.`/`..`) and no empty segments (`//`): backends resolve and merge them;
 * - no backslash, and no percent-encoded `/`, `\` or control byte: backends decode them into
 *   separators or truncate at them;
 * - one spelling per path: a percent-escape is allowed only for a byte that has no plain
 *   spelling in a path (so `%70` for `p` and `%2e` for `.` are refused), in upper-case hex;
 *   every other byte must be one of RFC 3986's `pchar` characters, raw.
 *
 * The query string is not part of the decision; it is forwarded exactly as sent (no `#`).
 * Letter case and a trailing slash are forwarded as decided: a backend that folds them must
 * be matched by policies that cover every spelling it accepts.
 */
export type RequestTarget =
  | { readonly ok: true; readonly path: string; readonly query: string | undefined }
  | { readonly ok: false; readonly problem: string };

/** unreserved / sub-delims / ":" / "@" (RFC 3986 §3.3): allowed raw, so never escaped. */
const PLAIN = /^[A-Za-z0-9\-._~!$&'()*+,;=:@]$/;
const RAW_PATH_CHARS = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$/;
const ESCAPE = /%([0-9A-Fa-f]{2})?/g;

export function parseRequestTarget(target: string): RequestTarget {
  if (!target.startsWith('/') || target.startsWith('//')) {
    return refuse('the request target must be origin-form: one "/" then the path (no scheme or host)');
  }
  if (target.includes('#')) return refuse('the request target must not hold a fragment ("#")');
  const question = target.indexOf('?');
  const path = question < 0 ? target : target.slice(0, question);
  const query = question < 0 ? undefined : target.slice(question + 1);
  if (!RAW_PATH_CHARS.test(path)) {
    return refuse('the path holds a character that must be percent-encoded (or a backslash)');
  }
  for (const match of path.matchAll(ESCAPE)) {
    const hex = match[1];
    if (hex === undefined) return refuse('the path holds a "%" that is not followed by two hex digits');
    if (hex !== hex.toUpperCase()) return refuse(`the path escape %${hex} must be upper case`);
    const byte = Number.parseInt(hex, 16);
    if (byte < 0x20 || byte === 0x7f || byte === 0x2f || byte === 0x5c) {
      return refuse(`the path holds %${hex}: an encoded separator or control byte`);
    }
    if (PLAIN.test(String.fromCharCode(byte))) {
      return refuse(`the path holds %${hex}: write "${String.fromCharCode(byte)}" instead`);
    }
  }
  const segments = path.split('/');
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i];
    if (segment === '.' || segment === '..') return refuse('the path holds a "." or ".." segment');
    // The last segment may be empty (a trailing slash); an inner one may not.
    if (segment === '' && i < segments.length - 1) return refuse('the path holds an empty segment ("//")');
  }
  return { ok: true, path, query };
}

function refuse(problem: string): RequestTarget {
  return { ok: false, problem };
}

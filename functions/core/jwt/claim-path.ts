/**
 * Where a claim lives in a token's payload. Config names a claim three ways:
 *
 * - a plain name with no leading `/` is one top-level member, verbatim: `roles`,
 *   `cognito:groups`, `https://example.com/roles` (a `.` or `/` inside is part of the name);
 * - a string starting with `/` is a JSON Pointer (RFC 6901): `/realm_access/roles`, with `~1`
 *   for a `/` and `~0` for a `~` inside one member name;
 * - an array of member names: `["resource_access", "orders-api", "roles"]`.
 *
 * A path only ever descends through JSON objects, by own members (`Object.hasOwn`, never the
 * prototype chain). It never indexes into an array: a step that meets an array finds nothing,
 * even when the segment is a number, because an IdP's array order is not a contract and `"0"`
 * would otherwise mean two different things. Only the last step's value may be an array.
 */
import { ConfigError, join, show } from '../config/reader.ts';

/** Member names from the payload's top level down; never empty. */
export type ClaimPath = readonly string[];

// The token parser refuses these members at any depth (safe-json.ts), so a path through one
// could never match anything: naming one in config is a mistake worth saying.
const NEVER_PRESENT: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** Parses a claim path from config; throws `ConfigError` at `at`. */
export function claimPathFrom(value: unknown, at: string): ClaimPath {
  let segments: string[];
  if (typeof value === 'string') {
    if (value === '') throw new ConfigError(at, 'expected a claim name or a JSON Pointer, got ""');
    segments = value.startsWith('/') ? pointerSegments(value, at) : [value];
  } else if (Array.isArray(value) && value.length > 0) {
    segments = value.map((segment, i) => {
      if (typeof segment !== 'string' || segment === '') {
        throw new ConfigError(join(at, i), `expected a non-empty member name, got ${show(segment)}`);
      }
      return segment;
    });
  } else {
    throw new ConfigError(
      at,
      `expected a claim name, a JSON Pointer ("/realm_access/roles") or a non-empty array of member names, got ${show(value)}`,
    );
  }
  const refused = segments.find((s) => NEVER_PRESENT.has(s));
  if (refused !== undefined) {
    throw new ConfigError(at, `member ${show(refused)} is never present: tokens holding it are refused`);
  }
  return Object.freeze(segments);
}

function pointerSegments(pointer: string, at: string): string[] {
  return pointer
    .slice(1)
    .split('/')
    .map((token) => {
      if (token === '') throw new ConfigError(at, `JSON Pointer ${show(pointer)} has an empty member name`);
      if (/~(?![01])/.test(token)) {
        throw new ConfigError(at, `JSON Pointer ${show(pointer)}: "~" must be followed by 0 or 1 (RFC 6901)`);
      }
      return token.replaceAll('~1', '/').replaceAll('~0', '~');
    });
}

/** The value at `path` in `claims`, or undefined when any step is missing or not an object. */
export function claimAt(claims: Readonly<Record<string, unknown>>, path: ClaimPath): unknown {
  let value: unknown = claims;
  for (const segment of path) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
    if (!Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

/** A path as text for messages: the name itself when it is one top-level member. */
export function showClaimPath(path: ClaimPath): string {
  if (path.length === 1 && !(path[0] as string).startsWith('/')) return path[0] as string;
  return `/${path.map((s) => s.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`;
}

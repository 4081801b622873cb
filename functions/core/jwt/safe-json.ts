/**
 * JSON parsing for untrusted token segments.
 *
 * `JSON.parse` silently keeps the last of duplicate member names and accepts `__proto__`,
 * `constructor` and `prototype` members. Two parsers disagreeing on duplicates is a classic
 * JWT confusion bug, and prototype-named members are an injection vector for any code that
 * later merges claims, so both are refused here, at any depth, before `JSON.parse` builds
 * the value. Nesting is bounded so a hostile segment cannot make the scan expensive.
 */

// A name with an escape or a raw control character goes through JSON.parse (which decodes the
// one and refuses the other); any other name is its own text.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding raw control characters is the point.
const NEEDS_DECODING = /[\\\x00-\x1f]/;
const FORBIDDEN_MEMBERS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_DEPTH = 32;

export type SafeJsonResult = { ok: true; value: unknown } | { ok: false; problem: string };

/** Parses `text` as JSON, refusing duplicate or prototype-named members and deep nesting. */
export function parseSafeJson(text: string): SafeJsonResult {
  const problem = scanMembers(text);
  if (problem !== undefined) return { ok: false, problem };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, problem: 'invalid JSON' };
  }
  // Fatal UTF-8 decoding upstream rules out raw lone surrogates; only a \uD8xx-style escape can
  // make one, and downstream readers (Cedar's JSON among them) refuse or rewrite such strings.
  if (SURROGATE_ESCAPE.test(text) && hasLoneSurrogate(value))
    return { ok: false, problem: 'lone UTF-16 surrogate' };
  return { ok: true, value };
}

const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function hasLoneSurrogate(value: unknown): boolean {
  if (typeof value === 'string') return LONE_SURROGATE.test(value);
  if (typeof value !== 'object' || value === null) return false;
  for (const [key, child] of Object.entries(value)) {
    if (LONE_SURROGATE.test(key) || hasLoneSurrogate(child)) return true;
  }
  return false;
}

/**
 * Walks the text once, tracking the member names of each open object. Syntax errors are left
 * to `JSON.parse`; this pass only has to find every member name correctly in valid JSON and
 * terminate on anything else.
 */
function scanMembers(text: string): string | undefined {
  // One entry per open container: a Set of member names for objects, null for arrays.
  const stack: Array<Set<string> | null> = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (stack.length >= MAX_DEPTH) return 'nesting too deep';
      stack.push(c === 0x7b ? new Set() : null);
      i++;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      i++;
    } else if (c === 0x22 /* " */) {
      const end = endOfString(text, i);
      if (end < 0) return 'unterminated string';
      const members = stack[stack.length - 1];
      if (members && isFollowedByColon(text, end)) {
        const raw = text.slice(i + 1, end - 1);
        let name = raw;
        if (NEEDS_DECODING.test(raw)) {
          try {
            // Decoding through JSON.parse makes "\u0061" and "a" the same name, as they are.
            name = JSON.parse(text.slice(i, end)) as string;
          } catch {
            return 'invalid member name';
          }
        }
        if (FORBIDDEN_MEMBERS.has(name)) return `forbidden member name "${name}"`;
        if (members.has(name)) return 'duplicate member name';
        members.add(name);
      }
      i = end;
    } else {
      i++;
    }
  }
  return undefined;
}

/** Index just past the closing quote of the string starting at `start`, or -1. */
function endOfString(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) i += 2;
    else if (c === 0x22) return i + 1;
    else i++;
  }
  return -1;
}

function isFollowedByColon(text: string, from: number): boolean {
  let i = from;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x3a /* : */) return true;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) return false;
    i++;
  }
  return false;
}

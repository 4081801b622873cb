/**
 * Small typed readers for configuration JSON. Every refusal is a `ConfigError` naming the key
 * by its path (`issuers[1].algorithms[0]`) and showing the offending value, so an operator can
 * fix the file without reading code.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly path: string,
    problem: string,
  ) {
    super(`${path}: ${problem}`);
  }
}

export type Json = Record<string, unknown>;

export function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

export function objectAt(value: unknown, path: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(path, `expected an object, got ${show(value)}`);
  }
  return value as Json;
}

/** Refuses members the schema does not know: a misspelt key must not be silently ignored. */
export function onlyKeys(obj: Json, path: string, known: readonly string[]): void {
  for (const key of Object.keys(obj)) {
    if (!known.includes(key)) {
      throw new ConfigError(join(path, key), `unknown key (expected one of: ${known.join(', ')})`);
    }
  }
}

export function join(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

export function requiredString(obj: Json, key: string, path: string): string {
  const value = obj[key];
  if (value === undefined) throw new ConfigError(join(path, key), 'is required');
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigError(join(path, key), `expected a non-empty string, got ${show(value)}`);
  }
  return value;
}

export function optionalString(obj: Json, key: string, path: string): string | undefined {
  return obj[key] === undefined ? undefined : requiredString(obj, key, path);
}

export function optionalNumber(
  obj: Json,
  key: string,
  path: string,
  fallback: number,
  range: { min: number; max: number; integer?: boolean },
): number {
  const value = obj[key];
  if (value === undefined) return fallback;
  const ok =
    typeof value === 'number' &&
    Number.isFinite(value) &&
    value >= range.min &&
    value <= range.max &&
    (!range.integer || Number.isInteger(value));
  if (!ok) {
    const kind = range.integer ? 'an integer' : 'a number';
    throw new ConfigError(
      join(path, key),
      `expected ${kind} from ${range.min} to ${range.max}, got ${show(value)}`,
    );
  }
  return value as number;
}

/** A string, or a non-empty array of non-empty strings, as a de-duplicated array. */
export function stringOrStrings(obj: Json, key: string, path: string): string[] {
  const value = obj[key];
  if (value === undefined) throw new ConfigError(join(path, key), 'is required');
  if (typeof value === 'string') return [requiredString(obj, key, path)];
  if (!Array.isArray(value) || value.length === 0) {
    throw new ConfigError(
      join(path, key),
      `expected a string or a non-empty array of strings, got ${show(value)}`,
    );
  }
  return [...new Set(value.map((item, i) => checkItem(item, join(join(path, key), i))))];
}

function checkItem(item: unknown, path: string): string {
  if (typeof item !== 'string' || item.trim() === '') {
    throw new ConfigError(path, `expected a non-empty string, got ${show(item)}`);
  }
  return item;
}

export function stringArray(obj: Json, key: string, path: string, fallback: readonly string[]): string[] {
  const value = obj[key];
  if (value === undefined) return [...fallback];
  if (!Array.isArray(value))
    throw new ConfigError(join(path, key), `expected an array of strings, got ${show(value)}`);
  return value.map((item, i) => checkItem(item, join(join(path, key), i)));
}

/**
 * A URL the authorizer trusts answers from (JWKS, revocation table): `https://`, or plain
 * `http://` only to this machine (tests, local stand-ins), since those answers decide who gets in.
 */
export function secureUrl(obj: Json, key: string, path: string): string {
  const value = requiredString(obj, key, path);
  const problem = insecureUrlProblem(value);
  if (problem) throw new ConfigError(join(path, key), problem);
  return value;
}

/** Why `value` is not a URL answers may be trusted from, or undefined when it is. */
export function insecureUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `not a URL: ${show(value)}`;
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    return `must be https:// (http:// only for loopback), got ${show(value)}`;
  }
  return undefined;
}

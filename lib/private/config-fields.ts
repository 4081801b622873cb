import {
  ConfigError,
  type Json,
  join,
  objectAt,
  onlyKeys,
  requiredString,
  show,
} from '../../functions/core/config/reader.ts';

/**
 * Field readers for the deployment config, on top of the runtime config's readers: every
 * refusal is a `ConfigError` naming the key path and showing the value.
 */

/** A required object member whose keys are `keys`, all required, and `optional` ones. */
export function section(
  obj: Json,
  key: string,
  keys: readonly string[],
  parent = '',
  optional: readonly string[] = [],
): Json {
  const at = join(parent, key);
  if (obj[key] === undefined) throw new ConfigError(at, 'is required');
  const value = objectAt(obj[key], at);
  onlyKeys(value, at, [...keys, ...optional]);
  for (const k of keys) if (value[k] === undefined) throw new ConfigError(join(at, k), 'is required');
  return value;
}

export function integer(obj: Json, key: string, path: string, min: number, max: number): number {
  const value = obj[key];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(join(path, key), `expected an integer from ${min} to ${max}, got ${show(value)}`);
  }
  return value;
}

export function oneOf<const T extends string | number>(
  obj: Json,
  key: string,
  path: string,
  allowed: readonly T[],
): T {
  const value = obj[key];
  if (!allowed.includes(value as T)) {
    throw new ConfigError(
      join(path, key),
      `expected one of ${allowed.map((a) => show(a)).join(', ')}, got ${show(value)}`,
    );
  }
  return value as T;
}

export function cidr(obj: Json, key: string, path: string): string {
  const value = requiredString(obj, key, path);
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  const octets = match?.slice(1, 5).map(Number) ?? [];
  const prefix = Number(match?.[5]);
  // VPCs take /16 to /28; the two-AZ subnet layout needs room, so stop at /24.
  if (!match || octets.some((o) => o > 255) || prefix < 16 || prefix > 24) {
    throw new ConfigError(
      join(path, key),
      `expected an IPv4 CIDR from /16 to /24 (e.g. "10.0.0.0/16"), got ${show(value)}`,
    );
  }
  return value;
}

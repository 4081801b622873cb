/**
 * `issuers[].claims`: how one issuer's token becomes the facts policies see — roles, scopes,
 * MFA, and typed claims brought into the Cedar context. Every claim named here is a claim path
 * (`jwt/claim-path.ts`): a top-level name, a JSON Pointer, or an array of member names.
 */
import { type ClaimPath, claimPathFrom } from '../jwt/claim-path.ts';
import { ConfigError, type Json, join, objectAt, onlyKeys, show, stringArray } from './reader.ts';

/** A role claim and the JSON type it must have to count (`role: ["admin"]` is not a role). */
export interface RoleClaim {
  readonly claim: ClaimPath;
  readonly type: 'string' | 'array';
}

/** Cedar types a claim can be brought into `context.claims` as. */
export const TYPED_CLAIM_TYPES = ['String', 'Long', 'Bool', 'Set<String>'] as const;
export type TypedClaimType = (typeof TYPED_CLAIM_TYPES)[number];

/** One claim brought into the Cedar context as `context.claims.<name>`, absent when missing. */
export interface TypedClaim {
  /** The attribute name under `context.claims`. */
  readonly name: string;
  readonly claim: ClaimPath;
  readonly type: TypedClaimType;
}

export interface ClaimMapping {
  readonly roles: readonly RoleClaim[];
  /**
   * Claims holding scopes: each a space-separated string (`scope`, RFC 6749 §3.3) or an array of
   * scope tokens (`scp`); their union is `context.scopes`.
   */
  readonly scopes: readonly ClaimPath[];
  /** `amr` values that mean MFA happened (`amr` must be an array). */
  readonly mfaAmrValues: readonly string[];
  /** `acr` values that mean MFA happened (`acr` must be a string equal to one). */
  readonly mfaAcrValues: readonly string[];
  /** Claims that mean MFA happened when they are the boolean `true` (never the string). */
  readonly mfaBooleanClaims: readonly ClaimPath[];
  /** Claims brought into `context.claims`, sorted by name. */
  readonly typed: readonly TypedClaim[];
}

export const DEFAULT_CLAIMS: ClaimMapping = Object.freeze({
  roles: Object.freeze([
    Object.freeze({ claim: Object.freeze(['role']), type: 'string' as const }),
    Object.freeze({ claim: Object.freeze(['roles']), type: 'array' as const }),
  ]),
  scopes: Object.freeze([Object.freeze(['scope']), Object.freeze(['scp'])]),
  mfaAmrValues: Object.freeze(['mfa']),
  mfaAcrValues: Object.freeze([]),
  mfaBooleanClaims: Object.freeze([Object.freeze(['mfa_verified']), Object.freeze(['mfa'])]),
  typed: Object.freeze([]),
});

export const CLAIM_MAPPING_KEYS = [
  'roles',
  'scopes',
  'mfaAmrValues',
  'mfaAcrValues',
  'mfaBooleanClaims',
  'typed',
] as const;
export const ROLE_CLAIM_KEYS = ['claim', 'type'] as const;
export const TYPED_CLAIM_KEYS = ['claim', 'type'] as const;

// What `context.claims.<name>` can be written as in a policy without quoting.
const CEDAR_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;

/** Parses `issuers[i].claims`; keys left out keep their defaults. */
export function parseClaimMapping(raw: unknown, at: string): ClaimMapping {
  const obj = objectAt(raw, at);
  onlyKeys(obj, at, CLAIM_MAPPING_KEYS);
  return {
    roles: obj.roles === undefined ? DEFAULT_CLAIMS.roles : parseRoles(obj.roles, join(at, 'roles')),
    scopes: pathList(obj, 'scopes', at, DEFAULT_CLAIMS.scopes),
    mfaAmrValues: stringArray(obj, 'mfaAmrValues', at, DEFAULT_CLAIMS.mfaAmrValues),
    mfaAcrValues: stringArray(obj, 'mfaAcrValues', at, DEFAULT_CLAIMS.mfaAcrValues),
    mfaBooleanClaims: pathList(obj, 'mfaBooleanClaims', at, DEFAULT_CLAIMS.mfaBooleanClaims),
    typed: obj.typed === undefined ? [] : parseTyped(obj.typed, join(at, 'typed')),
  };
}

function parseRoles(raw: unknown, at: string): RoleClaim[] {
  if (!Array.isArray(raw)) throw new ConfigError(at, `expected an array, got ${show(raw)}`);
  return raw.map((item, i) => {
    const where = join(at, i);
    const role = objectAt(item, where);
    onlyKeys(role, where, ROLE_CLAIM_KEYS);
    const type = role.type;
    if (type !== 'string' && type !== 'array') {
      throw new ConfigError(join(where, 'type'), `expected "string" or "array", got ${show(type)}`);
    }
    if (role.claim === undefined) throw new ConfigError(join(where, 'claim'), 'is required');
    return { claim: claimPathFrom(role.claim, join(where, 'claim')), type };
  });
}

function parseTyped(raw: unknown, at: string): TypedClaim[] {
  const obj = objectAt(raw, at);
  return Object.keys(obj)
    .sort()
    .map((name) => {
      const where = join(at, name);
      if (!CEDAR_IDENTIFIER.test(name)) {
        throw new ConfigError(
          where,
          `attribute name must be a Cedar identifier (letters, digits, _; not starting with a digit), got ${show(name)}`,
        );
      }
      const spec = objectAt(obj[name], where);
      onlyKeys(spec, where, TYPED_CLAIM_KEYS);
      if (spec.claim === undefined) throw new ConfigError(join(where, 'claim'), 'is required');
      const type = TYPED_CLAIM_TYPES.find((t) => t === spec.type);
      if (type === undefined) {
        throw new ConfigError(
          join(where, 'type'),
          `expected one of ${TYPED_CLAIM_TYPES.map((t) => `"${t}"`).join(', ')}, got ${show(spec.type)}`,
        );
      }
      return { name, claim: claimPathFrom(spec.claim, join(where, 'claim')), type };
    });
}

function pathList(obj: Json, key: string, at: string, fallback: readonly ClaimPath[]): readonly ClaimPath[] {
  const value = obj[key];
  if (value === undefined) return fallback;
  const where = join(at, key);
  if (!Array.isArray(value))
    throw new ConfigError(where, `expected an array of claim paths, got ${show(value)}`);
  return value.map((item, i) => claimPathFrom(item, join(where, i)));
}

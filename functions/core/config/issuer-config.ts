/**
 * `issuers[]`: one trusted issuer entry. Several entries may share an `iss` when they differ in
 * what a token must say to belong to them (audience or client ids, `typ`, required claims,
 * algorithms): a token must then match exactly one (`jwt/issuer-entry.ts`).
 */
import { ALGORITHMS, type Algorithm, isAlgorithm } from '../jwt/algorithms.ts';
import { type ClaimPath, claimPathFrom } from '../jwt/claim-path.ts';
import { type ClaimMapping, DEFAULT_CLAIMS, parseClaimMapping } from './claim-mapping.ts';
import {
  ConfigError,
  type Json,
  join,
  objectAt,
  onlyKeys,
  optionalNumber,
  optionalString,
  requiredString,
  secureUrl,
  show,
} from './reader.ts';

/** How a remote JWKS is cached (README, *Configuration*). */
export interface RemoteJwksSettings {
  readonly maxAgeSeconds: number;
  readonly cooldownSeconds: number;
  readonly timeoutMs: number;
  readonly maxStaleSeconds: number;
  /**
   * A JWKS file served at cold start until the first fetch succeeds (`zta jwks fetch` writes
   * one); the fetched set then replaces it. See `runtime/jwks-remote.ts`.
   */
  readonly snapshotFile: string | undefined;
}

/** Where an issuer's public keys come from. */
export type JwksSource =
  | { readonly kind: 'file'; readonly path: string }
  | ({ readonly kind: 'uri'; readonly uri: string } & RemoteJwksSettings)
  /** `jwks_uri` of `<issuer>/.well-known/openid-configuration`, whose `issuer` must be this one. */
  | ({ readonly kind: 'discovery'; readonly issuer: string } & RemoteJwksSettings)
  | { readonly kind: 'local-issuer'; readonly keysDir: string };

/** An exact-value requirement: the claim must equal one of `oneOf` (same JSON type). */
export interface RequiredClaim {
  readonly claim: ClaimPath;
  readonly oneOf: readonly (string | number | boolean)[];
}

export interface IssuerConfig {
  readonly issuer: string;
  /** The token's `aud` must hold one of these (when it has an `aud`). */
  readonly audiences: readonly string[];
  /**
   * When the token has no `aud`, its `client_id` must be one of these (as API Gateway's JWT
   * authorizer does; Cognito access tokens carry no `aud`). Empty: a token without `aud` is refused.
   */
  readonly clientIds: readonly string[];
  readonly requiredClaims: readonly RequiredClaim[];
  readonly algorithms: readonly Algorithm[];
  readonly jwks: JwksSource;
  /** When set, the token's `typ` must equal it (case-insensitive, optional `application/`). */
  readonly typ: string | undefined;
  readonly clockToleranceSeconds: number;
  readonly maxLifetimeSeconds: number;
  readonly claims: ClaimMapping;
}

export const ISSUER_KEYS = [
  'issuer',
  'audience',
  'clientIds',
  'requiredClaims',
  'algorithms',
  'jwksFile',
  'jwksUri',
  'discovery',
  'jwksCache',
  'typ',
  'clockToleranceSeconds',
  'maxLifetimeSeconds',
  'claims',
] as const;
export const JWKS_CACHE_KEYS = ['maxAgeSeconds', 'cooldownSeconds', 'timeoutMs', 'maxStaleSeconds'] as const;
export const DAY = 86_400;

export function parseIssuer(raw: unknown, at: string, path: (p: string) => string): IssuerConfig {
  const obj = objectAt(raw, at);
  onlyKeys(obj, at, ISSUER_KEYS);
  const issuer = issuerName(obj, at);
  const audiences = obj.audience === undefined ? [] : nonEmptyStrings(obj, 'audience', at, true);
  const clientIds = obj.clientIds === undefined ? [] : nonEmptyStrings(obj, 'clientIds', at, false);
  if (audiences.length === 0 && clientIds.length === 0) {
    throw new ConfigError(
      join(at, 'audience'),
      'is required (or clientIds, for tokens without aud such as Cognito access tokens)',
    );
  }
  return {
    issuer,
    audiences,
    clientIds,
    requiredClaims: parseRequiredClaims(obj.requiredClaims, join(at, 'requiredClaims')),
    algorithms: parseAlgorithms(obj, at),
    jwks: parseJwksSource(obj, at, issuer, path),
    typ: optionalString(obj, 'typ', at),
    clockToleranceSeconds: optionalNumber(obj, 'clockToleranceSeconds', at, 30, { min: 0, max: 300 }),
    maxLifetimeSeconds: optionalNumber(obj, 'maxLifetimeSeconds', at, DAY, { min: 1, max: 30 * DAY }),
    claims: obj.claims === undefined ? DEFAULT_CLAIMS : parseClaimMapping(obj.claims, join(at, 'claims')),
  };
}

export function issuerName(obj: Json, at: string): string {
  const issuer = requiredString(obj, 'issuer', at);
  // Cedar principals are "<iss>|<sub>": a "|" in an issuer could make two principals collide.
  if (issuer.includes('|'))
    throw new ConfigError(join(at, 'issuer'), `must not contain "|", got ${show(issuer)}`);
  return issuer;
}

/** A string (when `single` is allowed) or a non-empty array of non-empty strings, de-duplicated. */
function nonEmptyStrings(obj: Json, key: string, at: string, single: boolean): string[] {
  const value = obj[key];
  const where = join(at, key);
  if (single && typeof value === 'string') return [requiredString(obj, key, at)];
  if (!Array.isArray(value) || value.length === 0) {
    const expected = single ? 'a string or a non-empty array of strings' : 'a non-empty array of strings';
    throw new ConfigError(where, `expected ${expected}, got ${show(value)}`);
  }
  return [
    ...new Set(
      value.map((item, i) => {
        if (typeof item !== 'string' || item.trim() === '')
          throw new ConfigError(join(where, i), `expected a non-empty string, got ${show(item)}`);
        return item;
      }),
    ),
  ];
}

function parseRequiredClaims(raw: unknown, at: string): RequiredClaim[] {
  if (raw === undefined) return [];
  const obj = objectAt(raw, at);
  return Object.keys(obj).map((name) => {
    const where = join(at, name);
    const value = obj[name];
    const values = Array.isArray(value) ? value : [value];
    if (values.length === 0 || !values.every(isScalar)) {
      throw new ConfigError(
        where,
        `expected a string, number or boolean, or a non-empty array of them (one of), got ${show(value)}`,
      );
    }
    return { claim: claimPathFrom(name, where), oneOf: values };
  });
}

function isScalar(value: unknown): value is string | number | boolean {
  return (
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}

function parseAlgorithms(obj: Json, at: string): Algorithm[] {
  const where = join(at, 'algorithms');
  const value = obj.algorithms;
  if (value === undefined)
    throw new ConfigError(where, 'is required: list the JWS algorithms this issuer signs with');
  if (!Array.isArray(value) || value.length === 0) {
    throw new ConfigError(where, `expected a non-empty array of algorithms, got ${show(value)}`);
  }
  return value.map((alg, i) => {
    if (!isAlgorithm(alg)) {
      throw new ConfigError(
        join(where, i),
        `${show(alg)} is not allowed: only asymmetric JWS algorithms (${ALGORITHMS.join(', ')})`,
      );
    }
    return alg;
  });
}

/**
 * `jwksFile` alone; `jwksUri` or `discovery: true` alone; or either of those with a `jwksFile`
 * snapshot served until the first fetch succeeds.
 */
function parseJwksSource(obj: Json, at: string, issuer: string, path: (p: string) => string): JwksSource {
  const discovery = obj.discovery;
  if (discovery !== undefined && typeof discovery !== 'boolean')
    throw new ConfigError(join(at, 'discovery'), `expected true or false, got ${show(discovery)}`);
  if (discovery === true && obj.jwksUri !== undefined) {
    throw new ConfigError(join(at, 'jwksUri'), 'give either jwksUri or discovery: true, not both');
  }
  const file = obj.jwksFile === undefined ? undefined : path(requiredString(obj, 'jwksFile', at));
  if (obj.jwksUri === undefined && discovery !== true) {
    if (obj.jwksCache !== undefined)
      throw new ConfigError(join(at, 'jwksCache'), 'applies to jwksUri or discovery only');
    if (file === undefined)
      throw new ConfigError(join(at, 'jwksFile'), 'is required (or jwksUri, or discovery: true)');
    return { kind: 'file', path: file };
  }
  const settings = parseCache(obj, at, file);
  if (discovery === true) {
    // The discovery document decides which keys are trusted: same transport rule as a JWKS URI.
    secureUrl(obj, 'issuer', at);
    return { kind: 'discovery', issuer, ...settings };
  }
  return { kind: 'uri', uri: secureUrl(obj, 'jwksUri', at), ...settings };
}

function parseCache(obj: Json, at: string, snapshotFile: string | undefined): RemoteJwksSettings {
  const cacheAt = join(at, 'jwksCache');
  const cache = obj.jwksCache === undefined ? {} : objectAt(obj.jwksCache, cacheAt);
  onlyKeys(cache, cacheAt, JWKS_CACHE_KEYS);
  const settings = {
    maxAgeSeconds: optionalNumber(cache, 'maxAgeSeconds', cacheAt, 600, { min: 1, max: DAY }),
    cooldownSeconds: optionalNumber(cache, 'cooldownSeconds', cacheAt, 30, { min: 1, max: 3600 }),
    timeoutMs: optionalNumber(cache, 'timeoutMs', cacheAt, 3000, { min: 100, max: 30_000, integer: true }),
    maxStaleSeconds: optionalNumber(cache, 'maxStaleSeconds', cacheAt, 3600, { min: 0, max: 7 * DAY }),
    snapshotFile,
  };
  // A fetch that may outlast the cooldown would let unknown-kid refreshes queue back to back,
  // each request waiting for the timeout: the timeout must end well inside one cooldown.
  if (settings.timeoutMs >= settings.cooldownSeconds * 1000) {
    throw new ConfigError(
      join(cacheAt, 'timeoutMs'),
      `must be below cooldownSeconds (${settings.cooldownSeconds} s = ${settings.cooldownSeconds * 1000} ms), got ${settings.timeoutMs}`,
    );
  }
  return settings;
}

/**
 * True when some token with a single `aud` (or `client_id`) would fit both entries: same `iss`,
 * a shared algorithm, `typ` rules that accept a common value, required claims that a token can
 * meet together, and a shared audience or client id. Such entries are refused at load; entries
 * that only a multi-audience token fits both of are left to the run-time `ambiguous_issuer`.
 */
export function acceptSameTokens(a: IssuerConfig, b: IssuerConfig): boolean {
  if (a.issuer !== b.issuer) return false;
  if (!a.algorithms.some((alg) => b.algorithms.includes(alg))) return false;
  const typs = (typ: string | undefined) =>
    typ === undefined ? ['', 'jwt', 'at+jwt'] : [typ.toLowerCase().replace(/^application\//, '')];
  if (!typs(a.typ).some((t) => typs(b.typ).includes(t))) return false;
  for (const required of a.requiredClaims) {
    const same = b.requiredClaims.find(
      (other) => other.claim.join('\u0000') === required.claim.join('\u0000'),
    );
    if (same && !required.oneOf.some((value) => same.oneOf.includes(value))) return false;
  }
  return (
    a.audiences.some((aud) => b.audiences.includes(aud)) ||
    a.clientIds.some((client) => b.clientIds.includes(client))
  );
}

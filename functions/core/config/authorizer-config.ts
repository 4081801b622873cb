import { isAbsolute, resolve } from 'node:path';
import { ALGORITHMS, type Algorithm, isAlgorithm } from '../jwt/algorithms.ts';
import {
  type AutoRevocationConfig,
  parseAutoRevocation,
  parseRevocations,
  type RevocationsConfig,
} from './pipeline-config.ts';
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
  stringArray,
  stringOrStrings,
} from './reader.ts';

export type { AutoRevocationConfig, DynamoRevocationsConfig, RevocationsConfig } from './pipeline-config.ts';

/** Where an issuer's public keys come from. */
export type JwksSource =
  | { readonly kind: 'file'; readonly path: string }
  | {
      readonly kind: 'uri';
      readonly uri: string;
      readonly maxAgeSeconds: number;
      readonly cooldownSeconds: number;
      readonly timeoutMs: number;
      readonly maxStaleSeconds: number;
    }
  | { readonly kind: 'local-issuer'; readonly keysDir: string };

/** A role claim and the JSON type it must have to count (`role: ["admin"]` is not a role). */
export interface RoleClaim {
  readonly claim: string;
  readonly type: 'string' | 'array';
}

export interface ClaimMapping {
  readonly roles: readonly RoleClaim[];
  /** `amr` values that mean MFA happened (`amr` must be an array). */
  readonly mfaAmrValues: readonly string[];
  /** Claims that mean MFA happened when they are the boolean `true` (never the string). */
  readonly mfaBooleanClaims: readonly string[];
}

export interface IssuerConfig {
  readonly issuer: string;
  readonly audiences: readonly string[];
  readonly algorithms: readonly Algorithm[];
  readonly jwks: JwksSource;
  /** When set, the token's `typ` must equal it (case-insensitive, optional `application/`). */
  readonly typ: string | undefined;
  readonly clockToleranceSeconds: number;
  readonly maxLifetimeSeconds: number;
  readonly claims: ClaimMapping;
}

/** The suite's own local issuer (dev tokens, `zta token`, key rotation without AWS). */
export interface LocalIssuerConfig {
  readonly issuer: string;
  readonly audience: string;
  readonly keysDir: string;
  /** Upper bound for `zta token --ttl`. */
  readonly maxTokenTtlSeconds: number;
}

export interface AuthorizerConfig {
  readonly issuers: readonly IssuerConfig[];
  readonly policiesDir: string;
  /** `null` means no revocation store: an explicit, visible choice, never a default. */
  readonly revocations: RevocationsConfig;
  readonly maxTokenBytes: number;
  readonly localIssuer: LocalIssuerConfig | undefined;
  /** Local gateway settings for `zta serve`. */
  readonly gateway: { readonly cacheTtlSeconds: number };
  /** `zta serve`'s in-process spike detection and revocation; absent: off. */
  readonly autoRevocation: AutoRevocationConfig | undefined;
  /** Bounds of the decision path's caches (README, *How a request is decided*); 0 turns one off. */
  readonly caches: { readonly verifiedTokens: number; readonly decisions: number };
}

export const DEFAULT_CLAIMS: ClaimMapping = Object.freeze({
  roles: Object.freeze([
    Object.freeze({ claim: 'role', type: 'string' as const }),
    Object.freeze({ claim: 'roles', type: 'array' as const }),
  ]),
  mfaAmrValues: Object.freeze(['mfa']),
  mfaBooleanClaims: Object.freeze(['mfa_verified', 'mfa']),
});

const TOP_KEYS = [
  'issuers',
  'policies',
  'revocations',
  'maxTokenBytes',
  'localIssuer',
  'gateway',
  'autoRevocation',
  'caches',
];
const ISSUER_KEYS = [
  'issuer',
  'audience',
  'algorithms',
  'jwksFile',
  'jwksUri',
  'jwksCache',
  'typ',
  'clockToleranceSeconds',
  'maxLifetimeSeconds',
  'claims',
];
const DAY = 86_400;

export interface ParseOptions {
  /** Directory relative paths in the file are resolved against (the config file's folder). */
  readonly baseDir: string;
  /** Policies folder used when the file names none (the repository's `policies/`). */
  readonly defaultPoliciesDir: string;
}

/**
 * Validates a parsed config file and returns a frozen, typed configuration. Throws
 * `ConfigError` naming the first bad key; nothing is silently defaulted that the file set.
 */
export function parseAuthorizerConfig(raw: unknown, options: ParseOptions): AuthorizerConfig {
  const root = objectAt(raw, '(config)');
  onlyKeys(root, '', TOP_KEYS);
  const path = (p: string) => (isAbsolute(p) ? p : resolve(options.baseDir, p));

  const localIssuer = root.localIssuer === undefined ? undefined : parseLocalIssuer(root.localIssuer, path);
  if (root.issuers === undefined && !localIssuer) throw new ConfigError('issuers', 'is required');
  const issuersRaw = root.issuers ?? [];
  if (!Array.isArray(issuersRaw))
    throw new ConfigError('issuers', `expected an array, got ${show(issuersRaw)}`);
  if (issuersRaw.length === 0 && !localIssuer) {
    throw new ConfigError('issuers', 'must list at least one issuer (or configure localIssuer)');
  }
  const issuers = issuersRaw.map((item, i) => parseIssuer(item, join('issuers', i), path));
  if (localIssuer) issuers.push(localIssuerAsTrusted(localIssuer));
  const seen = new Set<string>();
  issuers.forEach((issuer, i) => {
    if (seen.has(issuer.issuer)) {
      const where = i < issuersRaw.length ? join(join('issuers', i), 'issuer') : 'localIssuer.issuer';
      throw new ConfigError(where, `issuer ${show(issuer.issuer)} is configured twice`);
    }
    seen.add(issuer.issuer);
  });

  const policies = optionalString(root, 'policies', '');
  const gateway = root.gateway === undefined ? {} : objectAt(root.gateway, 'gateway');
  onlyKeys(gateway, 'gateway', ['cacheTtlSeconds']);
  const caches = root.caches === undefined ? {} : objectAt(root.caches, 'caches');
  onlyKeys(caches, 'caches', ['verifiedTokens', 'decisions']);
  const cacheSize = (key: string) =>
    optionalNumber(caches, key, 'caches', 4096, { min: 0, max: 1_000_000, integer: true });

  const revocations = parseRevocations(root, path);
  return deepFreeze({
    issuers,
    policiesDir: policies === undefined ? options.defaultPoliciesDir : path(policies),
    revocations,
    autoRevocation: parseAutoRevocation(root, revocations),
    maxTokenBytes: optionalNumber(root, 'maxTokenBytes', '', 8192, { min: 512, max: 65_536, integer: true }),
    localIssuer,
    gateway: {
      cacheTtlSeconds: optionalNumber(gateway, 'cacheTtlSeconds', 'gateway', 300, {
        min: 0,
        max: 3600,
        integer: true,
      }),
    },
    caches: { verifiedTokens: cacheSize('verifiedTokens'), decisions: cacheSize('decisions') },
  });
}

function parseIssuer(raw: unknown, at: string, path: (p: string) => string): IssuerConfig {
  const obj = objectAt(raw, at);
  onlyKeys(obj, at, ISSUER_KEYS);
  const issuer = issuerName(obj, at);
  const audiences = stringOrStrings(obj, 'audience', at);
  const algorithms = parseAlgorithms(obj, at);
  const jwks = parseJwksSource(obj, at, path);
  const typ = optionalString(obj, 'typ', at);
  return {
    issuer,
    audiences,
    algorithms,
    jwks,
    typ,
    clockToleranceSeconds: optionalNumber(obj, 'clockToleranceSeconds', at, 30, { min: 0, max: 300 }),
    maxLifetimeSeconds: optionalNumber(obj, 'maxLifetimeSeconds', at, DAY, { min: 1, max: 30 * DAY }),
    claims: obj.claims === undefined ? DEFAULT_CLAIMS : parseClaimMapping(obj.claims, join(at, 'claims')),
  };
}

function issuerName(obj: Json, at: string): string {
  const issuer = requiredString(obj, 'issuer', at);
  // Cedar principals are "<iss>|<sub>": a "|" in an issuer could make two principals collide.
  if (issuer.includes('|'))
    throw new ConfigError(join(at, 'issuer'), `must not contain "|", got ${show(issuer)}`);
  return issuer;
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

function parseJwksSource(obj: Json, at: string, path: (p: string) => string): JwksSource {
  if (obj.jwksFile !== undefined && obj.jwksUri !== undefined) {
    throw new ConfigError(join(at, 'jwksUri'), 'give either jwksFile or jwksUri, not both');
  }
  if (obj.jwksFile !== undefined) {
    if (obj.jwksCache !== undefined) throw new ConfigError(join(at, 'jwksCache'), 'applies to jwksUri only');
    return { kind: 'file', path: path(requiredString(obj, 'jwksFile', at)) };
  }
  if (obj.jwksUri === undefined) throw new ConfigError(join(at, 'jwksFile'), 'is required (or jwksUri)');
  const uri = secureUrl(obj, 'jwksUri', at);
  const cacheAt = join(at, 'jwksCache');
  const cache = obj.jwksCache === undefined ? {} : objectAt(obj.jwksCache, cacheAt);
  onlyKeys(cache, cacheAt, ['maxAgeSeconds', 'cooldownSeconds', 'timeoutMs', 'maxStaleSeconds']);
  return {
    kind: 'uri',
    uri,
    maxAgeSeconds: optionalNumber(cache, 'maxAgeSeconds', cacheAt, 600, { min: 1, max: DAY }),
    cooldownSeconds: optionalNumber(cache, 'cooldownSeconds', cacheAt, 30, { min: 0, max: 3600 }),
    timeoutMs: optionalNumber(cache, 'timeoutMs', cacheAt, 3000, { min: 100, max: 30_000, integer: true }),
    maxStaleSeconds: optionalNumber(cache, 'maxStaleSeconds', cacheAt, 3600, { min: 0, max: 7 * DAY }),
  };
}

function parseClaimMapping(raw: unknown, at: string): ClaimMapping {
  const obj = objectAt(raw, at);
  onlyKeys(obj, at, ['roles', 'mfaAmrValues', 'mfaBooleanClaims']);
  let roles: RoleClaim[] = [...DEFAULT_CLAIMS.roles];
  if (obj.roles !== undefined) {
    if (!Array.isArray(obj.roles))
      throw new ConfigError(join(at, 'roles'), `expected an array, got ${show(obj.roles)}`);
    roles = obj.roles.map((item, i) => {
      const where = join(join(at, 'roles'), i);
      const role = objectAt(item, where);
      onlyKeys(role, where, ['claim', 'type']);
      const type = role.type;
      if (type !== 'string' && type !== 'array') {
        throw new ConfigError(join(where, 'type'), `expected "string" or "array", got ${show(type)}`);
      }
      return { claim: requiredString(role, 'claim', where), type };
    });
  }
  return {
    roles,
    mfaAmrValues: stringArray(obj, 'mfaAmrValues', at, DEFAULT_CLAIMS.mfaAmrValues),
    mfaBooleanClaims: stringArray(obj, 'mfaBooleanClaims', at, DEFAULT_CLAIMS.mfaBooleanClaims),
  };
}

function parseLocalIssuer(raw: unknown, path: (p: string) => string): LocalIssuerConfig {
  const obj = objectAt(raw, 'localIssuer');
  onlyKeys(obj, 'localIssuer', ['issuer', 'audience', 'keysDir', 'maxTokenTtlSeconds']);
  const issuer = issuerName(obj, 'localIssuer');
  return {
    issuer,
    audience: requiredString(obj, 'audience', 'localIssuer'),
    keysDir: path(requiredString(obj, 'keysDir', 'localIssuer')),
    maxTokenTtlSeconds: optionalNumber(obj, 'maxTokenTtlSeconds', 'localIssuer', DAY, {
      min: 60,
      max: DAY,
      integer: true,
    }),
  };
}

/** The local issuer is trusted like any other, with keys read from its own key store. */
function localIssuerAsTrusted(local: LocalIssuerConfig): IssuerConfig {
  return {
    issuer: local.issuer,
    audiences: [local.audience],
    algorithms: ['ES256'],
    jwks: { kind: 'local-issuer', keysDir: local.keysDir },
    typ: undefined,
    clockToleranceSeconds: 30,
    maxLifetimeSeconds: local.maxTokenTtlSeconds,
    claims: DEFAULT_CLAIMS,
  };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

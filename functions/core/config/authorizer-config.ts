import { isAbsolute, resolve } from 'node:path';
import { DEFAULT_CLAIMS } from './claim-mapping.ts';
import { deepFreeze } from './deep-freeze.ts';
import { acceptSameTokens, DAY, type IssuerConfig, issuerName, parseIssuer } from './issuer-config.ts';
import {
  type AutoRevocationConfig,
  parseAutoRevocation,
  parseRevocations,
  type RevocationsConfig,
} from './pipeline-config.ts';
import {
  ConfigError,
  join,
  objectAt,
  onlyKeys,
  optionalNumber,
  optionalString,
  requiredString,
  show,
} from './reader.ts';

export type {
  ClaimMapping,
  RoleClaim,
  TypedClaim,
  TypedClaimType,
} from './claim-mapping.ts';
export { DEFAULT_CLAIMS } from './claim-mapping.ts';
export type { IssuerConfig, JwksSource, RemoteJwksSettings, RequiredClaim } from './issuer-config.ts';
export type { AutoRevocationConfig, DynamoRevocationsConfig, RevocationsConfig } from './pipeline-config.ts';

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

export const TOP_KEYS = [
  // The JSON Schema (schema/zta.config.schema.json) for editor completion; not read.
  '$schema',
  'issuers',
  'policies',
  'revocations',
  'maxTokenBytes',
  'localIssuer',
  'gateway',
  'autoRevocation',
  'caches',
];
export const GATEWAY_KEYS = ['cacheTtlSeconds'] as const;
export const CACHES_KEYS = ['verifiedTokens', 'decisions'] as const;
export const LOCAL_ISSUER_KEYS = ['issuer', 'audience', 'keysDir', 'maxTokenTtlSeconds'] as const;

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
  optionalString(root, '$schema', '');
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
  // Several entries may share an iss, but must tell its tokens apart (jwt/issuer-entry.ts): two
  // that accept the same token are a mistake to refuse now, not a 401 to discover later.
  issuers.forEach((issuer, j) => {
    const first = issuers.findIndex((other, i) => i < j && acceptSameTokens(other, issuer));
    if (first >= 0 && j < issuersRaw.length) {
      throw new ConfigError(
        join(join('issuers', j), 'issuer'),
        `issuer ${show(issuer.issuer)} is configured twice: issuers[${first}] accepts the same tokens (tell them apart by audience, clientIds, typ, requiredClaims or algorithms)`,
      );
    }
  });
  // The local issuer's keys are its own: no configured entry may claim its iss.
  if (localIssuer) {
    const clash = issuers.findIndex(
      (issuer, i) => i < issuersRaw.length && issuer.issuer === localIssuer.issuer,
    );
    if (clash >= 0) {
      throw new ConfigError(
        join(join('issuers', clash), 'issuer'),
        `issuer ${show(localIssuer.issuer)} is also localIssuer.issuer`,
      );
    }
  }

  const policies = optionalString(root, 'policies', '');
  const gateway = root.gateway === undefined ? {} : objectAt(root.gateway, 'gateway');
  onlyKeys(gateway, 'gateway', GATEWAY_KEYS);
  const caches = root.caches === undefined ? {} : objectAt(root.caches, 'caches');
  onlyKeys(caches, 'caches', CACHES_KEYS);
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

function parseLocalIssuer(raw: unknown, path: (p: string) => string): LocalIssuerConfig {
  const obj = objectAt(raw, 'localIssuer');
  onlyKeys(obj, 'localIssuer', LOCAL_ISSUER_KEYS);
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
    clientIds: [],
    requiredClaims: [],
    algorithms: ['ES256'],
    jwks: { kind: 'local-issuer', keysDir: local.keysDir },
    typ: undefined,
    clockToleranceSeconds: 30,
    maxLifetimeSeconds: local.maxTokenTtlSeconds,
    claims: DEFAULT_CLAIMS,
  };
}

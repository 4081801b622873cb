/**
 * The token service's configuration (`POST /token`, the JWKS route, and key rotation share it):
 * parsed once, frozen, typed. Every refusal is a `ConfigError` naming the key by its path
 * (`workloads[2].roleArn`) and showing the value. Timing is checked as a whole: a propagation
 * delay that a JWKS cache outlives would make verifiers reject the new key's first tokens.
 */
import { deepFreeze } from '../core/config/deep-freeze.ts';
import {
  ConfigError,
  type Json,
  join,
  objectAt,
  onlyKeys,
  optionalNumber,
  optionalString,
  requiredString,
  show,
  stringOrStrings,
} from '../core/config/reader.ts';
import type { KeyPolicyPrincipals } from './key-policy.ts';
import type { RotationTiming } from './state.ts';

/** No token lives longer than this, whatever the config says: 15 minutes. */
export const TOKEN_TTL_CAP_SECONDS = 900;

/** A workload: the IAM role a service runs as, and what it may ask tokens for. */
export interface Workload {
  readonly roleArn: string;
  readonly partition: string;
  readonly accountId: string;
  /** The role's name without its path: assumed-role ARNs carry only the name. */
  readonly roleName: string;
  readonly service: string;
  /** `spiffe://<trustDomain>/<environment>/<service>`: the token's `sub`. */
  readonly spiffeId: string;
  readonly audiences: readonly string[];
}

export interface TokenServiceConfig {
  /** The tokens' `iss`. */
  readonly issuer: string;
  readonly trustDomain: string;
  readonly environment: string;
  readonly tokens: {
    /** Lifetime of a token unless the caller asks for less; at most 900. */
    readonly maxTtlSeconds: number;
    /** The verifiers' clock tolerance (the authorizer's `clockToleranceSeconds`). */
    readonly clockToleranceSeconds: number;
  };
  readonly workloads: readonly Workload[];
  readonly signing: {
    readonly keyAlias: string;
    /** How long the signer reuses the key behind the alias. */
    readonly aliasCacheSeconds: number;
    /** `null` leaves KMS's default key policy on new keys: a visible choice, never a default. */
    readonly keyPolicy: KeyPolicyPrincipals | null;
  };
  readonly rotation: {
    /** The state item id and the keys' `zta:rotation-id` tag. */
    readonly id: string;
    readonly rotationPeriodSeconds: number;
    readonly propagationDelaySeconds: number;
    readonly pendingWindowDays: number;
  };
  readonly jwks: { readonly maxAgeSeconds: number };
}

const ROLE_ARN = /^arn:(aws|aws-cn|aws-us-gov):iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;
const SEGMENT = /^[a-z0-9]([a-z0-9._-]{0,62}[a-z0-9])?$/;
const TRUST_DOMAIN = /^[a-z0-9]([a-z0-9._-]{0,253}[a-z0-9])?$/;
const ALIAS = /^alias\/[a-zA-Z0-9/_-]{1,250}$/;
const DAY = 86_400;

/** Validates a parsed config document. Throws `ConfigError` naming the first bad key. */
export function parseTokenServiceConfig(raw: unknown): TokenServiceConfig {
  const root = objectAt(raw, '(config)');
  onlyKeys(root, '', [
    'issuer',
    'trustDomain',
    'environment',
    'tokens',
    'workloads',
    'signing',
    'rotation',
    'jwks',
  ]);
  const issuer = requiredString(root, 'issuer', '');
  if (!isHttpsUrl(issuer)) throw new ConfigError('issuer', `expected an https:// URL, got ${show(issuer)}`);
  const trustDomain = matching(
    root,
    'trustDomain',
    '',
    TRUST_DOMAIN,
    'a SPIFFE trust domain (lowercase letters, digits, ".", "-", "_")',
  );
  const environment = matching(root, 'environment', '', SEGMENT, 'a lowercase path segment');

  const tokensRaw = section(root, 'tokens', ['maxTtlSeconds', 'clockToleranceSeconds']);
  const tokens = {
    maxTtlSeconds: optionalNumber(tokensRaw, 'maxTtlSeconds', 'tokens', TOKEN_TTL_CAP_SECONDS, {
      min: 60,
      max: TOKEN_TTL_CAP_SECONDS,
      integer: true,
    }),
    clockToleranceSeconds: optionalNumber(tokensRaw, 'clockToleranceSeconds', 'tokens', 30, {
      min: 0,
      max: 300,
      integer: true,
    }),
  };

  const workloads = parseWorkloads(root.workloads, trustDomain, environment);

  const signingRaw = section(root, 'signing', ['keyAlias', 'aliasCacheSeconds', 'keyPolicy']);
  const keyAlias = matching(signingRaw, 'keyAlias', 'signing', ALIAS, 'a KMS alias name "alias/<name>"');
  if (keyAlias.startsWith('alias/aws/'))
    throw new ConfigError('signing.keyAlias', `alias/aws/ is reserved for AWS, got ${show(keyAlias)}`);
  const signing = {
    keyAlias,
    aliasCacheSeconds: optionalNumber(signingRaw, 'aliasCacheSeconds', 'signing', 60, {
      min: 0,
      max: 300,
      integer: true,
    }),
    keyPolicy: parseKeyPolicy(signingRaw),
  };

  const jwksRaw = section(root, 'jwks', ['maxAgeSeconds']);
  const jwks = {
    maxAgeSeconds: optionalNumber(jwksRaw, 'maxAgeSeconds', 'jwks', 300, { min: 0, max: DAY, integer: true }),
  };

  const rotationRaw = section(root, 'rotation', [
    'id',
    'rotationPeriodSeconds',
    'propagationDelaySeconds',
    'pendingWindowDays',
  ]);
  const rotationId = optionalString(rotationRaw, 'id', 'rotation') ?? `zta-token-${environment}`;
  if (!/^[\w.-]{1,100}$/.test(rotationId))
    throw new ConfigError('rotation.id', `expected letters, digits, ".", "-", "_", got ${show(rotationId)}`);
  const propagationDelaySeconds = optionalNumber(rotationRaw, 'propagationDelaySeconds', 'rotation', 3600, {
    min: 60,
    max: 7 * DAY,
    integer: true,
  });
  if (propagationDelaySeconds <= jwks.maxAgeSeconds) {
    throw new ConfigError(
      'rotation.propagationDelaySeconds',
      `must exceed jwks.maxAgeSeconds (${jwks.maxAgeSeconds}), got ${propagationDelaySeconds}`,
    );
  }
  const grace = tokens.maxTtlSeconds + tokens.clockToleranceSeconds + signing.aliasCacheSeconds;
  const minPeriod = propagationDelaySeconds + grace;
  const rotationPeriodSeconds = optionalNumber(rotationRaw, 'rotationPeriodSeconds', 'rotation', 30 * DAY, {
    min: 1,
    max: 365 * DAY,
    integer: true,
  });
  if (rotationPeriodSeconds <= minPeriod) {
    throw new ConfigError(
      'rotation.rotationPeriodSeconds',
      `must exceed propagationDelaySeconds + token grace (${minPeriod}) so a key retires before the next one is created, got ${rotationPeriodSeconds}`,
    );
  }
  const rotation = {
    id: rotationId,
    rotationPeriodSeconds,
    propagationDelaySeconds,
    pendingWindowDays: optionalNumber(rotationRaw, 'pendingWindowDays', 'rotation', 30, {
      min: 7,
      max: 30,
      integer: true,
    }),
  };
  return deepFreeze({ issuer, trustDomain, environment, tokens, workloads, signing, rotation, jwks });
}

/** The rotation timing implied by a config. */
export function rotationTimingOf(config: TokenServiceConfig): RotationTiming {
  return {
    rotationPeriodSeconds: config.rotation.rotationPeriodSeconds,
    propagationDelaySeconds: config.rotation.propagationDelaySeconds,
    maxTokenTtlSeconds: config.tokens.maxTtlSeconds,
    clockToleranceSeconds: config.tokens.clockToleranceSeconds,
    signerCacheSeconds: config.signing.aliasCacheSeconds,
  };
}

function parseWorkloads(raw: unknown, trustDomain: string, environment: string): Workload[] {
  if (!Array.isArray(raw)) throw new ConfigError('workloads', `expected an array, got ${show(raw)}`);
  const seen = new Map<string, number>();
  return raw.map((item, i) => {
    const path = join('workloads', i);
    const obj = objectAt(item, path);
    onlyKeys(obj, path, ['roleArn', 'service', 'audiences']);
    const roleArn = requiredString(obj, 'roleArn', path);
    const parts = ROLE_ARN.exec(roleArn);
    if (!parts)
      throw new ConfigError(join(path, 'roleArn'), `expected an IAM role ARN, got ${show(roleArn)}`);
    const [, partition = '', accountId = '', roleName = ''] = parts;
    // IAM role names are unique per account whatever their path, and STS drops the path.
    const identity = `${partition}:${accountId}:${roleName}`;
    const earlier = seen.get(identity);
    if (earlier !== undefined)
      throw new ConfigError(
        join(path, 'roleArn'),
        `the same role as workloads[${earlier}]: ${show(roleArn)}`,
      );
    seen.set(identity, i);
    const service = matching(obj, 'service', path, SEGMENT, 'a lowercase path segment');
    const audiences = stringOrStrings(obj, 'audiences', path);
    const spiffeId = `spiffe://${trustDomain}/${environment}/${service}`;
    return { roleArn, partition, accountId, roleName, service, spiffeId, audiences };
  });
}

function parseKeyPolicy(signing: Json): KeyPolicyPrincipals | null {
  if (!('keyPolicy' in signing)) {
    throw new ConfigError(
      'signing.keyPolicy',
      'is required: { "signerRoleArns": [...], "rotatorRoleArn": "..." }, or null for the KMS default key policy',
    );
  }
  if (signing.keyPolicy === null) return null;
  const obj = objectAt(signing.keyPolicy, 'signing.keyPolicy');
  onlyKeys(obj, 'signing.keyPolicy', ['signerRoleArns', 'rotatorRoleArn']);
  const signerRoleArns = stringOrStrings(obj, 'signerRoleArns', 'signing.keyPolicy');
  signerRoleArns.forEach((arn, i) => {
    if (!ROLE_ARN.test(arn))
      throw new ConfigError(
        `signing.keyPolicy.signerRoleArns[${i}]`,
        `expected an IAM role ARN, got ${show(arn)}`,
      );
  });
  const rotatorRoleArn = requiredString(obj, 'rotatorRoleArn', 'signing.keyPolicy');
  if (!ROLE_ARN.test(rotatorRoleArn))
    throw new ConfigError(
      'signing.keyPolicy.rotatorRoleArn',
      `expected an IAM role ARN, got ${show(rotatorRoleArn)}`,
    );
  return { signerRoleArns, rotatorRoleArn };
}

function section(root: Json, key: string, known: readonly string[]): Json {
  if (root[key] === undefined) {
    if (key === 'signing') throw new ConfigError('signing', 'is required');
    return {};
  }
  const obj = objectAt(root[key], key);
  onlyKeys(obj, key, known);
  return obj;
}

function matching(obj: Json, key: string, path: string, pattern: RegExp, expected: string): string {
  const value = requiredString(obj, key, path);
  if (!pattern.test(value))
    throw new ConfigError(join(path, key), `expected ${expected}, got ${show(value)}`);
  return value;
}

function isHttpsUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.search === '' && url.hash === '' && url.username === '';
  } catch {
    return false;
  }
}

/**
 * The config sections of the decision pipeline: where revocations live (`revocations`) and
 * local auto-revocation (`autoRevocation`). Same rules as the rest of the config: unknown keys
 * and bad values are refused with the key path named, nothing the file sets is defaulted.
 */
import {
  ConfigError,
  type Json,
  join,
  objectAt,
  onlyKeys,
  optionalNumber,
  requiredString,
  secureUrl,
  show,
} from './reader.ts';

/** The DynamoDB revocation table the authorizer reads (and the revoker writes). */
export interface DynamoRevocationsConfig {
  readonly kind: 'dynamodb';
  readonly tableName: string;
  /** @default the SDK's (AWS_REGION in Lambda) */
  readonly region: string | undefined;
  /** A local DynamoDB API (tests, dynalite); `http://` only for loopback. */
  readonly endpoint: string | undefined;
  /** How long a lookup answer is reused in memory; 0 disables the cache. */
  readonly cacheSeconds: number;
  /** Bound on cached answers (one per issuer, subject and jti). */
  readonly maxCacheEntries: number;
}

export type RevocationsConfig =
  | { readonly kind: 'file'; readonly path: string }
  | DynamoRevocationsConfig
  | null;

export interface AutoRevocationConfig {
  /** Policy denials (403, verified token) of one principal that trigger revocation. */
  readonly denyThreshold: number;
  /** Sliding window the denials are counted in. */
  readonly windowSeconds: number;
}

export const REVOCATIONS_KEYS = ['file', 'dynamodb'] as const;
export const DYNAMODB_REVOCATIONS_KEYS = [
  'tableName',
  'region',
  'endpoint',
  'cacheSeconds',
  'maxCacheEntries',
] as const;
export const AUTO_REVOCATION_KEYS = ['denyThreshold', 'windowSeconds'] as const;

const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

export function parseRevocations(root: Json, path: (p: string) => string): RevocationsConfig {
  if (root.revocations === undefined) {
    throw new ConfigError(
      'revocations',
      'is required: { "file": "./revocations.json" }, { "dynamodb": { "tableName": "..." } }, or null to run without',
    );
  }
  if (root.revocations === null) return null;
  const obj = objectAt(root.revocations, 'revocations');
  onlyKeys(obj, 'revocations', REVOCATIONS_KEYS);
  if (obj.file !== undefined && obj.dynamodb !== undefined) {
    throw new ConfigError('revocations.dynamodb', 'give either file or dynamodb, not both');
  }
  if (obj.file === undefined && obj.dynamodb === undefined) {
    throw new ConfigError('revocations.file', 'is required (or dynamodb)');
  }
  if (obj.file !== undefined) return { kind: 'file', path: path(requiredString(obj, 'file', 'revocations')) };

  const at = 'revocations.dynamodb';
  const ddb = objectAt(obj.dynamodb, at);
  onlyKeys(ddb, at, DYNAMODB_REVOCATIONS_KEYS);
  const tableName = requiredString(ddb, 'tableName', at);
  if (!TABLE_NAME.test(tableName)) {
    throw new ConfigError(
      join(at, 'tableName'),
      `expected a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -), got ${show(tableName)}`,
    );
  }
  const region = ddb.region === undefined ? undefined : requiredString(ddb, 'region', at);
  if (region !== undefined && !REGION.test(region)) {
    throw new ConfigError(
      join(at, 'region'),
      `expected an AWS region such as "eu-west-1", got ${show(region)}`,
    );
  }
  return {
    kind: 'dynamodb',
    tableName,
    region,
    endpoint: ddb.endpoint === undefined ? undefined : secureUrl(ddb, 'endpoint', at),
    cacheSeconds: optionalNumber(ddb, 'cacheSeconds', at, 5, { min: 0, max: 60, integer: true }),
    maxCacheEntries: optionalNumber(ddb, 'maxCacheEntries', at, 10_000, {
      min: 1,
      max: 1_000_000,
      integer: true,
    }),
  };
}

export function parseAutoRevocation(
  root: Json,
  revocations: RevocationsConfig,
): AutoRevocationConfig | undefined {
  if (root.autoRevocation === undefined) return undefined;
  const at = 'autoRevocation';
  const obj = objectAt(root.autoRevocation, at);
  onlyKeys(obj, at, AUTO_REVOCATION_KEYS);
  for (const key of ['denyThreshold', 'windowSeconds']) {
    if (obj[key] === undefined) throw new ConfigError(join(at, key), 'is required');
  }
  if (revocations === null) {
    throw new ConfigError(at, 'needs a revocation store to write to ("revocations" is null)');
  }
  return {
    denyThreshold: optionalNumber(obj, 'denyThreshold', at, 0, { min: 1, max: 10_000, integer: true }),
    windowSeconds: optionalNumber(obj, 'windowSeconds', at, 0, { min: 1, max: 86_400, integer: true }),
  };
}

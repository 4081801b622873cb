import {
  ConfigError,
  type Json,
  join,
  objectAt,
  onlyKeys,
  show,
} from '../../functions/core/config/reader.ts';
import { integer, section } from './config-fields.ts';

/** `authorizer.runtime.revocations` as the deployment accepts it: the stack's own table. */
export interface DeployedRevocations {
  readonly dynamodb: {
    /** The table's physical name; the stack creates it, the CLI finds it by it. */
    readonly tableName: string;
    readonly cacheSeconds?: number;
    readonly maxCacheEntries?: number;
  };
}

/**
 * The deployed authorizer reads the table the stack creates, in the stack's region: a
 * `region` could point it at another region's table (or none: every request denied), and an
 * `endpoint` is for local stand-ins only. `zta revoke --env` takes its region from the AWS
 * environment or `--region`. The values themselves are checked by the runtime's own parser.
 */
export function deployedRevocations(raw: unknown, at: string): DeployedRevocations {
  const hint = '{ "dynamodb": { "tableName": "zta-<env>-revocations" } }';
  if (raw === null || raw === undefined) {
    throw new ConfigError(
      at,
      `the stack deploys the DynamoDB revocation table: expected ${hint}, got ${show(raw)}`,
    );
  }
  const obj = objectAt(raw, at);
  if (obj.dynamodb === undefined) {
    throw new ConfigError(at, `only the DynamoDB store is deployed: expected ${hint}, got ${show(raw)}`);
  }
  onlyKeys(obj, at, ['dynamodb']);
  const ddbAt = join(at, 'dynamodb');
  onlyKeys(objectAt(obj.dynamodb, ddbAt), ddbAt, ['tableName', 'cacheSeconds', 'maxCacheEntries']);
  const ddb = obj.dynamodb as Json;
  return {
    dynamodb: {
      tableName: ddb.tableName as string,
      ...(typeof ddb.cacheSeconds === 'number' ? { cacheSeconds: ddb.cacheSeconds } : {}),
      ...(typeof ddb.maxCacheEntries === 'number' ? { maxCacheEntries: ddb.maxCacheEntries } : {}),
    },
  };
}

export interface DecisionEventsConfig {
  /** How long the bus's archive keeps events (replayable). */
  readonly archiveRetentionDays: number;
}

export function decisionEvents(root: Json): DecisionEventsConfig {
  const raw = section(root, 'decisionEvents', ['archiveRetentionDays']);
  return { archiveRetentionDays: integer(raw, 'archiveRetentionDays', 'decisionEvents', 1, 3650) };
}

export interface DeployedAutoRevocation {
  /** Policy denials (403, verified token) of one principal within the window that revoke it. */
  readonly denyThreshold: number;
  readonly windowSeconds: number;
}

/** Same keys and bounds as the runtime's `autoRevocation` (what `zta serve` reads). */
export function autoRevocation(root: Json): DeployedAutoRevocation {
  const raw = section(root, 'autoRevocation', ['denyThreshold', 'windowSeconds']);
  return {
    denyThreshold: integer(raw, 'denyThreshold', 'autoRevocation', 1, 10_000),
    windowSeconds: integer(raw, 'windowSeconds', 'autoRevocation', 1, 86_400),
  };
}

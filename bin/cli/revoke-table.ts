import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DynamoRevocationsConfig } from '../../functions/core/config/authorizer-config.ts';
import { parseRevocations } from '../../functions/core/config/pipeline-config.ts';
import { ConfigError } from '../../functions/core/config/reader.ts';
import { UsageError } from './io.ts';

/** What `zta revoke --env <env>` needs to know about the environment. */
export interface TableSettings {
  readonly table: DynamoRevocationsConfig;
  /** Issuers of the environment (for `--sub` without `--iss`, and retention). */
  readonly issuers: readonly { issuer: string; maxLifetimeSeconds: number; clockToleranceSeconds: number }[];
}

/**
 * Settings for `--env <env>`: `./config/<env>.json` (or `$ZTA_CONFIG_DIR/<env>.json`) when it
 * exists — its `authorizer.runtime.revocations.dynamodb` names the table and region, its
 * issuers the defaults — with `--table`, `--region`, `--endpoint` taking precedence. Without
 * a table from either, the command refuses rather than guess a name.
 */
export function tableSettings(
  env: string,
  flags: { table?: string | undefined; region?: string | undefined; endpoint?: string | undefined },
): TableSettings {
  if (!/^[a-z][a-z0-9-]{0,31}$/.test(env))
    throw new UsageError(`--env expects an environment name, got ${JSON.stringify(env)}`);
  // The app's config folder (the working directory's config/), never the installed package's.
  const file = join(process.env.ZTA_CONFIG_DIR ?? join(process.cwd(), 'config'), `${env}.json`);
  let runtime: Record<string, unknown> = {};
  if (existsSync(file)) {
    try {
      const raw = JSON.parse(readFileSync(file, 'utf8')) as {
        authorizer?: { runtime?: Record<string, unknown> };
      };
      runtime = raw.authorizer?.runtime ?? {};
    } catch (error) {
      throw new UsageError(`${file}: not valid JSON (${(error as Error).message})`);
    }
  }
  const configured = runtime.revocations as { dynamodb?: Record<string, unknown> } | null | undefined;
  const dynamodb = { ...(configured?.dynamodb ?? {}) };
  if (flags.table !== undefined) dynamodb.tableName = flags.table;
  if (flags.region !== undefined) dynamodb.region = flags.region;
  if (flags.endpoint !== undefined) dynamodb.endpoint = flags.endpoint;
  if (dynamodb.tableName === undefined) {
    throw new UsageError(
      `no revocation table for ${env}: pass --table, or set authorizer.runtime.revocations.dynamodb.tableName in ${file}`,
    );
  }
  let table: DynamoRevocationsConfig;
  try {
    table = parseRevocations({ revocations: { dynamodb } }, (p) => p) as DynamoRevocationsConfig;
  } catch (error) {
    if (error instanceof ConfigError)
      throw new UsageError(error.message.replace(/^revocations\.dynamodb\./, '--'));
    throw error;
  }
  const issuers = Array.isArray(runtime.issuers) ? (runtime.issuers as Record<string, unknown>[]) : [];
  return {
    table,
    issuers: issuers
      .filter((i) => typeof i.issuer === 'string')
      .map((i) => ({
        issuer: i.issuer as string,
        maxLifetimeSeconds: typeof i.maxLifetimeSeconds === 'number' ? i.maxLifetimeSeconds : 86_400,
        clockToleranceSeconds: typeof i.clockToleranceSeconds === 'number' ? i.clockToleranceSeconds : 30,
      })),
  };
}

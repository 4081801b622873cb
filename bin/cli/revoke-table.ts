import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import type { DynamoRevocationsConfig } from '../../functions/core/config/authorizer-config.ts';
import { parseRevocations } from '../../functions/core/config/pipeline-config.ts';
import { ConfigError } from '../../functions/core/config/reader.ts';
import { listEnvironments } from '../../lib/config.ts';
import { UsageError } from './io.ts';
import { didYouMean } from './suggest.ts';

/** What `zta revoke --env <env>` needs to know about the environment. */
export interface TableSettings {
  readonly table: DynamoRevocationsConfig;
  /** Issuers of the environment (for `--sub` without `--iss`, and retention). */
  readonly issuers: readonly { issuer: string; maxLifetimeSeconds: number; clockToleranceSeconds: number }[];
}

type TableFlags = { table?: string | undefined; region?: string | undefined; endpoint?: string | undefined };
const FLAG_OF = { tableName: '--table', region: '--region', endpoint: '--endpoint' } as const;

/**
 * Settings for `--env <env>`: `./config/<env>.json` (or `$ZTA_CONFIG_DIR/<env>.json`), the
 * file the CDK app deploys from — its `authorizer.runtime.revocations.dynamodb` names the table
 * and region, its issuers the defaults — with `--table`, `--region`, `--endpoint` taking
 * precedence. An environment without a file is refused, naming the ones there are, unless
 * `--table` names the table outright. The region is settled here, before any AWS call, so its
 * absence is one clear line rather than the SDK's "Region is missing": `--region`, the file,
 * `AWS_REGION`, `AWS_DEFAULT_REGION` (which the SDK ignores), then the AWS profile's.
 */
export async function tableSettings(env: string, flags: TableFlags): Promise<TableSettings> {
  // The app's config folder (the working directory's config/), never the installed package's.
  const dir = process.env.ZTA_CONFIG_DIR ?? join(process.cwd(), 'config');
  const file = join(dir, `${env}.json`);
  const known = existsSync(dir) ? listEnvironments(dir) : [];
  if (!known.includes(env) && (flags.table === undefined || !/^[a-z][a-z0-9-]{0,31}$/.test(env)))
    throw unknownEnvironment(env, dir, known);
  const runtime = existsSync(file) ? runtimeOf(file) : {};
  const configured = runtime.revocations as { dynamodb?: Record<string, unknown> } | null | undefined;
  const dynamodb: Record<string, unknown> = { ...(configured?.dynamodb ?? {}) };
  const from: Record<string, string> = {};
  for (const [key, flag] of Object.entries(FLAG_OF)) {
    const value = flags[flag.slice(2) as keyof TableFlags];
    if (value !== undefined) [dynamodb[key], from[key]] = [value, flag];
  }
  if (dynamodb.tableName === undefined) {
    throw new UsageError(
      `no revocation table for environment ${env}`,
      `pass --table <name>, or set authorizer.runtime.revocations.dynamodb.tableName in ${shown(file)}`,
    );
  }
  const parse = () => parsedTable(dynamodb, from, file);
  let table = parse();
  if (table.region === undefined) {
    const region = await defaultRegion();
    if (region === undefined) {
      // Not "set it in config/<env>.json": the CDK app refuses a region there (the table lives
      // in the stack's region), so that advice would break the next synth.
      throw new UsageError(
        `no AWS region for table ${table.tableName}`,
        "pass --region <r> (the stack's region), or export AWS_REGION",
      );
    }
    [dynamodb.region, from.region] = [region.value, region.from];
    table = parse();
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

/** The table settings through the deployed config's own parser, a refusal naming where the value came from. */
function parsedTable(
  dynamodb: Record<string, unknown>,
  from: Record<string, string>,
  file: string,
): DynamoRevocationsConfig {
  try {
    return parseRevocations({ revocations: { dynamodb } }, (p) => p) as DynamoRevocationsConfig;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const key = error.path.split('.').at(-1) ?? '';
    const source = from[key] ?? `authorizer.runtime.revocations.dynamodb.${key} in ${shown(file)}`;
    throw new UsageError(`${source}: ${error.message.slice(error.path.length + 2)}`, 'see zta revoke --help');
  }
}

function unknownEnvironment(env: string, dir: string, known: readonly string[]): UsageError {
  if (known.length === 0) {
    return new UsageError(
      `unknown environment ${JSON.stringify(env)}: ${shown(dir)} holds no <env>.json`,
      "run zta from your CDK app's folder, set ZTA_CONFIG_DIR to its config folder, or name the table with --table",
    );
  }
  const near = didYouMean(env, known);
  return new UsageError(
    `unknown environment ${JSON.stringify(env)}`,
    `${near ? `${near} ` : ''}environments in ${shown(dir)}: ${known.join(', ')}`,
  );
}

function runtimeOf(file: string): Record<string, unknown> {
  try {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as {
      authorizer?: { runtime?: Record<string, unknown> };
    };
    return raw.authorizer?.runtime ?? {};
  } catch (error) {
    throw new UsageError(`${shown(file)}: not valid JSON (${(error as Error).message})`, 'repair the file');
  }
}

/** The region the usual AWS settings give, and which one gave it; `undefined` when none does. */
async function defaultRegion(): Promise<{ value: string; from: string } | undefined> {
  for (const name of ['AWS_REGION', 'AWS_DEFAULT_REGION']) {
    const value = process.env[name];
    if (value) return { value, from: name };
  }
  // The profile's region (AWS_PROFILE, ~/.aws/config), resolved exactly as the SDK would.
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  const client = new DynamoDBClient({});
  try {
    return { value: await client.config.region(), from: 'the AWS profile' };
  } catch {
    return undefined;
  } finally {
    client.destroy();
  }
}

/** A path as the user would type it: relative to the working directory when inside it. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' ? '.' : rel.startsWith('..') || isAbsolute(rel) ? path : rel;
}

import { randomUUID } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import type { CacheFlushResult } from '../../functions/core/auto-revocation/revoker.ts';
import type { RevocationsConfig } from '../../functions/core/config/authorizer-config.ts';
import {
  cliActor,
  type RevocationTarget,
  revokeThrough,
  subjectRetentionSeconds,
} from '../../functions/core/revocation-writer.ts';
import type { ProtectedStage } from '../../functions/runtime/protected-stages.ts';
import { revocationWriterFor } from '../../functions/runtime/revocation-writers.ts';
import { epochSeconds, printJson, UsageError } from './io.ts';
import type { Command } from './main.ts';
import { tableSettings } from './revoke-table.ts';
import { readConfig } from './runtime.ts';
import { flushStages, parseFlushStages } from './stage-flush.ts';
import { didYouMean } from './suggest.ts';
import { onStore } from './table-errors.ts';

const options = {
  config: { type: 'string' },
  jti: { type: 'string' },
  sub: { type: 'string' },
  iss: { type: 'string' },
  at: { type: 'string' },
  reason: { type: 'string' },
  env: { type: 'string' },
  table: { type: 'string' },
  region: { type: 'string' },
  endpoint: { type: 'string' },
  'flush-stage': { type: 'string', multiple: true },
  undo: { type: 'boolean' },
} as const;

export const revoke: Command = {
  summary: 'revoke (or --undo) a token (jti) or every token of a subject issued up to now',
  help: `
Usage: zta revoke --config <file> (--jti <id> | --sub <subject>) [--iss <issuer>] [--at <epoch-seconds>]
                  [--reason <text>] [--undo]
       zta revoke --env <env> (--jti <id> | --sub <subject>) [--iss <issuer>] [--at <epoch-seconds>]
                  [--reason <text>] [--undo] [--flush-stage <restApiId>/<stage> ...]
                  [--table <name>] [--region <r>] [--endpoint <url>]

Records a revocation in the config's revocation store (a file, or a DynamoDB table); later
decide/serve runs, and the deployed authorizer for a table, honour it. With --env, the store is
the environment's DynamoDB revocation table: named by --table, or by
authorizer.runtime.revocations.dynamodb in config/<env>.json (in the working directory, or
$ZTA_CONFIG_DIR; an environment without that file needs --table). The region (the stack's):
--region, AWS_REGION, AWS_DEFAULT_REGION or the AWS profile; credentials: the usual AWS environment.
  --jti <id>       deny the token with this jti (with --iss: of that issuer only; without: any issuer)
  --sub <subject>  deny every token of this subject issued at or before --at (plus the issuer's
                   clock tolerance)
  --iss <issuer>   a configured issuer; required with --sub unless exactly one issuer is configured
  --at <seconds>   revocation time (default: now)
  --reason <text>  kept in the audit trail
  --undo           lift the revocation instead (audited too)
  --flush-stage <restApiId>/<stage>  with --env, after recording (or --undo): flush that stage's
                   API Gateway authorizer cache, as the revoker does, so no cached ALLOW outlives
                   the revocation
                   (repeat it, or give several comma-separated as the stack output ProtectedStages
                   lists them). Without it a stage answers from its cache until the cache TTL ends.
                   Needs apigateway:DELETE on /restapis/<id>/stages/<stage>/cache/authorizers. A
                   failed flush is exit 2; the revocation stays recorded, and running the command
                   again retries the flush.
  --table, --region, --endpoint  the DynamoDB table, its region, a local endpoint (tests)
Every call is audited in the store: who (cli:<user>@<host>), why, when, and the outcome.
Prints the revocation now in force as JSON, with "outcome": "revoked", "unchanged" (an equal or
later revocation was in force already) or "unrevoked". A store that is missing, empty or
corrupt is never written: exit 2, the file left as it was (create an empty store with
zta revocations init). Exit 0, or 2 on bad input or an unusable store (nothing recorded then).
List revocations and their audit trail with zta revocations list|history.`,
  options,

  async run(args) {
    const { values } = parseArgs({ args, options, strict: true });
    oneTarget(values);
    const at = epochSeconds('at', values.at) ?? Math.floor(Date.now() / 1000);
    if (values['flush-stage'] !== undefined && values.env === undefined)
      throw new UsageError(
        "--flush-stage goes with --env (an API Gateway stage reads the environment's table)",
        'add --env <env>, or drop --flush-stage: the local gateway sees a revocation file change at once',
      );
    const stages = parseFlushStages(values['flush-stage']);
    const { store, issuers } = await storeOf(values);
    const target = targetOf(values, issuers, values.config !== undefined);
    const audit = {
      actor: cliActor(userInfo().username, hostname()),
      reason: values.reason ?? 'manual (no reason given)',
      requestId: randomUUID(),
      trigger: 'manual' as const,
    };
    const where = store.kind === 'file' ? { file: store.path } : { table: store.tableName };
    const writer = await revocationWriterFor(store);
    if (!writer) throw new TypeError('unreachable: a configured store always has a writer');
    if (values.undo) {
      const result = await onStore(store, () => writer.unrevoke(target, at, audit));
      const answer = { ...target, ...result, at, by: audit.actor, reason: audit.reason, ...where };
      // A cached 403 outliving an undo only delays access: flushed when asked, no note.
      return answered(answer, store, stages, false);
    }
    const retention = subjectRetentionSeconds(issuers);
    const result = await onStore(store, () => revokeThrough(writer, target, at, audit, retention));
    return answered({ ...result.record, outcome: result.outcome, ...where }, store, stages, true);
  },
};

/** Prints the answer; for a table, after flushing the stages' authorizer caches. */
async function answered(
  answer: object,
  store: Exclude<RevocationsConfig, null>,
  stages: readonly ProtectedStage[],
  noteUnflushed: boolean,
): Promise<0> {
  if (store.kind === 'file') {
    printJson(answer);
    return 0;
  }
  const cacheFlushes = await flushStages(stages, store.region);
  printJson({ ...answer, cacheFlushes });
  reportFlushes(cacheFlushes, store.tableName, noteUnflushed);
  return 0;
}

/**
 * After a table write: API Gateway keeps answering from its authorizer cache until the cache is
 * flushed or its TTL ends, so say which stages were not flushed and what to do.
 */
function reportFlushes(flushes: readonly CacheFlushResult[], table: string, noteUnflushed: boolean): void {
  if (flushes.length === 0) {
    if (!noteUnflushed) return;
    process.stderr.write(
      `zta revoke: note: recorded in ${table}; API Gateway stages keep answering from their authorizer cache until its TTL ends (authorizer.cacheTtlSeconds) — add --flush-stage <restApiId>/<stage> for each stage (the stack output ProtectedStages), or revoke through the admin route, to end cached ALLOWs now\n`,
    );
    return;
  }
  const failed = flushes.filter((f) => !f.ok);
  if (failed.length === 0) return;
  throw new UsageError(
    `recorded in ${table}, but the authorizer cache of ${failed.map((f) => `${f.stage} (${f.error})`).join(', ')} was not flushed`,
    'cached ALLOWs there last until the cache TTL ends; run the same command again: the revocation is unchanged and the flush retried',
  );
}

type Issuers = readonly { issuer: string; maxLifetimeSeconds: number; clockToleranceSeconds: number }[];

interface StoreFlags {
  config?: string | undefined;
  env?: string | undefined;
  table?: string | undefined;
  region?: string | undefined;
  endpoint?: string | undefined;
}

/** Exactly one of `--jti` and `--sub`, checked before any store is opened. */
export function oneTarget(values: { jti?: string | undefined; sub?: string | undefined }): void {
  if (values.jti !== undefined && values.sub !== undefined)
    throw new UsageError('both --jti and --sub given', 'give exactly one of --jti <id> or --sub <subject>');
  if (values.jti === undefined && values.sub === undefined)
    throw new UsageError('missing --jti or --sub', 'give exactly one of --jti <id> or --sub <subject>');
}

/** The store `--config` or `--env` names, and the issuers that vet `--iss` and set retention. */
export async function storeOf(values: StoreFlags): Promise<{
  store: Exclude<RevocationsConfig, null>;
  issuers: Issuers;
}> {
  const exactlyOne = 'give exactly one of --config <file> (a revocation file) or --env <env> (its table)';
  if (values.config !== undefined && values.env !== undefined)
    throw new UsageError('both --config and --env given', exactlyOne);
  if (values.config === undefined && values.env === undefined)
    throw new UsageError('missing --config or --env', exactlyOne);
  if (values.env === undefined && [values.table, values.region, values.endpoint].some((v) => v !== undefined))
    throw new UsageError('--table, --region and --endpoint go with --env', 'add --env <env>, or drop them');
  if (values.env !== undefined) {
    const settings = await tableSettings(values.env, values);
    return { store: settings.table, issuers: settings.issuers };
  }
  const config = readConfig(values.config);
  if (!config.revocations)
    throw new UsageError(
      `${values.config} has no revocation store ("revocations": null)`,
      'set "revocations": { "file": "revocations.json" } in it, or use --env <env>',
    );
  return { store: config.revocations, issuers: config.issuers };
}

/** `--jti`/`--sub` and `--iss` as a target, vetting `--iss` against the configured issuers. */
export function targetOf(
  values: { jti?: string | undefined; sub?: string | undefined; iss?: string | undefined },
  issuers: Issuers,
  fromConfig: boolean,
): RevocationTarget {
  for (const flag of ['jti', 'sub', 'iss'] as const) {
    if (values[flag] !== undefined && values[flag].trim() === '')
      throw new UsageError(
        `--${flag} must not be empty`,
        `give the ${flag} to match, as the token carries it`,
      );
  }
  // Distinct issuers: several entries may share one `iss` (issue 11), and that is one issuer.
  const configured = [...new Set(issuers.map((i) => i.issuer))];
  // An environment without issuers listed (only --table) cannot vet --iss: any value goes.
  const vetted = fromConfig || configured.length > 0;
  if (vetted && values.iss !== undefined && !configured.includes(values.iss)) {
    const near = didYouMean(values.iss, configured);
    throw new UsageError(
      `--iss ${JSON.stringify(values.iss)} is not a configured issuer`,
      `${near ? `${near} ` : ''}configured: ${configured.join(', ') || 'none'}`,
    );
  }
  if (values.jti !== undefined) {
    return { kind: 'jti', jti: values.jti, ...(values.iss === undefined ? {} : { issuer: values.iss }) };
  }
  const issuer = values.iss ?? (configured.length === 1 ? configured[0] : undefined);
  if (issuer === undefined)
    throw new UsageError(
      configured.length === 0
        ? '--sub needs --iss: the environment lists no issuers'
        : '--sub needs --iss when several issuers are configured',
      configured.length === 0
        ? "add --iss <issuer>, the token's iss claim"
        : `add --iss with one of: ${configured.join(', ')}`,
    );
  return { kind: 'subject', issuer, subject: values.sub as string };
}

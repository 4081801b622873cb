import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import type { RevocationRecord } from '../../functions/core/revocation.ts';
import { RevocationFileStore } from '../../functions/runtime/revocation-file-store.ts';
import { epochSeconds, printJson, UsageError } from './io.ts';
import type { Command } from './main.ts';
import { reviseTable, tableSettings } from './revoke-table.ts';
import { readConfig } from './runtime.ts';

export const revoke: Command = {
  summary: 'revoke a token (jti) or every token of a subject issued up to now',
  help: `
Usage: zta revoke --config <file> (--jti <id> | --sub <subject>) [--iss <issuer>] [--at <epoch-seconds>]
                  [--reason <text>]
       zta revoke --env <env> (--jti <id> | --sub <subject>) [--iss <issuer>] [--at <epoch-seconds>]
                  [--reason <text>] [--undo] [--table <name>] [--region <r>] [--endpoint <url>]

Records a revocation in the config's revocation store (a file, or a DynamoDB table); later
decide/serve runs, and the deployed authorizer for a table, honour it. With --env, the store is
the environment's DynamoDB revocation table: named by --table, or by
authorizer.runtime.revocations.dynamodb in config/<env>.json; AWS credentials and region come
from the usual AWS environment (or --region).
  --jti <id>       deny the token with this jti (with --iss: of that issuer only; without: any issuer)
  --sub <subject>  deny every token of this subject issued at or before --at
  --iss <issuer>   a configured issuer; required with --sub unless exactly one issuer is configured
  --at <seconds>   revocation time (default: now)
  --reason <text>  kept in the record for the audit trail
  --undo           lift the revocation instead (DynamoDB stores only; audited too)
  --table, --region, --endpoint  the DynamoDB table, its region, a local endpoint (tests)
Prints the record written, as JSON (with "outcome" for a table: "revoked", "unchanged", or
"unrevoked"). Exit 0, or 2 on bad input or an unreachable store (nothing is recorded then).`,

  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
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
        undo: { type: 'boolean' },
      },
      strict: true,
    });
    if ((values.config === undefined) === (values.env === undefined))
      throw new UsageError('give exactly one of --config <file> or --env <env>');
    if (
      values.env === undefined &&
      [values.table, values.region, values.endpoint].some((v) => v !== undefined)
    )
      throw new UsageError('--table, --region and --endpoint go with --env');
    if ((values.jti === undefined) === (values.sub === undefined))
      throw new UsageError('give exactly one of --jti or --sub');
    for (const flag of ['jti', 'sub', 'iss'] as const) {
      if (values[flag] !== undefined && values[flag].trim() === '')
        throw new UsageError(`--${flag} must not be empty`);
    }
    const settings = values.env === undefined ? undefined : tableSettings(values.env, values);
    const config = values.config === undefined ? undefined : readConfig(values.config);
    if (config && !config.revocations)
      throw new UsageError('the config has no revocation store ("revocations": null)');
    const issuers = settings?.issuers ?? config?.issuers ?? [];
    const configured = issuers.map((i) => i.issuer);
    // An environment without issuers listed (only --table) cannot vet --iss: any value goes.
    const vetted = config !== undefined || configured.length > 0;
    if (vetted && values.iss !== undefined && !configured.includes(values.iss)) {
      throw new UsageError(
        `--iss ${JSON.stringify(values.iss)} is not a configured issuer (${configured.join(', ')})`,
      );
    }
    const revokedAt = epochSeconds('at', values.at) ?? Math.floor(Date.now() / 1000);
    const audit = {
      revokedAt,
      revokedBy: `cli:${userInfo().username}`,
      ...(values.reason !== undefined ? { reason: values.reason } : {}),
    };

    let record: RevocationRecord;
    if (values.jti !== undefined) {
      record = {
        kind: 'jti',
        jti: values.jti,
        ...(values.iss !== undefined ? { issuer: values.iss } : {}),
        ...audit,
      };
    } else {
      const issuer = values.iss ?? (configured.length === 1 ? configured[0] : undefined);
      if (issuer === undefined)
        throw new UsageError(
          configured.length === 0
            ? '--sub needs --iss (the environment lists no issuers)'
            : `--sub needs --iss when several issuers are configured (${configured.join(', ')})`,
        );
      record = { kind: 'subject', issuer, subject: values.sub as string, ...audit };
    }
    const store = settings?.table ?? config?.revocations;
    if (values.undo && store?.kind !== 'dynamodb')
      throw new UsageError('--undo needs a DynamoDB revocation store');
    if (store?.kind === 'file') {
      printJson(new RevocationFileStore(store.path).append(record));
      return 0;
    }
    if (store?.kind !== 'dynamodb') throw new UsageError('no revocation store');
    const target =
      record.kind === 'jti'
        ? {
            kind: 'jti' as const,
            jti: record.jti,
            ...(record.issuer === undefined ? {} : { issuer: record.issuer }),
          }
        : { kind: 'subject' as const, issuer: record.issuer, subject: record.subject };
    printJson(
      await reviseTable(store, target, {
        at: revokedAt,
        reason: values.reason,
        undo: values.undo === true,
        retentionIssuers: issuers,
      }),
    );
    return 0;
  },
};

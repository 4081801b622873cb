import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import type { RevocationRecord } from '../../functions/core/revocation.ts';
import { RevocationFileStore } from '../../functions/runtime/revocation-file-store.ts';
import { epochSeconds, printJson, UsageError } from './io.ts';
import type { Command } from './main.ts';
import { readConfig } from './runtime.ts';

export const revoke: Command = {
  summary: 'revoke a token (jti) or every token of a subject issued up to now',
  help: `
Usage: zta revoke --config <file> (--jti <id> | --sub <subject>) [--iss <issuer>] [--at <epoch-seconds>]
                  [--reason <text>]

Records a revocation in the config's revocation store; later decide/serve runs honour it.
  --jti <id>       deny the token with this jti (with --iss: of that issuer only; without: any issuer)
  --sub <subject>  deny every token of this subject issued at or before --at
  --iss <issuer>   a configured issuer; required with --sub unless exactly one issuer is configured
  --at <seconds>   revocation time (default: now)
  --reason <text>  kept in the record for the audit trail
Prints the record written, as JSON. Exit 0, or 2 on bad input (nothing is recorded then).`,

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
      },
      strict: true,
    });
    const config = readConfig(values.config);
    if (!config.revocations) throw new UsageError('the config has no revocation store ("revocations": null)');
    if ((values.jti === undefined) === (values.sub === undefined))
      throw new UsageError('give exactly one of --jti or --sub');
    for (const flag of ['jti', 'sub', 'iss'] as const) {
      if (values[flag] !== undefined && values[flag].trim() === '')
        throw new UsageError(`--${flag} must not be empty`);
    }
    const configured = config.issuers.map((i) => i.issuer);
    if (values.iss !== undefined && !configured.includes(values.iss)) {
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
          `--sub needs --iss when several issuers are configured (${configured.join(', ')})`,
        );
      record = { kind: 'subject', issuer, subject: values.sub as string, ...audit };
    }
    printJson(new RevocationFileStore(config.revocations.path).append(record));
    return 0;
  },
};

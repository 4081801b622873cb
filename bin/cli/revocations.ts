import { parseArgs } from 'node:util';
import { createEmptyRevocationStore } from '../../functions/runtime/revocation-document.ts';
import { revocationWriterFor } from '../../functions/runtime/revocation-writers.ts';
import { printJson, UsageError } from './io.ts';
import type { Command } from './main.ts';
import { storeOf, targetOf } from './revoke.ts';

export const revocations: Command = {
  summary: 'create an empty revocation store, list revocations in force, show a target’s audit trail',
  help: `
Usage: zta revocations init --config <file>
       zta revocations list (--config <file> | --env <env>) [--table <name>] [--region <r>] [--endpoint <url>]
       zta revocations history (--config <file> | --env <env>) (--jti <id> | --sub <subject>) [--iss <issuer>]

init     creates the config's revocation file holding no revocations. Only a valid store is a
         store: the authorizer denies every request (revocation_unavailable) while the file is
         missing, empty or corrupt. init never replaces an existing file, even an unreadable one.
list     prints each revocation in force, one JSON object per line (a DynamoDB table is scanned).
history  prints every revoke and un-revoke of one target, oldest first: who, why, when, outcome.
--env and its flags work as for zta revoke.`,

  async run(args) {
    const [action, ...rest] = args;
    const { values } = parseArgs({
      args: rest,
      options: {
        config: { type: 'string' },
        env: { type: 'string' },
        table: { type: 'string' },
        region: { type: 'string' },
        endpoint: { type: 'string' },
        jti: { type: 'string' },
        sub: { type: 'string' },
        iss: { type: 'string' },
      },
      strict: true,
    });
    if (action !== 'init' && action !== 'list' && action !== 'history') {
      throw new UsageError(`expected "init", "list" or "history", got ${JSON.stringify(action ?? '')}`);
    }
    const targetFlags = [values.jti, values.sub, values.iss].some((v) => v !== undefined);
    if (action !== 'history' && targetFlags) throw new UsageError('--jti, --sub and --iss go with history');
    const { store, issuers } = storeOf(values);
    if (action === 'init') {
      if (store.kind !== 'file')
        throw new UsageError('init creates a revocation file; the table is made by cdk deploy');
      createEmptyRevocationStore(store.path);
      printJson({ created: store.path, revocations: 0 });
      return 0;
    }
    const ledger = await revocationWriterFor(store);
    if (!ledger) throw new TypeError('unreachable: a configured store always has a writer');
    if (action === 'list') {
      for (const record of await ledger.list(Math.floor(Date.now() / 1000))) printJson(record);
      return 0;
    }
    if ((values.jti === undefined) === (values.sub === undefined))
      throw new UsageError('give exactly one of --jti or --sub');
    const target = targetOf(values, issuers, values.config !== undefined);
    for (const entry of await ledger.history(target)) printJson({ ...target, ...entry });
    return 0;
  },
};

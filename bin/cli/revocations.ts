import { parseArgs } from 'node:util';
import { createEmptyRevocationStore } from '../../functions/runtime/revocation-document.ts';
import { revocationWriterFor } from '../../functions/runtime/revocation-writers.ts';
import { printJson, UsageError } from './io.ts';
import type { Command } from './main.ts';
import { oneTarget, storeOf, targetOf } from './revoke.ts';
import { onStore } from './table-errors.ts';

const options = {
  config: { type: 'string' },
  env: { type: 'string' },
  table: { type: 'string' },
  region: { type: 'string' },
  endpoint: { type: 'string' },
  jti: { type: 'string' },
  sub: { type: 'string' },
  iss: { type: 'string' },
} as const;

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
  options,
  actions: ['init', 'list', 'history'],

  async run(args) {
    const [action, ...rest] = args;
    const { values } = parseArgs({ args: rest, options, strict: true });
    const targetFlags = [values.jti, values.sub, values.iss].some((v) => v !== undefined);
    if (action !== 'history' && targetFlags)
      throw new UsageError(
        `--jti, --sub and --iss go with history, not ${action}`,
        'zta revocations history --jti <id>',
      );
    if (action === 'init' && values.env !== undefined)
      throw new UsageError(
        'init creates a revocation file, not a table',
        'cdk deploy creates the table of --env',
      );
    if (action === 'history') oneTarget(values);
    const { store, issuers } = await storeOf(values);
    if (action === 'init') {
      if (store.kind !== 'file')
        throw new UsageError(`${values.config} names a DynamoDB table`, 'cdk deploy creates the table');
      createEmptyRevocationStore(store.path);
      printJson({ created: store.path, revocations: 0 });
      return 0;
    }
    const ledger = await revocationWriterFor(store);
    if (!ledger) throw new TypeError('unreachable: a configured store always has a writer');
    if (action === 'list') {
      const records = await onStore(store, () => ledger.list(Math.floor(Date.now() / 1000)));
      for (const record of records) printJson(record);
      return 0;
    }
    const target = targetOf(values, issuers, values.config !== undefined);
    for (const entry of await onStore(store, () => ledger.history(target)))
      printJson({ ...target, ...entry });
    return 0;
  },
};

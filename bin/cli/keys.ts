import { parseArgs } from 'node:util';
import { LocalKeyStore } from '../../functions/runtime/local-key-store.ts';
import { printJson, UsageError } from './io.ts';
import type { Command } from './main.ts';
import { localIssuerOf } from './token.ts';

const options = {
  config: { type: 'string' },
  emergency: { type: 'boolean' },
  kid: { type: 'string' },
} as const;

export const keys: Command = {
  summary: 'list, pre-publish or rotate the local issuer signing keys',
  help: `
Usage: zta keys list --config <file>
       zta keys prepare --config <file>
       zta keys rotate --config <file> [--emergency] [--kid <kid>]

The local issuer follows the same timeline as the KMS token service (docs/key-rotation.md):
next (published, not signing) -> active (signing) -> retired (verifying through its grace).
list     each key of the localIssuer store: kid, state (next | active | retired), times, and
         until when a retired key keeps verifying (its grace: max token lifetime + clock tolerance)
prepare  publish a next key in the JWKS ahead of use (no-op when one is published already)
rotate   make the next key (or a new one) active; tokens of the previous key keep verifying
         through its grace
         --emergency  every existing key (active, retired in grace, and a published next key:
                      they share one keys.json) leaves the JWKS at once and a new key signs:
                      their tokens are rejected (401) immediately
         --kid <kid>  only this key leaves at once (a compromised one); if it was the active
                      key, the published next key (or a new one) takes over
Writes take keys.json's lock, so parallel runs never lose a key one of them reported.`,
  options,
  actions: ['list', 'prepare', 'rotate'],

  async run(args) {
    const [action, ...rest] = args;
    const { values } = parseArgs({ args: rest, options, strict: true });
    if (action !== 'rotate' && (values.emergency || values.kid !== undefined))
      throw new UsageError(
        `--emergency and --kid apply to rotate only`,
        `zta keys rotate --config <file> --emergency`,
      );
    if (values.kid !== undefined && values.kid.trim() === '')
      throw new UsageError('--kid is empty', 'give the kid to drop, as zta keys list shows it');
    const store = new LocalKeyStore(localIssuerOf(values.config));
    if (action === 'list') {
      for (const key of store.listKeys()) printJson(key);
      return 0;
    }
    if (action === 'prepare') {
      const next = await store.prepareNext();
      printJson({ next: next.kid, createdAt: next.createdAt });
      return 0;
    }
    if (action === 'rotate') {
      const result = await store.rotate({
        emergency: values.emergency === true || values.kid !== undefined,
        ...(values.kid === undefined ? {} : { kid: values.kid }),
      });
      printJson({
        active: result.active.kid,
        retired: result.retired.map((k) => k.kid),
        dropped: result.dropped,
      });
      return 0;
    }
    throw new TypeError(`unreachable: main.ts checked the sub-command, got ${JSON.stringify(action)}`);
  },
};

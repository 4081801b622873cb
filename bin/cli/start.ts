import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { buildAuthorizer } from '../../functions/runtime/build-authorizer.ts';
import type { LocalKeyStore } from '../../functions/runtime/local-key-store.ts';
import { createEmptyRevocationStore } from '../../functions/runtime/revocation-document.ts';
import { REPO_POLICIES, writableDir } from './io.ts';
import { parsePort, runGateway, untilSignal } from './local-gateway.ts';
import type { Command } from './main.ts';
import { readConfig } from './runtime.ts';
import { mintLocalToken } from './token.ts';

const options = { port: { type: 'string' }, 'no-console': { type: 'boolean' } } as const;

export const start: Command = {
  summary: 'the demo: local issuer, gateway and ready-to-paste curl commands (npm start)',
  help: `
Usage: zta start [--port <n>] [--no-console]

Creates .zta/ in the current folder on first run (git-ignored in this repository): config.json
with a local issuer, its ES256 signing key and JWKS under .zta/keys/, and an empty revocation
store. Then runs the local gateway with the suite's demo policies and a demo upstream, and
prints curl commands showing one request allowed (200), one denied for missing MFA (403) and
one rejected for a bad token (401). Decision records are appended to .zta/decisions.log, the
event stream to .zta/events.jsonl, and the console is at /_zta/. Policies reload on save.
Refuses to run inside node_modules/.
  --port <n>      port (default: $PORT or 8080; 0 picks a free one)
  --no-console    do not serve the console at /_zta/ (then /_zta/... is decided like any path)`,
  options,

  async run(args) {
    const { values } = parseArgs({ args, options, strict: true });
    // Checked before .zta/ is created: a bad call leaves the folder as it was.
    const port = parsePort(values.port ?? process.env.PORT ?? '8080');
    const localDir = join(writableDir(process.cwd()), '.zta');
    const localConfig = ensureLocalSetup(localDir);
    const built = buildAuthorizer(readConfig(localConfig));
    const logFile = join(localDir, 'decisions.log');
    const eventsFile = join(localDir, 'events.jsonl');
    const withConsole = values['no-console'] !== true;
    const gateway = await runGateway(built, {
      port,
      log: logFile,
      events: eventsFile,
      console: withConsole,
    });
    const keys = built.localKeys as LocalKeyStore;
    const hour = { ttlSeconds: 3600 };
    const admin = await mintLocalToken(keys, { sub: 'alice', roles: ['admin'], mfa: true, ...hour });
    const noMfa = await mintLocalToken(keys, { sub: 'bob', roles: ['admin'], mfa: false, ...hour });
    const forged = tamperSignature(admin);
    const curl = (token: string, path: string) =>
      `curl -i -H "Authorization: Bearer ${token}" ${gateway.url}${path}`;
    const here = (path: string) => {
      const near = relative(process.cwd(), path);
      return near.startsWith('..') ? path : near;
    };
    process.stdout.write(
      [
        `Zero-trust gateway on ${gateway.url} (config ${here(localConfig)})`,
        '',
        'Where to look:',
        ...(withConsole
          ? [`  console     ${gateway.url}/_zta/   (live decisions, deny reasons, revocations, keys)`]
          : []),
        `  decisions   tail -f ${here(logFile)}`,
        `  events      tail -f ${here(eventsFile)}   (EventBridge envelopes, docs/events.md)`,
        `  policies    ${here(built.config.policiesDir)}   (edits reload on save; a bad edit is refused on stderr)`,
        '',
        '# 200: admin with verified MFA reads /api/sensitive',
        curl(admin, '/api/sensitive'),
        '',
        '# 403: admin without MFA is denied /api/sensitive (reason mfa_required in the decision log)',
        curl(noMfa, '/api/sensitive'),
        '',
        '# 401: the same admin token with a tampered signature',
        curl(forged, '/api/sensitive'),
        '',
        `More tokens: npx zta token --config ${relative(process.cwd(), localConfig)} --sub carol --role admin --mfa`,
        'Press Ctrl-C to stop.',
        '',
      ].join('\n'),
    );
    await untilSignal(gateway);
    return 0;
  },
};

/**
 * Writes `<localDir>/config.json` and an empty revocation store on first run, never replacing
 * either; keys are created by the key store on first use. Returns the config's path.
 */
function ensureLocalSetup(localDir: string): string {
  const config = join(localDir, 'config.json');
  const revocations = join(localDir, 'revocations.json');
  mkdirSync(localDir, { recursive: true, mode: 0o700 });
  if (!existsSync(revocations)) createEmptyRevocationStore(revocations);
  if (existsSync(config)) return config;
  const content = {
    localIssuer: { issuer: 'https://zta.local', audience: 'zt-api', keysDir: './keys' },
    issuers: [],
    policies: relative(localDir, REPO_POLICIES),
    revocations: { file: './revocations.json' },
    gateway: { cacheTtlSeconds: 300 },
  };
  writeFileSync(config, `${JSON.stringify(content, null, 2)}\n`, { flag: 'wx' });
  return config;
}

/** Flips one bit in the middle of the signature: still well-formed, no longer valid. */
function tamperSignature(token: string): string {
  const dot = token.lastIndexOf('.');
  const signature = Buffer.from(token.slice(dot + 1), 'base64url');
  signature[10] = (signature[10] ?? 0) ^ 0x01;
  return `${token.slice(0, dot + 1)}${signature.toString('base64url')}`;
}

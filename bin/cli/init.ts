import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { emptyDocument } from '../../functions/runtime/revocation-document.ts';
import { REPO_POLICIES, REPO_ROOT, UsageError, writableDir } from './io.ts';
import type { Command } from './main.ts';

const TEMPLATES = join(REPO_ROOT, 'templates', 'init');

/**
 * What `zta init` writes, relative to the target folder, and where each file comes from. The
 * schema is the suite's own (it is the contract with the engine, so it is copied, never
 * re-typed); the rest are templates shipped with the package.
 */
const FILES: ReadonlyArray<{ readonly path: string; readonly content: () => string }> = [
  {
    path: 'policies/schema.cedarschema',
    content: () => readFileSync(join(REPO_POLICIES, 'schema.cedarschema'), 'utf8'),
  },
  { path: 'policies/orders.cedar', content: () => template('policies/orders.cedar') },
  { path: 'policies/scenarios/orders.json', content: () => template('policies/scenarios/orders.json') },
  { path: 'zta.config.json', content: () => template('zta.config.json') },
  // The one definition of an empty store (a missing or empty file denies every request).
  { path: 'revocations.json', content: () => `${JSON.stringify(emptyDocument(), null, 2)}\n` },
];

function template(path: string): string {
  return readFileSync(join(TEMPLATES, path), 'utf8');
}

const options = { dir: { type: 'string' } } as const;

export const init: Command = {
  summary: "scaffold a team's policies, issuer config and revocation store in a folder",
  help: `
Usage: zta init [--dir <d>]

Writes into <d> (default: the current folder):
  policies/schema.cedarschema     what the authorizer sends to Cedar (the contract; keep it)
  policies/orders.cedar           an example policy to replace with your own
  policies/scenarios/orders.json  requests and the decisions expected, run by zta validate
  zta.config.json                 issuer config template for zta decide / serve / token
  revocations.json                an empty revocation store
then prints the next steps. Never overwrites: when any of these files exists, or policies/
already holds files, nothing is written (exit 2). Refuses to write inside node_modules/.
  --dir <d>  target folder (created when missing)`,
  options,

  async run(args) {
    const { values } = parseArgs({ args, options, strict: true });
    const dir = writableDir(
      values.dir ?? process.cwd(),
      "run zta from your project's folder, or give a --dir outside node_modules",
    );
    refuseExisting(dir);
    const contents = FILES.map((file) => ({ target: join(dir, file.path), text: file.content() }));
    for (const { target, text } of contents) {
      mkdirSync(dirname(target), { recursive: true });
      // `wx`: even a file created since the check above is never replaced.
      writeFileSync(target, text, { flag: 'wx' });
    }
    process.stdout.write(nextSteps(dir));
    return 0;
  },
};

/** Checks every target before anything is written, so a refusal leaves the folder as it was. */
function refuseExisting(dir: string): void {
  for (const file of FILES) {
    const target = join(dir, file.path);
    if (existsSync(target))
      throw new UsageError(`${target} already exists; nothing was written`, 'choose another --dir');
  }
  // New files in an existing policy folder would join (and change) the set it deploys.
  const policies = join(dir, 'policies');
  if (existsSync(policies) && readdirSync(policies).length > 0) {
    throw new UsageError(`${policies} already holds files; nothing was written`, 'choose another --dir');
  }
}

function nextSteps(dir: string): string {
  const at = relative(process.cwd(), dir) || '.';
  return [
    `Created in ${at}: ${FILES.map((f) => f.path).join(', ')}`,
    '',
    `Next steps${at === '.' ? '' : ` (from ${at})`}:`,
    '  1. Name your identity provider in zta.config.json (issuer, audience, algorithms, jwksUri or jwksFile).',
    '  2. Write your rules in policies/*.cedar and the decisions you expect in policies/scenarios/*.json;',
    '     check them with: npx zta validate',
    '  3. Try them with dev tokens (keys go to .zta/: add it to .gitignore):',
    '       npx zta token --config zta.config.json --sub alice --role orders-reader',
    '       npx zta serve --config zta.config.json',
    "  4. Protect your API in your CDK app: new ZeroTrustAuthorizer(this, 'Authorizer', { vpc, issuers, policiesDir: 'policies' })",
    '     (README, "Protect an existing API"); relative paths resolve against the folder cdk synth runs in.',
    '',
  ].join('\n');
}

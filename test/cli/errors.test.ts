/**
 * Every `zta` command driven with bad input: an unknown command, a near-miss flag, a missing
 * required flag, a bad value, a missing file, a missing sub-command, a wrong environment. Each
 * answer is one line on stderr, `zta <command>: <what was wrong> (<how to fix>)`, naming the bad
 * input, with nothing on stdout and exit 2. Most cases call `main()` in this process; the spawned
 * ones prove the real binary (`bin/zta.mjs` → dist/) behaves the same.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalDynamo, startDynalite, TEST_CREDENTIALS } from '../support/dynalite.ts';
import { type CliResult, runCli, type Workspace, workspace } from './harness.ts';
import { runMain } from './in-process.ts';

const REPO = resolve(import.meta.dirname, '../..');
const COMMANDS = [
  'init',
  'decide',
  'explain',
  'revoke',
  'revocations',
  'token',
  'keys',
  'jwks',
  'validate',
  'serve',
  'start',
] as const;

/**
 * No AWS setting of the developer's machine leaks in: no region, no credentials, no profile
 * files, no instance metadata. The environments are the repository's config/*.json.
 */
const NO_AWS: Record<string, string | undefined> = {
  AWS_REGION: undefined,
  AWS_DEFAULT_REGION: undefined,
  AWS_PROFILE: undefined,
  AWS_ACCESS_KEY_ID: undefined,
  AWS_SECRET_ACCESS_KEY: undefined,
  AWS_SESSION_TOKEN: undefined,
  AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
  AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
  AWS_CONFIG_FILE: join(REPO, 'no-such-aws-config'),
  AWS_SHARED_CREDENTIALS_FILE: join(REPO, 'no-such-aws-credentials'),
  AWS_EC2_METADATA_DISABLED: 'true',
  ZTA_CONFIG_DIR: join(REPO, 'config'),
};
const CREDENTIALS = {
  AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
};

let ws: Workspace;
let db: LocalDynamo;
beforeAll(async () => {
  // As main() does: the SDK's notice about this Node version would land in a captured stderr.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  ws = workspace({ localIssuer: { issuer: 'https://zta.local', audience: 'zt-api', keysDir: './keys' } });
  mkdirSync(join(ws.dir, 'node_modules', 'pkg'), { recursive: true });
  db = await startDynalite();
});
afterAll(async () => {
  ws.cleanup();
  await db.close();
});

/** One bad call: its arguments, extra environment, and what the one line must name. */
interface Case {
  readonly args: (ws: Workspace) => string[];
  readonly env?: Record<string, string>;
  readonly names: readonly RegExp[];
}
const c = (args: (ws: Workspace) => string[], names: RegExp[], env?: Record<string, string>): Case => ({
  args,
  names,
  ...(env ? { env } : {}),
});

// biome-ignore format: one case per line keeps the table readable
const CASES: Record<string, Case> = {
  'unknown command, near miss': c(() => ['revok'], [/^zta: unknown command "revok"/, /did you mean revoke\?/]),
  'unknown command, no near miss': c(() => ['frobnicate'], [/"frobnicate"/, /zta --help/]),
  'an option before the command': c(() => ['--config', 'c.json'], [/^zta: /, /--config/, /command/]),

  'init: near-miss flag': c(() => ['init', '--dri', 'x'], [/--dri/, /did you mean --dir\?/]),
  'init: missing value': c(() => ['init', '--dir'], [/--dir/, /value/]),
  'init: bad value (inside node_modules)': c((w) => ['init', '--dir', join(w.dir, 'node_modules', 'pkg')], [/node_modules/]),
  'init: unexpected argument': c(() => ['init', 'here'], [/"here"/]),

  'decide: near-miss flag': c(() => ['decide', '--confg', 'x.json'], [/--confg/, /did you mean --config\?/]),
  'decide: unknown flag, no near miss': c(() => ['decide', '--verbose'], [/--verbose/, /--config, --event, --now, --log/]),
  'decide: missing required flag': c(() => ['decide'], [/--config/]),
  'decide: bad value': c((w) => ['decide', '--config', w.config, '--now', 'soon'], [/--now/, /"soon"/]),
  'decide: missing config file': c(() => ['decide', '--config', 'nope.json'], [/nope\.json/]),
  'decide: missing event file': c((w) => ['decide', '--config', w.config, '--event', 'missing-event.json'], [/missing-event\.json/]),
  'decide: a flag without its value': c(() => ['decide', '--config'], [/--config/, /value/]),

  'explain: near-miss flag': c((w) => ['explain', '--config', w.config, '--jsno'], [/--jsno/, /did you mean --json\?/]),
  'explain: missing required flag': c(() => ['explain'], [/--config/]),
  'explain: bad value': c((w) => ['explain', '--config', w.config, '--now', '-1'], [/--now/, /-1/]),
  'explain: missing event file': c((w) => ['explain', '--config', w.config, '--event', 'missing-event.json'], [/missing-event\.json/]),

  'revoke: near-miss flag': c((w) => ['revoke', '--config', w.config, '--jit', 'j'], [/--jit/, /did you mean --jti\?/]),
  'revoke: missing required flag': c((w) => ['revoke', '--config', w.config], [/--jti/, /--sub/]),
  'revoke: negative --at': c((w) => ['revoke', '--config', w.config, '--jti', 'j', '--at', '-5'], [/--at/, /-5/]),
  'revoke: negative --at=': c((w) => ['revoke', '--config', w.config, '--jti', 'j', '--at=-5'], [/--at/, /"-5"/]),
  'revoke: missing config file': c(() => ['revoke', '--config', 'nope.json', '--jti', 'j'], [/nope\.json/]),
  'revoke: wrong env': c(() => ['revoke', '--env', 'prd', '--jti', 'j'], [/unknown environment "prd"/, /dev, prod, staging/, /did you mean prod\?/]),
  'revoke: env with no region': c(() => ['revoke', '--env', 'dev', '--jti', 'j'], [/region/, /zta-dev-revocations/, /--region/, /AWS_REGION/]),
  'revoke: boolean flag with a value': c((w) => ['revoke', '--config', w.config, '--jti', 'j', '--undo=yes'], [/--undo/]),

  'revocations: missing sub-command': c((w) => ['revocations', '--config', w.config], [/sub-command/, /--config/, /init\|list\|history/]),
  'revocations: unknown sub-command': c((w) => ['revocations', 'lst', '--config', w.config], [/"lst"/, /did you mean list\?/]),
  'revocations: near-miss flag': c((w) => ['revocations', 'list', '--cofig', w.config], [/--cofig/, /did you mean --config\?/]),
  'revocations: missing required flag': c(() => ['revocations', 'list'], [/--config/, /--env/]),
  'revocations: wrong env': c(() => ['revocations', 'list', '--env', 'stagin'], [/"stagin"/, /did you mean staging\?/]),
  'revocations: history without a target': c((w) => ['revocations', 'history', '--config', w.config], [/--jti/, /--sub/]),

  'token: near-miss flag': c((w) => ['token', '--config', w.config, '--sub', 'a', '--rol', 'admin'], [/--rol/, /did you mean --role\?/]),
  'token: missing required flag': c((w) => ['token', '--config', w.config], [/--sub/]),
  'token: bad value': c((w) => ['token', '--config', w.config, '--sub', 'a', '--ttl', 'forever'], [/--ttl/, /"forever"/]),
  'token: missing config file': c(() => ['token', '--config', 'nope.json', '--sub', 'a'], [/nope\.json/]),

  'keys: missing sub-command': c((w) => ['keys', '--config', w.config], [/sub-command/, /list\|prepare\|rotate/]),
  'keys: unknown sub-command': c((w) => ['keys', 'rotat', '--config', w.config], [/"rotat"/, /did you mean rotate\?/]),
  'keys: near-miss flag': c((w) => ['keys', 'rotate', '--config', w.config, '--emergncy'], [/--emergncy/, /did you mean --emergency\?/]),
  'keys: flag of another sub-command': c((w) => ['keys', 'list', '--config', w.config, '--emergency'], [/--emergency/, /rotate/]),
  'keys: missing required flag': c(() => ['keys', 'list'], [/--config/]),

  'jwks: missing sub-command': c(() => ['jwks', '--out', 'x.json'], [/sub-command/, /fetch/]),
  'jwks: near-miss flag': c(() => ['jwks', 'fetch', '--jwks-url', 'https://a/j', '--out', 'x.json'], [/--jwks-url/, /did you mean --jwks-uri\?/]),
  'jwks: missing required flag': c(() => ['jwks', 'fetch', '--jwks-uri', 'https://idp.example.test/j'], [/--out/]),
  'jwks: bad value': c(() => ['jwks', 'fetch', '--jwks-uri', 'https://a/j', '--out', 'x', '--timeout-ms', '5'], [/--timeout-ms/, /"5"/]),

  'validate: missing folder': c(() => ['validate', '--policies', 'nope'], [/nope/, /--policies/]),
  'validate: near-miss flag': c(() => ['validate', '--polices', 'policies'], [/--polices/, /did you mean --policies\?/]),

  'serve: near-miss flag': c((w) => ['serve', '--config', w.config, '--prot', '0'], [/--prot/, /did you mean --port\?/]),
  'serve: missing required flag': c(() => ['serve'], [/--config/]),
  'serve: bad value': c((w) => ['serve', '--config', w.config, '--port', 'http'], [/--port/, /"http"/]),
  'serve: missing config file': c(() => ['serve', '--config', 'nope.json', '--port', '0'], [/nope\.json/]),

  'start: near-miss flag': c(() => ['start', '--prot', '0'], [/--prot/, /did you mean --port\?/]),
  'start: bad value': c(() => ['start', '--port', '99999'], [/--port/, /"99999"/]),
};

/** The shape every error answer has: exit 2, stdout empty, one line, what and how to fix. */
function expectOneLineError(result: CliResult, command: string | undefined, names: readonly RegExp[]) {
  expect(result.stdout).toBe('');
  expect(result.code).toBe(2);
  const lines = result.stderr.split('\n');
  expect(lines, result.stderr).toHaveLength(2);
  expect(lines[1]).toBe('');
  const line = lines[0] ?? '';
  expect(line.startsWith(command ? `zta ${command}: ` : 'zta: '), line).toBe(true);
  expect(line, 'ends with how to fix it, in parentheses').toMatch(/ \(.+\)$/);
  for (const name of names) expect(line).toMatch(name);
}

describe('zta errors: one line, the bad input named, how to fix it, exit 2', () => {
  it.each(Object.entries(CASES))('%s', async (_name, { args, env, names }) => {
    const argv = args(ws);
    const command = COMMANDS.find((name) => name === argv[0]);

    const result = await runMain(argv, { ...NO_AWS, ...env });

    expectOneLineError(result, command, names);
  });

  it('covers every command', () => {
    const covered = new Set(Object.keys(CASES).map((name) => name.split(':')[0]));
    expect(COMMANDS.filter((name) => !covered.has(name))).toEqual([]);
  });

  it.each([
    [
      'a table that does not exist',
      ['--endpoint', 'DB', '--table', 'no-such-table'],
      CREDENTIALS,
      [/table no-such-table/, /not found/, /us-east-1/, /--table/],
    ],
    [
      'no credentials',
      ['--endpoint', 'http://127.0.0.1:1', '--table', 'some-table'],
      {},
      [/credentials/, /some-table/, /us-east-1/, /AWS_PROFILE/],
    ],
    [
      'an endpoint that refuses',
      ['--endpoint', 'http://127.0.0.1:1', '--table', 'some-table'],
      CREDENTIALS,
      [/cannot reach/, /127\.0\.0\.1:1/, /some-table/, /us-east-1/],
    ],
  ])('revoke --env names the table, region and fix for %s', async (_name, flags, credentials, names) => {
    const args = flags.map((flag) => (flag === 'DB' ? db.endpoint : flag));

    const result = await runMain(['revoke', '--env', 'dev', '--region', 'us-east-1', '--jti', 'j', ...args], {
      ...NO_AWS,
      ...credentials,
    });

    expectOneLineError(result, 'revoke', names);
  });

  it('revoke --env without a region never advises a config key the CDK app refuses', async () => {
    // config/<env>.json may not name a region (the table lives in the stack's region):
    // following such advice would break `cdk synth`.
    const result = await runMain(['revoke', '--env', 'dev', '--jti', 'j'], NO_AWS);

    expectOneLineError(result, 'revoke', [/--region/, /AWS_REGION/]);
    expect(result.stderr).not.toMatch(/dynamodb\.region/);
  });

  it('takes the region from AWS_DEFAULT_REGION when AWS_REGION is unset', async () => {
    const result = await runMain(
      ['revocations', 'list', '--env', 'dev', '--endpoint', db.endpoint, '--table', 'no-such-table'],
      { ...NO_AWS, ...CREDENTIALS, AWS_DEFAULT_REGION: 'eu-west-3' },
    );

    expectOneLineError(result, 'revocations', [/no-such-table/, /eu-west-3/]);
  });
});

describe('zta usage and help', () => {
  it('prints the usage block on stderr with exit 2 when no command is given', async () => {
    const result = await runMain([]);

    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toMatch(/^Usage: zta <command>/);
    for (const name of COMMANDS) expect(result.stderr).toMatch(new RegExp(`^  ${name} `, 'm'));
  });

  it.each([['--help'], ['-h'], ['help']])(
    'prints the usage block on stdout with exit 0 for zta %s',
    async (flag) => {
      expect(await runMain([flag])).toMatchObject({
        code: 0,
        stdout: expect.stringMatching(/^Usage: zta <command>/),
        stderr: '',
      });
    },
  );

  it.each(COMMANDS)('prints the help of zta %s on stdout with exit 0', async (name) => {
    const viaFlag = await runMain([name, '--help']);
    const viaHelp = await runMain(['help', name]);

    expect(viaFlag).toMatchObject({ code: 0, stderr: '' });
    expect(viaFlag.stdout).toMatch(new RegExp(`^Usage: zta ${name}`));
    expect(viaHelp).toEqual(viaFlag);
  });
});

describe('zta errors from the real binary (spawned)', () => {
  // biome-ignore format: one case per line keeps the table readable
  it.each([
    [['revok'], undefined, [/did you mean revoke\?/]],
    [['decide', '--confg', 'x.json'], 'decide', [/did you mean --config\?/]],
    [['keys', '--config', 'c.json'], 'keys', [/sub-command/, /list\|prepare\|rotate/]],
    [['revoke', '--config', 'c.json', '--jti', 'j', '--at', '-5'], 'revoke', [/--at/]],
    [['validate', '--policies', 'nope'], 'validate', [/nope/]],
  ] as const)('zta %j', async (args, command, names) => {
    expectOneLineError(await runCli([...args]), command, names);
  });

  it('zta start inside node_modules says to run it from the project, not to pass --dir it lacks', async () => {
    const result = await runCli(['start', '--port', '0'], { cwd: join(ws.dir, 'node_modules', 'pkg') });

    expectOneLineError(result, 'start', [/refusing to write inside node_modules/, /project's folder/]);
    expect(result.stderr).not.toMatch(/--dir/);
  });

  it('prints usage on stderr with exit 2 without a command, and help on stdout with exit 0', async () => {
    const bare = await runCli([]);
    const help = await runCli(['--help']);

    expect(bare).toMatchObject({ code: 2, stdout: '', stderr: expect.stringMatching(/^Usage: zta/) });
    expect(help).toMatchObject({ code: 0, stderr: '', stdout: bare.stderr });
  });
});

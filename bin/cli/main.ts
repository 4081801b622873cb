// First: Cedar's wasm is compiled by V8's baseline compiler only, as in the Lambda (see the file).
// Each command is a short process, or a gateway whose first request should not wait: without
// it, \`zta decide\` spent ~2 s of a ~2.5 s run on a loaded 2-core machine optimizing wasm.
import '../../functions/authorizer/wasm-tiering.ts';
import { ConfigError } from '../../functions/core/config/reader.ts';
import { UsageError } from './io.ts';

/** One `zta` sub-command: its help text and what it does with its own arguments. */
export interface Command {
  readonly summary: string;
  readonly help: string;
  run(args: string[]): Promise<number>;
}

const COMMANDS: Record<string, () => Promise<Command>> = {
  init: async () => (await import('./init.ts')).init,
  decide: async () => (await import('./decide.ts')).decide,
  explain: async () => (await import('./explain.ts')).explain,
  revoke: async () => (await import('./revoke.ts')).revoke,
  revocations: async () => (await import('./revocations.ts')).revocations,
  token: async () => (await import('./token.ts')).token,
  keys: async () => (await import('./keys.ts')).keys,
  jwks: async () => (await import('./jwks.ts')).jwks,
  validate: async () => (await import('./validate.ts')).validate,
  serve: async () => (await import('./serve.ts')).serve,
  start: async () => (await import('./start.ts')).start,
};

async function usage(): Promise<string> {
  const lines = ['Usage: zta <command> [options]', '', 'Commands:'];
  for (const [name, load] of Object.entries(COMMANDS))
    lines.push(`  ${name.padEnd(12)} ${(await load()).summary}`);
  lines.push('', 'Run `zta <command> --help` for the options of one command.');
  return lines.join('\n');
}

/**
 * Runs the CLI and returns the exit code: 0 done, 1 a check failed (validate), 2 bad usage,
 * config or input — always with one line on stderr naming what was wrong.
 */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${await usage()}\n`);
    return name === undefined ? 2 : 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    process.stderr.write(`zta: unknown command ${JSON.stringify(name)} (try zta --help)\n`);
    return 2;
  }
  const command = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.help.trim()}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError || isParseArgsError(error)) {
      process.stderr.write(`zta ${name}: ${(error as Error).message}\n`);
      return 2;
    }
    // Files named by the user that cannot be used (JWKS, policies) are input errors too.
    process.stderr.write(`zta ${name}: ${(error as Error).message ?? String(error)}\n`);
    return 2;
  }
}

function isParseArgsError(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS')
  );
}

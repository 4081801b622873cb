// First: Cedar's wasm is compiled by V8's baseline compiler only, as in the Lambda (see the file).
// Each command is a short process, or a gateway whose first request should not wait: without
// it, \`zta decide\` spent ~2 s of a ~2.5 s run on a loaded 2-core machine optimizing wasm.
import '../../functions/authorizer/wasm-tiering.ts';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { failureOf, oneLine } from './errors.ts';
import { UsageError } from './io.ts';
import { didYouMean } from './suggest.ts';

/** The options a command accepts, exactly as given to `node:util` `parseArgs`. */
export type Options = NonNullable<ParseArgsConfig['options']>;

/** One `zta` sub-command: its help text, its options and what it does with its own arguments. */
export interface Command {
  readonly summary: string;
  readonly help: string;
  /** Every option it accepts (its parseArgs table): main.ts names near misses from it. */
  readonly options: Options;
  /** The sub-commands it takes first (`zta keys list`), when it has some. */
  readonly actions?: readonly string[];
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
const NAMES = Object.keys(COMMANDS);
const HELP = new Set(['--help', '-h']);

async function usage(): Promise<string> {
  const lines = ['Usage: zta <command> [options]', '', 'Commands:'];
  for (const [name, load] of Object.entries(COMMANDS))
    lines.push(`  ${name.padEnd(12)} ${(await load()).summary}`);
  lines.push('', 'Run `zta <command> --help` for the options of one command.');
  return lines.join('\n');
}

/**
 * Runs the CLI and returns the exit code. Help asked for goes to stdout (exit 0); everything
 * else that is not a result goes to stderr. Exit 0: done. Exit 2: bad usage, config or input,
 * as one line `zta <command>: <what was wrong> (<how to fix>)` (bare `zta` prints the usage).
 * Exit 1: a check failed (`zta validate`), or an unexpected internal error, also one line.
 */
export async function main(argv: string[]): Promise<number> {
  // The AWS SDK's eight-line notice about this Node version would break the one-line rule of
  // every command that reaches DynamoDB, and is not the user's error.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  try {
    return await dispatch(argv);
  } catch (error) {
    // Only a command module that fails to load lands here: ours to fix, still one line.
    return fail('zta', error);
  }
}

async function dispatch(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    process.stderr.write(`${await usage()}\n`);
    return 2;
  }
  if (HELP.has(name) || (name === 'help' && rest.length === 0)) {
    process.stdout.write(`${await usage()}\n`);
    return 0;
  }
  const asked = name === 'help' ? (rest[0] as string) : name;
  const load = Object.hasOwn(COMMANDS, asked) ? COMMANDS[asked] : undefined;
  if (!load) return fail('zta', unknownCommand(asked));
  const command = await load();
  if (name === 'help' || rest.some((arg) => HELP.has(arg))) {
    process.stdout.write(`${command.help.trim()}\n`);
    return 0;
  }
  try {
    checkAction(name, command, rest);
    return await command.run(rest);
  } catch (error) {
    return fail(
      `zta ${name}`,
      isParseArgsError(error) ? explainParseError(name, command, rest, error) : error,
      name,
    );
  }
}

function fail(prefix: string, error: unknown, name?: string): number {
  const failure = failureOf(error, name === undefined ? 'see zta --help' : `see zta ${name} --help`);
  process.stderr.write(`${prefix}: ${failure.line}\n`);
  // Stack traces are for whoever debugs zta, never the default.
  if (process.env.ZTA_DEBUG && error instanceof Error && error.stack)
    process.stderr.write(`${error.stack}\n`);
  return failure.code;
}

function unknownCommand(name: string): UsageError {
  if (name.startsWith('-'))
    return new UsageError(
      `expected a command before ${name}`,
      'zta <command> [options]; zta --help lists the commands',
    );
  const near = didYouMean(name, NAMES);
  return new UsageError(
    `unknown command ${JSON.stringify(name)}`,
    `${near ? `${near} ` : ''}zta --help lists the commands`,
  );
}

/** A command with sub-commands is refused up front without one, naming what it expected. */
function checkAction(name: string, command: Command, args: readonly string[]): void {
  const actions = command.actions;
  if (!actions) return;
  const [action] = args;
  const all = actions.join('|');
  if (action === undefined || action.startsWith('-')) {
    throw new UsageError(
      `missing sub-command${action === undefined ? '' : ` before ${action}`}`,
      `write zta ${name} ${all} …; see zta ${name} --help`,
    );
  }
  if (!actions.includes(action)) {
    const near = didYouMean(action, actions);
    throw new UsageError(
      `unknown sub-command ${JSON.stringify(action)}`,
      `${near ? `${near} ` : ''}zta ${name} takes ${all}`,
    );
  }
}

function isParseArgsError(error: unknown): error is Error & { code: string } {
  return error instanceof Error && String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS');
}

/**
 * Turns a parseArgs refusal into one line naming the argument, found again in the command's
 * own options table (parseArgs' text is several lines and names no alternative).
 */
function explainParseError(
  name: string,
  command: Command,
  args: string[],
  error: Error & { code: string },
): UsageError {
  const options = command.options;
  const { tokens } = parseArgs({ args, options, strict: false, allowPositionals: true, tokens: true });
  const known = (option: string) => Object.hasOwn(options, option);
  const help = `see zta ${name} --help`;
  for (const token of tokens) {
    if (token.kind === 'option' && !known(token.name) && error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const near = didYouMean(token.name, Object.keys(options), '--');
      const list = Object.keys(options)
        .map((option) => `--${option}`)
        .join(', ');
      return new UsageError(
        `unknown option ${token.rawName}`,
        near ? `${near} ${help}` : `zta ${name} takes ${list || 'no options'}`,
      );
    }
    if (
      token.kind === 'option' &&
      known(token.name) &&
      error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE'
    ) {
      const { rawName, value } = token;
      if (options[token.name]?.type === 'boolean') {
        if (token.inlineValue)
          return new UsageError(
            `${rawName} takes no value, got ${rawName}=${value}`,
            `write ${rawName} alone`,
          );
        continue;
      }
      if (value === undefined || (value.startsWith('--') && known(value.slice(2).split('=')[0] ?? '')))
        return new UsageError(`${rawName} has no value`, `write ${rawName} <value>; ${help}`);
      if (!token.inlineValue && value.startsWith('-'))
        return new UsageError(
          `${rawName} ${value}: a value starting with "-" reads as an option`,
          `write ${rawName}=${value} if it is the value`,
        );
    }
    if (token.kind === 'positional' && error.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
      // The sub-command, when the command has some, was checked already.
      if (command.actions && token.index === 0) continue;
      return new UsageError(
        `unexpected argument ${JSON.stringify(token.value)}`,
        `zta ${name} ${command.actions ? 'takes one sub-command, then' : 'takes'} options only; ${help}`,
      );
    }
  }
  return new UsageError(oneLine(error.message), help);
}

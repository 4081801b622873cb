import { ConfigError } from '../../functions/core/config/reader.ts';
import { PolicyLoadError } from '../../functions/core/policy/errors.ts';
import { RevocationUnavailable } from '../../functions/core/revocation.ts';
import { UsageError } from './io.ts';

/** What `zta` prints for a thrown error (after `zta <command>: `) and the exit code. */
export interface Failure {
  /** 2: bad usage, config or input (the user's to fix); 1: an unexpected internal error. */
  readonly code: 1 | 2;
  /** One line: what was wrong, then how to fix it in parentheses. */
  readonly line: string;
}

/** Error codes that mean the network failed, not the input: the fix is to check the address or retry. */
export const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
]);

/**
 * Sorts a thrown error into the user's problem (exit 2) or ours (exit 1), the one place that
 * decides it. The user's: a `UsageError` (with its fix, or `fallbackFix`), a config, policy or
 * revocation-store error, a file-system or network error, and a plain `Error` — the suite's
 * adapters throw exactly `Error` for input they cannot use (a JWKS that is not JSON, a locked
 * file), naming it. Anything else (a `TypeError`, a `RangeError`, a value that is not an Error)
 * is a bug in zta: exit 1, still one line and no stack trace (`ZTA_DEBUG=1` prints it).
 */
export function failureOf(error: unknown, fallbackFix = 'see zta --help'): Failure {
  if (error instanceof UsageError) return input(error.message, error.fix ?? fallbackFix);
  if (error instanceof ConfigError) return input(error.message, 'fix that key in the config file');
  if (error instanceof PolicyLoadError)
    return input(`policy set refused: ${error.problems.join('; ')}`, 'zta validate checks the policy folder');
  // Its messages end with the repair ("…: restore it from a backup"), written for operators.
  if (error instanceof RevocationUnavailable) return { code: 2, line: oneLine(error.message) };
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && /^E[A-Z0-9_]+$/.test(code) && 'syscall' in error) {
      return input(
        error.message,
        NETWORK_CODES.has(code)
          ? 'check the address and that it is reachable'
          : 'check the path and its permissions',
      );
    }
    if (error.constructor === Error) return input(error.message, 'fix what it names and run again');
    return internal(`${error.name}: ${error.message}`);
  }
  return internal(JSON.stringify(error) ?? String(error));
}

function input(what: string, fix: string): Failure {
  return { code: 2, line: `${oneLine(what)} (${fix})` };
}

function internal(what: string): Failure {
  return {
    code: 1,
    line: `internal error: ${oneLine(what)} (a bug in zta: please report it with the command you ran; ZTA_DEBUG=1 prints the stack)`,
  };
}

/** Folds a multi-line message (a bullet list, a library's hint) into one line. */
export function oneLine(text: string): string {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim().replace(/^- /, ''))
    .filter((line) => line !== '')
    .join('; ')
    .replaceAll(':;', ':');
}

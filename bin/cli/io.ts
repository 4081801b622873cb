import { appendFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The root of this copy of the suite — the repository, or the installed package: the nearest
 * folder above this file with a `package.json` (bin/cli/ in the sources, dist/bin/cli/ in the
 * package). Read-only: what the CLI writes goes under the working directory.
 */
export const REPO_ROOT = nearestPackageRoot(dirname(fileURLToPath(import.meta.url)));
/** The suite's demo policies (what `zta start` serves). */
export const REPO_POLICIES = resolve(REPO_ROOT, 'policies');

function nearestPackageRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

/**
 * The folder a command may write into (`--dir`, or the working directory), refused when it is
 * inside `node_modules/`: installed packages are replaced on the next install, and a key or a
 * revocation written there would be lost without a word. `fix` is the hint the refusal gives:
 * only a command that has `--dir` may suggest it.
 */
export function writableDir(dir: string, fix = "run zta from your project's folder"): string {
  const abs = resolve(dir);
  if (`${abs}${sep}`.includes(`${sep}node_modules${sep}`)) {
    throw new UsageError(`refusing to write inside node_modules (${abs})`, fix);
  }
  return abs;
}

/**
 * A usage or input problem: `zta <command>: <message> (<fix>)` on stderr, exit 2. Without a
 * `fix`, the line points at the command's `--help`.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  constructor(
    message: string,
    readonly fix?: string,
  ) {
    super(message);
  }
}

/** Parses `--now`/`--at` style epoch seconds, refusing anything else with the flag named. */
export function epochSeconds(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw new UsageError(
      `--${flag} expects epoch seconds, got ${JSON.stringify(value)}`,
      `seconds since 1970-01-01 UTC, e.g. --${flag} 1767225600`,
    );
  }
  return n;
}

/** Where decision records go: a file (JSON Lines) or stderr; stdout is for results only. */
export function recordSink(logFile: string | undefined): (record: object) => void {
  if (logFile === undefined) return (record) => process.stderr.write(`${JSON.stringify(record)}\n`);
  return (record) => appendFileSync(logFile, `${JSON.stringify(record)}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

import { appendFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file is bin/cli/io.ts). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const REPO_POLICIES = resolve(REPO_ROOT, 'policies');

/** A usage or input problem: the command prints one line to stderr and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Parses `--now`/`--at` style epoch seconds, refusing anything else with the flag named. */
export function epochSeconds(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw new UsageError(`--${flag} expects epoch seconds, got ${JSON.stringify(value)}`);
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

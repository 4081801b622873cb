import { readFileSync, statSync } from 'node:fs';
import type { KeySet } from '../core/jwt/key-set.ts';
import { parseJwks } from '../core/jwt/key-set.ts';
import type { KeySource } from '../core/keys.ts';

/**
 * Reads a JWKS document from disk. Throws an Error naming the file for anything that makes it
 * unusable: unreadable, not JSON, a key with private material, or no usable key at all.
 */
export function readJwksFile(path: string): KeySet {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(
      `cannot read JWKS file ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw new Error(`JWKS file ${path} is not valid JSON`);
  }
  const { keySet, problems } = parseJwks(document);
  const fatal = problems.find((p) => p.includes('private') || p.startsWith('not a JWKS'));
  if (fatal) throw new Error(`JWKS file ${path}: ${fatal}`);
  if (keySet.keys.length === 0) {
    throw new Error(
      `JWKS file ${path} has no usable verification key${problems.length ? ` (${problems.join('; ')})` : ''}`,
    );
  }
  return keySet;
}

/**
 * A JWKS file as a key source. When `watch` is on, a changed file (by mtime and size) is
 * re-read before each use, so a rotation written by another process is honoured at once —
 * including removal of a compromised key. A file that turns bad keeps failing closed until
 * it is fixed: the last good keys are not used once the file has changed under us.
 */
export function fileKeySource(path: string, options: { watch: boolean }): KeySource {
  let keySet = readJwksFile(path);
  let stamp = fileStamp(path);
  const current = (): KeySet => {
    if (!options.watch) return keySet;
    const now = fileStamp(path);
    if (now !== stamp) {
      keySet = readJwksFile(path); // throws until the file is good again
      stamp = now;
    }
    return keySet;
  };
  return {
    current,
    refresh: async () => (options.watch ? current() : undefined),
    stamp: () => (options.watch ? fileStamp(path) : 'static'),
  };
}

export function fileStamp(path: string): string {
  try {
    // Number (not bigint) times: this runs on every lookup, and bigint stats cost a third more.
    // Writers replace files by rename, so the inode changes with every write anyway.
    const s = statSync(path, { throwIfNoEntry: false });
    return s ? `${s.mtimeMs}:${s.ctimeMs}:${s.size}:${s.ino}` : 'missing';
  } catch {
    return 'missing';
  }
}

import { open, rm, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** How long a writer waits for others before giving up (it then fails loudly). */
const LOCK_WAIT_MS = 10_000;
/** A lock older than any write is one a crashed writer left behind. */
const STALE_LOCK_MS = 30_000;
/** Retry delay, jittered so that waiting writers do not retry in lockstep and starve one. */
const retryMs = () => 5 + Math.random() * 20;

/**
 * Runs `action` while holding `<path>.lock`, a file created exclusively (`wx`), so writers in
 * other processes (`zta revoke`, `zta keys`, `zta serve`'s auto-revoker) take turns on the
 * read-modify-write of one store file. Waiting never blocks the event loop: `zta serve` keeps
 * answering requests while its revoker waits for a lock. Throws, naming the lock file, when the
 * lock cannot be had within 10 s; a lock left by a crashed writer is broken after 30 s.
 */
export async function withFileLock<T>(path: string, action: () => Promise<T> | T): Promise<T> {
  const lockPath = `${path}.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      await (await open(lockPath, 'wx')).close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (Date.now() - (await lockMtime(lockPath)) > STALE_LOCK_MS) await rm(lockPath, { force: true });
      if (Date.now() > deadline) {
        throw new Error(`${path} is locked by another writer (${lockPath}); retry, or remove a stale lock`);
      }
      await sleep(retryMs());
    }
  }
  try {
    return await action();
  } finally {
    await rm(lockPath, { force: true });
  }
}

async function lockMtime(lockPath: string): Promise<number> {
  try {
    return (await stat(lockPath)).mtimeMs;
  } catch {
    return Date.now();
  }
}

/**
 * The store-file lock (`<file>.lock`): writers take turns, a lock a crashed writer left is
 * broken, and waiting for a lock never blocks the event loop — `zta serve` keeps answering
 * requests while its auto-revoker waits (a spinning `Atomics.wait` held it for up to 5 s).
 */
import { existsSync, utimesSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { withFileLock } from '../../../functions/runtime/file-lock.ts';
import { tempDirs } from '../helpers.ts';

const dirs = tempDirs('zta-lock-');
afterAll(() => dirs.cleanup());

describe('withFileLock', () => {
  it('waits for a held lock without blocking the event loop, then runs once it is free', async () => {
    // Prepare: another writer holds the lock.
    const store = join(dirs.make(), 'revocations.json');
    writeFileSync(`${store}.lock`, '');
    let ran = 0;

    // Act: while the lock is awaited, timers of this process must keep firing.
    const locked = withFileLock(store, () => ++ran);
    let ticks = 0;
    while (ticks < 10) {
      await sleep(5);
      ticks++;
    }
    const ranWhileHeld = ran;
    await rm(`${store}.lock`);
    await locked;

    // Assess
    expect(ranWhileHeld).toBe(0);
    expect(ran).toBe(1);
    expect(existsSync(`${store}.lock`)).toBe(false);
  });

  it('lets concurrent writers take turns: no two actions overlap', async () => {
    const store = join(dirs.make(), 'keys.json');
    let inside = 0;
    let overlaps = 0;
    const write = () =>
      withFileLock(store, async () => {
        inside++;
        if (inside > 1) overlaps++;
        await sleep(2);
        inside--;
      });

    await Promise.all(Array.from({ length: 8 }, write));

    expect(overlaps).toBe(0);
    expect(existsSync(`${store}.lock`)).toBe(false);
  });

  it('breaks a lock older than any write (left by a crashed writer)', async () => {
    const store = join(dirs.make(), 'revocations.json');
    writeFileSync(`${store}.lock`, '');
    const longAgo = new Date(Date.now() - 60_000);
    utimesSync(`${store}.lock`, longAgo, longAgo);

    expect(await withFileLock(store, () => 'written')).toBe('written');
  });

  it('releases the lock when the action throws, and passes the error on', async () => {
    const store = join(dirs.make(), 'revocations.json');

    await expect(
      withFileLock(store, () => {
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(existsSync(`${store}.lock`)).toBe(false);
  });
});

/**
 * A read of the revocation file that fails for a passing reason (EMFILE: the process is out of
 * file descriptors for a moment) denies that request, fails closed, and must not stick: the next
 * lookup reads again, though the file itself never changed. Only this file's `node:fs` is
 * wrapped, to inject the one failure the OS would give; every other read is the real one.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { RevocationUnavailable } from '../../../functions/core/revocation.ts';
import { RevocationFileStore } from '../../../functions/runtime/revocation-file-store.ts';
import { NOW, tempDirs } from '../helpers.ts';

const failNext = vi.hoisted(() => ({ path: undefined as string | undefined }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const readFileSync = ((path: unknown, ...rest: unknown[]) => {
    if (path === failNext.path) {
      failNext.path = undefined;
      throw Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE' });
    }
    return (fs.readFileSync as (...a: unknown[]) => unknown)(path, ...rest);
  }) as typeof fs.readFileSync;
  return { ...fs, default: { ...fs, readFileSync }, readFileSync };
});

describe('RevocationFileStore after a passing read failure', () => {
  it('denies while the read fails, then answers from the unchanged file on the next lookup', () => {
    // Prepare
    const dirs = tempDirs('zta-revo-transient-');
    const path = join(dirs.make(), 'revocations.json');
    const revoked = {
      kind: 'subject',
      issuer: 'https://idp.example.test',
      subject: 'mallory',
      revokedAt: NOW,
    };
    writeFileSync(path, JSON.stringify({ version: 1, revocations: [revoked], audit: [] }));
    const store = new RevocationFileStore(path);
    const query = { issuer: 'https://idp.example.test', subject: 'mallory', jti: undefined };

    // Act
    failNext.path = path;
    const during = (() => {
      try {
        return store.lookup(query);
      } catch (error) {
        return error;
      }
    })();
    const after = store.lookup(query);

    // Assess
    expect(during).toBeInstanceOf(RevocationUnavailable);
    expect((during as Error).message).toContain('EMFILE');
    expect(after.subjectRevokedAt).toBe(NOW);
    dirs.cleanup();
  });
});

import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BusEnvelope } from '../../../functions/local/event-bus.ts';
import { createLocalPipeline } from '../../../functions/local/pipeline.ts';
import { createEmptyRevocationStore } from '../../../functions/runtime/revocation-document.ts';
import { RevocationFileStore } from '../../../functions/runtime/revocation-file-store.ts';
import { FileRevocationWriter } from '../../../functions/runtime/revocation-file-writer.ts';
import { at, atMs, record, VICTIM } from '../../support/decisions.ts';
import { tempDirs } from '../helpers.ts';

const dirs = tempDirs('zta-pipeline-');
afterEach(dirs.cleanup);

function pipeline(
  autoRevocation: { denyThreshold: number; windowSeconds: number } | null = {
    denyThreshold: 3,
    windowSeconds: 60,
  },
) {
  const path = join(dirs.make(), 'revocations.json');
  createEmptyRevocationStore(path);
  const store = new RevocationFileStore(path);
  const events: BusEnvelope[] = [];
  const notes: object[] = [];
  let flushes = 0;
  const p = createLocalPipeline({
    autoRevocation: autoRevocation ?? undefined,
    revocations: new FileRevocationWriter(path),
    subjectRetentionSeconds: 3600,
    flushCache: () => void flushes++,
    onEvent: (e) => void events.push(e),
    onRecord: (r) => void notes.push(r),
    now: () => atMs(10),
  });
  return { p, path, store, events, notes, flushes: () => flushes };
}

describe('local pipeline', () => {
  it('turns a spike of verified denials into a file revocation, a cache flush and the three event types', async () => {
    const { p, store, events, notes, flushes } = pipeline();
    for (const s of [1, 2, 3, 4]) p.onRecord(record({ time: at(s) }));
    p.onRecord({ schema: 'zta.access/v1', status: 403 }); // access records are not decisions
    await p.idle();

    expect(store.records()).toEqual([
      expect.objectContaining({
        kind: 'subject',
        ...VICTIM,
        revokedAt: atMs(10) / 1000,
        revokedBy: 'zta:auto-revocation',
        trigger: 'auto',
      }),
    ]);
    expect(flushes()).toBe(1);
    expect(events.map((e) => e['detail-type'])).toEqual([
      ...Array(4).fill('Authorization Decision'),
      'Principal Suspected Compromise',
      'Credential Revoked',
    ]);
    expect(notes).toEqual([
      expect.objectContaining({ schema: 'zta.notice/v1', subject: 'zta: credential revoked (auto)' }),
    ]);
  });

  it('writes one record however often the same alert is handled (file writer idempotency)', async () => {
    const { path, store } = pipeline();
    const writer = new FileRevocationWriter(path);
    const target = { kind: 'subject', ...VICTIM } as const;
    const audit = {
      actor: 'zta:auto-revocation',
      reason: 'r',
      requestId: 'spike:1',
      trigger: 'auto' as const,
    };
    const outcomes = [
      (await writer.revoke(target, 100, audit)).outcome,
      (await writer.revoke(target, 120, audit)).outcome,
      (await writer.revoke(target, 90, { ...audit, requestId: 'spike:2' })).outcome,
      (await writer.revoke(target, 130, { ...audit, requestId: 'spike:3' })).outcome,
    ];
    expect(outcomes).toEqual(['revoked', 'revoked', 'unchanged', 'revoked']);
    // One record in force per subject: the later revocation replaced the earlier (it covers more).
    expect(store.records().map((r) => r.revokedAt)).toEqual([130]);
  });

  it('only streams decisions without autoRevocation', async () => {
    const { p, store, events } = pipeline(null);
    for (const s of [1, 2, 3, 4, 5, 6]) p.onRecord(record({ time: at(s) }));
    await p.idle();
    expect(events).toHaveLength(6);
    expect(store.records()).toEqual([]);
  });
});

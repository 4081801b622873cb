import { describe, expect, it } from 'vitest';
import {
  type CacheFlushResult,
  createRevoker,
  type RevokerPorts,
} from '../../../../functions/core/auto-revocation/revoker.ts';
import type { SuiteEvent, SuspectedCompromiseDetail } from '../../../../functions/core/events/schema.ts';
import type { RevocationWriter } from '../../../../functions/core/revocation-writer.ts';
import { recordFor } from '../../../../functions/core/revocation-writer.ts';
import { atMs, VICTIM } from '../../../support/decisions.ts';

const ALERT: SuspectedCompromiseDetail = {
  version: 1,
  alertId: 'spike:d-5',
  ...VICTIM,
  denials: 5,
  threshold: 5,
  windowSeconds: 60,
  detectedAt: '2026-01-01T00:00:40.000Z',
  decisionId: 'd-5',
};

/** Ports that record every call in order; each may be told to fail. */
function ports(
  fail: { write?: boolean; flush?: CacheFlushResult[]; publish?: boolean; notify?: boolean } = {},
) {
  const calls: string[] = [];
  const events: SuiteEvent[] = [];
  const notices: { subject: string; message: string }[] = [];
  const writer: RevocationWriter = {
    async revoke(target, revokedAt, audit, options) {
      calls.push(`write ${target.kind} at ${revokedAt} expires ${options?.expiresAt}`);
      if (fail.write) throw new Error('table unavailable');
      return { outcome: 'revoked', record: recordFor(target, revokedAt, audit) };
    },
    async unrevoke() {
      return { outcome: 'unchanged' };
    },
  };
  const p: RevokerPorts = {
    revocations: writer,
    flushCaches: async () => {
      calls.push('flush');
      return fail.flush ?? [{ stage: 'a1b2c3d4e5/prod', ok: true }];
    },
    publish: async (event) => {
      calls.push('publish');
      if (fail.publish) throw new Error('bus unavailable');
      events.push(event);
    },
    notify: async (notice) => {
      calls.push('notify');
      if (fail.notify) throw new Error('topic unavailable');
      notices.push(notice);
    },
  };
  return { p, calls, events, notices };
}

describe('revoker', () => {
  it('revokes the subject now, then flushes caches, then announces', async () => {
    // Prepare
    const { p, calls, events, notices } = ports();
    const revoker = createRevoker(p, { subjectRetentionSeconds: 1000 });

    // Act
    const report = await revoker.onSuspectedCompromise(ALERT, atMs(42.5));

    // Assess
    const now = atMs(42) / 1000;
    expect(calls.slice(0, 2)).toEqual([`write subject at ${now} expires ${now + 1000}`, 'flush']);
    expect(report.failures).toEqual([]);
    expect(events).toEqual([
      {
        source: 'zta.revoker',
        detailType: 'Credential Revoked',
        detail: {
          version: 1,
          revocationId: 'spike:d-5',
          trigger: 'auto',
          kind: 'subject',
          ...VICTIM,
          revokedAt: now,
          revokedBy: 'zta:auto-revocation',
          reason: '5 policy denials in 60 s (threshold 5), last decision d-5',
          outcome: 'revoked',
          cacheFlush: [{ stage: 'a1b2c3d4e5/prod', ok: true }],
        },
      },
    ]);
    expect(notices[0]?.subject).toBe('zta: credential revoked (auto)');
    expect(notices[0]?.message).toContain('subject alice of https://idp.example.test');
  });

  it('announces nothing when the revocation cannot be written', async () => {
    const { p, calls } = ports({ write: true });
    await expect(
      createRevoker(p, { subjectRetentionSeconds: 1 }).onSuspectedCompromise(ALERT, atMs(42)),
    ).rejects.toThrow('table unavailable');
    expect(calls).toEqual([expect.stringMatching(/^write/)]);
  });

  it.each([
    {
      name: 'a stage flush',
      fail: { flush: [{ stage: 'x/prod', ok: false, error: 'NotFound' }] },
      failure: 'cache flush x/prod: NotFound',
    },
    { name: 'the event', fail: { publish: true }, failure: 'event: bus unavailable' },
    { name: 'the notification', fail: { notify: true }, failure: 'notification: topic unavailable' },
  ])('reports a failure of $name after writing, and still does the rest', async ({ fail, failure }) => {
    const { p, calls } = ports(fail);
    const report = await createRevoker(p, { subjectRetentionSeconds: 1 }).onSuspectedCompromise(
      ALERT,
      atMs(42),
    );
    expect(report.failures).toEqual([failure]);
    expect(calls).toEqual([expect.stringMatching(/^write/), 'flush', 'publish', 'notify']);
  });

  it('revokes a jti by hand without an expiry (its lifetime is unknown)', async () => {
    const { p, calls, events } = ports();
    const audit = {
      actor: 'arn:aws:iam::123456789012:user/ops',
      reason: 'leaked',
      requestId: 'r-1',
      trigger: 'manual' as const,
    };
    await createRevoker(p, { subjectRetentionSeconds: 1 }).revoke(
      { kind: 'jti', jti: 'j-1' },
      audit,
      atMs(0),
    );
    expect(calls[0]).toBe(`write jti at ${atMs(0) / 1000} expires undefined`);
    expect(events[0]?.detail).toMatchObject({
      trigger: 'manual',
      kind: 'jti',
      jti: 'j-1',
      revokedBy: audit.actor,
      reason: 'leaked',
    });
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryDenialCounters } from '../../../../functions/core/auto-revocation/memory-counters.ts';
import {
  bucketSeconds,
  createSpikeDetector,
} from '../../../../functions/core/auto-revocation/spike-detector.ts';
import type { AuthorizationDecisionDetail } from '../../../../functions/core/events/schema.ts';
import { at, atMs, decisionDetail, forged, VICTIM } from '../../../support/decisions.ts';

const detector = (denyThreshold = 5, windowSeconds = 60) =>
  createSpikeDetector({ denyThreshold, windowSeconds, counters: new MemoryDenialCounters() });

/** Observes each decision at its own time (plus `lagSeconds`); returns the alerts raised. */
async function run(d: ReturnType<typeof detector>, decisions: AuthorizationDecisionDetail[], lagSeconds = 0) {
  const alerts = [];
  for (const decision of decisions) {
    const alert = await d.observe(decision, Date.parse(decision.time) + lagSeconds * 1000);
    if (alert) alerts.push(alert);
  }
  return alerts;
}

describe('spike detector', () => {
  it('raises one alert when the threshold is crossed, naming the principal and the count', async () => {
    // Prepare
    const denials = [0, 10, 20, 30, 40, 50, 55].map((s) => decisionDetail({ time: at(s) }));

    // Act
    const alerts = await run(detector(), denials);

    // Assess
    expect(alerts).toEqual([
      {
        version: 1,
        alertId: `spike:${denials[4]?.decisionId}`,
        issuer: VICTIM.issuer,
        subject: VICTIM.subject,
        denials: 5,
        threshold: 5,
        windowSeconds: 60,
        detectedAt: at(40),
        decisionId: denials[4]?.decisionId,
      },
    ]);
  });

  it.each([
    {
      name: 'forged tokens (401, unverified) naming the victim',
      make: (s: number) => forged({ time: at(s) }),
    },
    {
      name: 'allowed requests',
      make: (s: number) => decisionDetail({ time: at(s), decision: 'ALLOW', status: 200, reason: 'allowed' }),
    },
    {
      name: 'revoked tokens (401, verified)',
      make: (s: number) => decisionDetail({ time: at(s), status: 401, reason: 'token_revoked' }),
    },
    {
      name: '403s claiming to be unverified',
      make: (s: number) => decisionDetail({ time: at(s), claimsVerified: false }),
    },
  ])('never counts $name', async ({ make }) => {
    const alerts = await run(
      detector(1),
      Array.from({ length: 50 }, (_, i) => make(i)),
    );
    expect(alerts).toEqual([]);
  });

  it('counts a decision delivered twice once', async () => {
    const once = [0, 1, 2, 3].map((s) => decisionDetail({ time: at(s) }));
    const alerts = await run(detector(), [...once, ...once, ...once]);
    expect(alerts).toEqual([]);
  });

  it('forgets denials older than the window (sliding, one-second buckets)', async () => {
    // Four denials, then the fifth 61 s after the first: never five within 60 s.
    const spread = [0, 1, 2, 3, 61].map((s) => decisionDetail({ time: at(s) }));
    const inside = [0, 1, 2, 3, 59].map((s) => decisionDetail({ time: at(s) }));
    expect(await run(detector(), spread)).toEqual([]);
    expect(await run(detector(), inside)).toHaveLength(1);
  });

  it('alerts once per window, and again in a later window', async () => {
    const d = detector(2, 60);
    const first = await run(
      d,
      [0, 1, 2, 3, 4].map((s) => decisionDetail({ time: at(s) })),
    );
    const later = await run(
      d,
      [100, 101].map((s) => decisionDetail({ time: at(s) })),
    );
    expect(first).toHaveLength(1);
    expect(later).toHaveLength(1);
  });

  it('keeps principals apart: another subject or issuer has its own count', async () => {
    const mixed = [0, 1, 2, 3].flatMap((s) => [
      decisionDetail({ time: at(s) }),
      decisionDetail({ time: at(s), subject: 'bob' }),
      decisionDetail({ time: at(s), issuer: 'https://other.example.test' }),
    ]);
    expect(await run(detector(), mixed)).toEqual([]);
  });

  it('ignores decisions older than the window (late replays) and counts future ones as now', async () => {
    const d = detector(1, 60);
    expect(await d.observe(decisionDetail({ time: at(0) }), atMs(61))).toBeNull();
    expect(await d.observe(decisionDetail({ time: at(500) }), atMs(10))).toMatchObject({
      detectedAt: at(10),
    });
  });

  it('re-raises the same alert when the crossing decision is redelivered (its first handling failed)', async () => {
    const d = detector(2);
    const [a, b] = [decisionDetail({ time: at(0) }), decisionDetail({ time: at(1) })] as const;
    await d.observe(a, atMs(1));
    const first = await d.observe(b, atMs(1));
    const retried = await d.observe(b, atMs(2));
    const other = await d.observe(decisionDetail({ time: at(3) }), atMs(3));
    expect(retried).toEqual(first);
    expect(other).toBeNull();
  });

  it('uses one-second buckets up to a minute, then 1/60 of the window', () => {
    expect([1, 60, 61, 600, 3600].map(bucketSeconds)).toEqual([1, 1, 2, 10, 60]);
  });

  it('property: no sequence without a verified 403 ever raises an alert', async () => {
    const notEvidence = fc.oneof(
      fc.record({
        status: fc.constant(401),
        claimsVerified: fc.boolean(),
        reason: fc.constantFrom('invalid_signature', 'token_revoked'),
      }),
      fc.record({
        status: fc.constant(403),
        claimsVerified: fc.constant(false),
        reason: fc.constant('policy_denied'),
      }),
      fc.record({ status: fc.constant(200), claimsVerified: fc.boolean(), reason: fc.constant('allowed') }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(notEvidence, fc.nat(120), fc.constantFrom('alice', 'bob')), { maxLength: 60 }),
        async (steps) => {
          const d = detector(1, 60);
          const decisions = steps.map(([shape, s, subject]) =>
            decisionDetail({
              ...shape,
              decision: shape.status === 200 ? 'ALLOW' : 'DENY',
              time: at(s),
              subject,
            }),
          );
          expect(await run(d, decisions)).toEqual([]);
        },
      ),
      { numRuns: 200 },
    );
  });
});

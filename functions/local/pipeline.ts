/**
 * The decision pipeline in one process, for `zta serve`: the same event schema, spike
 * detector and revoker as the AWS deployment, with the in-process bus standing in for
 * EventBridge, memory counters for the DynamoDB counter table, the configured local
 * revocation store for the revocation table, and the gateway's own cache flush for
 * `FlushStageAuthorizersCache`.
 *
 *   gateway ──decision record──▶ bus: Authorization Decision ──▶ spike detector
 *        ▲                                   │ (403 + verified only)
 *        │ flush                             ▼
 *   revoker ◀── bus: Principal Suspected Compromise
 *        └──▶ revocation store, bus: Credential Revoked, notice in the log
 */
import { MemoryDenialCounters } from '../core/auto-revocation/memory-counters.ts';
import { createRevoker } from '../core/auto-revocation/revoker.ts';
import { createSpikeDetector } from '../core/auto-revocation/spike-detector.ts';
import type { AutoRevocationConfig } from '../core/config/authorizer-config.ts';
import type { DecisionRecord } from '../core/decision-record.ts';
import { parseDecisionDetail, parseSuspectedCompromise } from '../core/events/parse.ts';
import { DETAIL_TYPES, decisionEvent, SOURCES, suspectedCompromiseEvent } from '../core/events/schema.ts';
import type { RevocationWriter } from '../core/revocation-writer.ts';
import { type BusEnvelope, LocalEventBus } from './event-bus.ts';

export interface LocalPipelineOptions {
  /** Absent: decisions still go onto the bus (for `--events`), nothing is counted or revoked. */
  readonly autoRevocation: AutoRevocationConfig | undefined;
  /** Required with `autoRevocation`. */
  readonly revocations: RevocationWriter | null;
  readonly subjectRetentionSeconds: number;
  /** The gateway's cache flush (bound late: the gateway starts after the pipeline). */
  readonly flushCache: () => void;
  /** Every event on the bus (`zta serve --events`). */
  readonly onEvent?: (envelope: BusEnvelope) => void;
  /** Operator-facing records: revocation notices and pipeline errors. */
  readonly onRecord: (record: object) => void;
  /** @default Date.now */
  readonly now?: () => number;
}

export interface LocalPipeline {
  /** Feed every gateway record here; decision records enter the bus. */
  onRecord(record: object): void;
  readonly bus: LocalEventBus;
  /** Resolves when every event in flight has been handled. */
  idle(): Promise<void>;
}

export function createLocalPipeline(options: LocalPipelineOptions): LocalPipeline {
  const now = options.now ?? Date.now;
  const bus = new LocalEventBus({
    now,
    onError: (error, envelope) =>
      options.onRecord({
        schema: 'zta.pipeline-error/v1',
        time: new Date(now()).toISOString(),
        detailType: envelope['detail-type'],
        eventId: envelope.id,
        error: error instanceof Error ? error.message : String(error),
      }),
  });
  if (options.onEvent) bus.subscribe({}, options.onEvent);

  const auto = options.autoRevocation;
  if (auto) {
    if (!options.revocations) throw new TypeError('autoRevocation needs a revocation store');
    const detector = createSpikeDetector({ ...auto, counters: new MemoryDenialCounters() });
    bus.subscribe({ source: SOURCES.authorizer, detailType: DETAIL_TYPES.decision }, async (envelope) => {
      const detail = parseDecisionDetail(envelope.detail);
      if (!detail.ok) throw new Error(`invalid decision event: ${detail.problem}`);
      const alert = await detector.observe(detail.value, now());
      if (alert) bus.publish(suspectedCompromiseEvent(alert));
    });

    const revoker = createRevoker(
      {
        revocations: options.revocations,
        flushCaches: async () => {
          options.flushCache();
          return [{ stage: 'local', ok: true }];
        },
        publish: async (event) => {
          bus.publish(event);
        },
        notify: async (notice) =>
          options.onRecord({ schema: 'zta.notice/v1', time: new Date(now()).toISOString(), ...notice }),
      },
      { subjectRetentionSeconds: options.subjectRetentionSeconds },
    );
    bus.subscribe(
      { source: SOURCES.spikeDetector, detailType: DETAIL_TYPES.suspectedCompromise },
      async (envelope) => {
        const alert = parseSuspectedCompromise(envelope.detail);
        if (!alert.ok) throw new Error(`invalid alert: ${alert.problem}`);
        const report = await revoker.onSuspectedCompromise(alert.value, now());
        if (report.failures.length > 0) throw new Error(report.failures.join('; '));
      },
    );
  }

  return {
    bus,
    onRecord(record) {
      if ((record as { schema?: unknown }).schema !== 'zta.decision/v1') return;
      try {
        bus.publish(decisionEvent(record as DecisionRecord));
      } catch (error) {
        // The pipeline observes decisions; it must never fail the request that made one.
        options.onRecord({
          schema: 'zta.pipeline-error/v1',
          time: new Date(now()).toISOString(),
          error: String(error),
        });
      }
    },
    idle: () => bus.idle(),
  };
}

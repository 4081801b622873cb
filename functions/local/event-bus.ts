import { randomUUID } from 'node:crypto';
import { eventTime, type SuiteEvent } from '../core/events/schema.ts';

/** An event as EventBridge delivers it to a target (and as `zta serve --events` writes it). */
export interface BusEnvelope {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: string;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: SuiteEvent['detail'];
}

type Handler = (envelope: BusEnvelope) => void | Promise<void>;

/**
 * The local stand-in for the suite's custom event bus: same envelope, same schema, rules as
 * (source, detail-type) matches. Delivery is asynchronous, as on EventBridge — the publisher
 * never waits for, or fails because of, a target; a target that throws is reported to
 * `onError` (locally there is no retry or DLQ: the error is shown to the operator).
 */
export class LocalEventBus {
  private readonly rules: { source?: string; detailType?: string; handler: Handler }[] = [];
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly options: {
      readonly onError: (error: unknown, envelope: BusEnvelope) => void;
      readonly account?: string;
      readonly region?: string;
      readonly now?: () => number;
    },
  ) {}

  /** Adds a rule; omitted fields match anything. */
  subscribe(match: { source?: string; detailType?: string }, handler: Handler): void {
    this.rules.push({ ...match, handler });
  }

  publish(event: SuiteEvent): BusEnvelope {
    const nowMs = (this.options.now ?? Date.now)();
    const envelope: BusEnvelope = {
      version: '0',
      id: randomUUID(),
      'detail-type': event.detailType,
      source: event.source,
      account: this.options.account ?? '000000000000',
      time: eventTime(event, nowMs)
        .toISOString()
        .replace(/\.\d{3}Z$/, 'Z'),
      region: this.options.region ?? 'local',
      resources: [],
      detail: event.detail,
    };
    for (const rule of this.rules) {
      if (rule.source !== undefined && rule.source !== event.source) continue;
      if (rule.detailType !== undefined && rule.detailType !== event.detailType) continue;
      const delivery = Promise.resolve()
        .then(() => rule.handler(envelope))
        .catch((error) => this.options.onError(error, envelope))
        .finally(() => this.inFlight.delete(delivery));
      this.inFlight.add(delivery);
    }
    return envelope;
  }

  /** Resolves once every delivery in flight (and any they caused) has finished. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }
}

/**
 * The console's state and its live feed: decisions counted over time by outcome, deny reasons,
 * the latest decisions, the policy revision, revocations and keys — sent to each connected page
 * as Server-Sent Events (a full `snapshot` on connect, then one event per change).
 *
 * What reaches a page is built field by field from the decision record (never the record
 * itself), so whatever the record gains later is not published unseen; records never hold a
 * token, a signature or a key in the first place (docs/decision-log.md).
 */
import type { ServerResponse } from 'node:http';
import type { IssuerKeysView, RevocationsView } from './sources.ts';

/** One decision as the console shows it. */
export interface DecisionSummary {
  readonly decisionId: string;
  readonly time: string;
  readonly decision: 'ALLOW' | 'DENY';
  readonly status: number;
  readonly reason: string;
  readonly method?: string;
  readonly path?: string;
  readonly issuer?: string;
  readonly subject?: string;
  /** False: issuer and subject are claims of a token that did not verify. */
  readonly verified: boolean;
  readonly policies: readonly string[];
  readonly policyRevision: string;
  readonly latencyMs: number;
  /**
   * True: the gateway answered from its result cache, reusing decision `decisionId` (as API
   * Gateway does without invoking the authorizer); `time`, `method` and `path` are this request's.
   */
  readonly cached?: true;
}

export interface Bucket {
  /** Epoch ms of the bucket's start. */
  readonly start: number;
  allow: number;
  deny403: number;
  deny401: number;
}

export interface ConsoleSnapshot {
  readonly schema: 'zta.console/v1';
  readonly startedAt: string;
  readonly bucketSeconds: number;
  readonly buckets: readonly Bucket[];
  readonly denyReasons: Readonly<Record<string, number>>;
  readonly latest: readonly DecisionSummary[];
  readonly policy: { readonly revision: string; readonly dir: string; readonly lastReload?: object };
  readonly revocations: RevocationsView | null;
  readonly keys: readonly IssuerKeysView[] | null;
}

export const BUCKET_SECONDS = 10;
const BUCKETS_KEPT = 60;
const LATEST_KEPT = 50;
const MAX_CLIENTS = 16;
/** Decisions remembered so a cache-answered request can be shown as the decision it reuses. */
const DECISIONS_REMEMBERED = 10_000;
/** A page that stops reading is dropped rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 1 << 20;

export class ConsoleFeed {
  private readonly buckets = new Map<number, Bucket>();
  private readonly denyReasons = new Map<string, number>();
  private readonly latest: DecisionSummary[] = [];
  private readonly decided = new Map<string, DecisionSummary>();
  private readonly clients = new Set<ServerResponse>();
  private readonly startedAt: string;
  private policy: ConsoleSnapshot['policy'];
  private revocations: RevocationsView | null = null;
  private keys: IssuerKeysView[] | null = null;

  constructor(options: { policyRevision: string; policyDir: string; now: number }) {
    this.startedAt = new Date(options.now).toISOString();
    this.policy = { revision: options.policyRevision, dir: options.policyDir };
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /**
   * Feed every gateway record here. Decision records are counted and published; so is an access
   * record of a request answered from the gateway's cache, as the decision it reused — else the
   * console would undercount exactly the repeated traffic of an incident.
   */
  onRecord(record: object): void {
    const r = record as Record<string, unknown>;
    if (r.schema === 'zta.decision/v1') {
      const summary = summaryOf(r);
      this.remember(summary);
      this.addDecision(summary);
    } else if (r.schema === 'zta.access/v1' && r.authorizerCache === 'hit') {
      const reused = this.decided.get(String(r.decisionId));
      if (reused) this.addDecision(cachedAnswer(reused, r));
    } else if (r.schema === 'zta.policy-reload/v1') {
      this.policy = { ...this.policy, revision: String(r.policyRevision), lastReload: record };
      this.broadcast('policy', this.policy);
    }
  }

  setRevocations(view: RevocationsView): void {
    if (JSON.stringify(view) === JSON.stringify(this.revocations)) return;
    this.revocations = view;
    this.broadcast('revocations', view);
  }

  setKeys(view: IssuerKeysView[]): void {
    if (JSON.stringify(view) === JSON.stringify(this.keys)) return;
    this.keys = view;
    this.broadcast('keys', view);
  }

  snapshot(): ConsoleSnapshot {
    return {
      schema: 'zta.console/v1',
      startedAt: this.startedAt,
      bucketSeconds: BUCKET_SECONDS,
      buckets: [...this.buckets.values()].sort((a, b) => a.start - b.start),
      denyReasons: Object.fromEntries(this.denyReasons),
      latest: [...this.latest],
      policy: this.policy,
      revocations: this.revocations,
      keys: this.keys,
    };
  }

  /** Turns `res` into an event stream: a snapshot now, every change after. False when full. */
  subscribe(res: ServerResponse): boolean {
    if (this.clients.size >= MAX_CLIENTS) return false;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    res.write('retry: 2000\n\n');
    this.clients.add(res);
    res.once('close', () => this.clients.delete(res));
    this.send(res, 'snapshot', this.snapshot());
    return true;
  }

  /** Keeps idle streams open through anything that drops silent connections. */
  heartbeat(): void {
    for (const res of this.clients) res.write(': heartbeat\n\n');
  }

  /** Ends every stream (the gateway is draining or closing). */
  close(): void {
    for (const res of this.clients) res.end();
    this.clients.clear();
  }

  private addDecision(summary: DecisionSummary): void {
    const ms = Date.parse(summary.time);
    const start = Number.isFinite(ms) ? ms - (ms % (BUCKET_SECONDS * 1000)) : 0;
    let bucket = this.buckets.get(start);
    if (!bucket) {
      bucket = { start, allow: 0, deny403: 0, deny401: 0 };
      this.buckets.set(start, bucket);
      while (this.buckets.size > BUCKETS_KEPT) this.buckets.delete(Math.min(...this.buckets.keys()));
    }
    if (summary.decision === 'ALLOW') bucket.allow++;
    else if (summary.status === 403) bucket.deny403++;
    else bucket.deny401++;
    if (summary.decision === 'DENY') {
      this.denyReasons.set(summary.reason, (this.denyReasons.get(summary.reason) ?? 0) + 1);
    }
    this.latest.unshift(summary);
    if (this.latest.length > LATEST_KEPT) this.latest.length = LATEST_KEPT;
    this.broadcast('decision', summary);
  }

  private remember(summary: DecisionSummary): void {
    this.decided.set(summary.decisionId, summary);
    if (this.decided.size > DECISIONS_REMEMBERED) {
      this.decided.delete(this.decided.keys().next().value as string);
    }
  }

  private broadcast(event: string, data: unknown): void {
    for (const res of this.clients) this.send(res, event, data);
  }

  private send(res: ServerResponse, event: string, data: unknown): void {
    if (res.writableLength > MAX_BUFFERED_BYTES) {
      res.destroy();
      return;
    }
    // JSON text has no raw line breaks, so one `data:` line carries it whole.
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }
}

function summaryOf(r: Record<string, unknown>): DecisionSummary {
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const optional = (name: string, value: unknown) => {
    const v = text(value);
    return v === undefined ? {} : { [name]: v };
  };
  return {
    decisionId: String(r.decisionId),
    time: String(r.time),
    decision: r.decision === 'ALLOW' ? 'ALLOW' : 'DENY',
    status: Number(r.status),
    reason: String(r.reason),
    ...optional('method', r.method),
    ...optional('path', r.path),
    ...optional('issuer', r.issuer),
    ...optional('subject', r.subject),
    verified: r.claimsVerified === true,
    policies: Array.isArray(r.policies) ? r.policies.map(String) : [],
    policyRevision: String(r.policyRevision),
    latencyMs: Number(r.latencyMs),
  };
}

/** A request answered from the cache: the reused decision, with this request's time and route. */
function cachedAnswer(reused: DecisionSummary, access: Record<string, unknown>): DecisionSummary {
  return {
    ...reused,
    time: String(access.time),
    ...(typeof access.method === 'string' ? { method: access.method } : {}),
    ...(typeof access.path === 'string' ? { path: access.path } : {}),
    latencyMs: 0,
    cached: true,
  };
}

/**
 * The EMF metrics every Lambda but the authorizer prints (Powertools Metrics on stdout, as in
 * Lambda), one row per function: each handler is wired by its environment against real SDK
 * clients, protocol doubles, dynalite and the KMS double, driven through a scenario, and its
 * stdout is parsed. The catalogue (`functions/runtime/aws/metric-catalogue.ts`) is the contract.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type SuiteEvent, suspectedCompromiseEvent } from '../../functions/core/events/schema.ts';
import { createForwarderHandler } from '../../functions/decision-forwarder/handler.ts';
import {
  createOnDemandRotationHandler,
  createScheduledRotationHandler,
} from '../../functions/key-rotation/from-environment.ts';
import { createAdminHandler } from '../../functions/revocation-admin/handler.ts';
import { createRevokerHandler } from '../../functions/revoker/handler.ts';
import { DEFAULT_METRICS_NAMESPACE, FUNCTION_METRICS } from '../../functions/runtime/aws/metric-catalogue.ts';
import { createSpikeDetectorHandler } from '../../functions/spike-detector/handler.ts';
import { createJwksHandler, createTokenHandler } from '../../functions/token-service/handlers.ts';
import { proxyEvent } from '../support/apigw-http.ts';
import { apiGatewayDouble } from '../support/aws/api-gateway.ts';
import { eventBridgeDouble, type PutEventsPlan } from '../support/aws/eventbridge.ts';
import { startProtocolServer } from '../support/aws/server.ts';
import { snsDouble } from '../support/aws/sns.ts';
import { sqsDouble } from '../support/aws/sqs.ts';
import { atMs, decisionDetail, forged, record, VICTIM } from '../support/decisions.ts';
import { type LocalDynamo, startDynalite, TEST_CREDENTIALS, TEST_REGION } from '../support/dynalite.ts';
import { emfDuring, totals } from '../support/emf.ts';
import { type KmsDouble, startKmsDouble } from '../support/kms-double.ts';
import { awslogsEvent, loggedLine } from '../support/logs-event.ts';
import { assumedRole, createRotationTable, rawTokenConfig } from '../support/token-service.ts';

const silent = new Logger({ logLevel: 'SILENT' });
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:zta-alerts';
const OPS = 'arn:aws:iam::123456789012:role/security-ops';
const NOW_S = Math.floor(atMs(42) / 1000);

let db: LocalDynamo;
let kms: KmsDouble;
let closers: (() => Promise<void>)[] = [];
beforeAll(async () => {
  db = await startDynalite();
  kms = await startKmsDouble({ clock: () => NOW_S * 1000 });
});
afterEach(async () => {
  await Promise.all(closers.map((c) => c()));
  closers = [];
});
afterAll(async () => {
  await db.close();
  await kms.close();
});

/** Doubles for every service on one endpoint; `failingStages` cannot be flushed, `snsDown` refuses. */
async function world(options: { plan?: PutEventsPlan; failingStages?: string[]; snsDown?: boolean } = {}) {
  const server = await startProtocolServer([
    eventBridgeDouble(options.plan).handler,
    sqsDouble().handler,
    snsDouble({ alwaysFail: options.snsDown ?? false }).handler,
    apiGatewayDouble({ failing: new Set(options.failingStages ?? []) }).handler,
  ]);
  closers.push(server.close);
  const wiring = {
    region: TEST_REGION,
    credentials: TEST_CREDENTIALS,
    endpoints: {
      events: server.endpoint,
      sqs: server.endpoint,
      sns: server.endpoint,
      apigateway: server.endpoint,
      dynamodb: db.endpoint,
      kms: kms.endpoint,
    },
    jitter: () => 0,
    retry: { maxAttempts: 2, baseDelayMs: 0, maxDelayMs: 0, sleep: async () => {} },
    logger: silent,
    now: () => atMs(42),
    clock: () => NOW_S,
  };
  const revocationEnv = {
    EVENT_BUS_NAME: 'zta-decisions',
    REVOCATIONS_TABLE_NAME: await db.createTable('revocations'),
    ALERT_TOPIC_ARN: TOPIC,
    PROTECTED_STAGES: 'a1b2c3d4e5/prod,f6g7h8i9j0/prod',
  };
  const tokenEnv = {
    ZTA_TOKEN_CONFIG: JSON.stringify(rawTokenConfig()),
    ZTA_ROTATION_TABLE: await createRotationTable(db.client),
  };
  return { server, wiring, revocationEnv, tokenEnv };
}

const envelope = (event: SuiteEvent | { source: string; detailType: string; detail: unknown }) => ({
  version: '0',
  id: 'e-1',
  'detail-type': event.detailType,
  source: event.source,
  detail: JSON.parse(JSON.stringify(event.detail)),
});
const ALERT = {
  version: 1 as const,
  alertId: 'spike:d-5',
  ...VICTIM,
  denials: 5,
  threshold: 5,
  windowSeconds: 60,
  detectedAt: '2026-01-01T00:00:40.000Z',
  decisionId: 'd-5',
};
let requests = 0;
const admin = (method: string, body?: object) => ({
  httpMethod: method,
  body: body === undefined ? null : JSON.stringify(body),
  headers: {},
  requestContext: { requestId: `req-${++requests}`, identity: { userArn: OPS } },
});
const tokenRequest = (role: string, audience: string) =>
  proxyEvent({
    method: 'POST',
    path: '/token',
    userArn: assumedRole(role),
    body: JSON.stringify({ audience }),
  });

type World = Awaited<ReturnType<typeof world>>;
interface Row {
  readonly service: keyof typeof FUNCTION_METRICS;
  readonly scenario: string;
  readonly world?: Parameters<typeof world>[0];
  readonly run: (w: World) => Promise<unknown>;
  readonly expected: Record<string, number>;
}

const ROWS: Row[] = [
  {
    service: 'zta-decision-forwarder',
    scenario: 'a batch with an entry failed once, a poison entry, a repeated record',
    world: {
      plan: ({ index, entries }) => ({
        failEntries: new Map(
          entries.flatMap((e, i) =>
            e.Detail?.includes('"poison"') || (index === 0 && i === 0)
              ? [[i, 'InternalFailure'] as const]
              : [],
          ),
        ),
      }),
    },
    run: async (w) => {
      const forward = createForwarderHandler(
        {
          EVENT_BUS_NAME: 'zta-decisions',
          DEAD_LETTER_QUEUE_URL: `${w.server.endpoint}/123456789012/dlq`,
          PUBLISHED_TABLE_NAME: await db.createTable('published'),
        },
        w.wiring,
      );
      const first = record();
      await forward(awslogsEvent([first, record(), record({ decisionId: 'poison' }), first].map(loggedLine)));
    },
    expected: {
      DecisionsPublished: 2,
      DecisionsRetried: 2,
      DecisionsDeadLettered: 1,
      DuplicateDecisionsSkipped: 1,
      PublishedLedgerFailures: 0,
    },
  },
  {
    service: 'zta-spike-detector',
    scenario: 'five verified denials, one forged 401, one misrouted event',
    run: async (w) => {
      const detect = createSpikeDetectorHandler(
        {
          EVENT_BUS_NAME: 'zta-decisions',
          COUNTER_TABLE_NAME: await db.createTable('counters'),
          DENY_THRESHOLD: '5',
          WINDOW_SECONDS: '60',
        },
        { ...w.wiring, now: () => atMs(40) },
      );
      const decision = (detail: object) =>
        envelope({ source: 'zta.authorizer', detailType: 'Authorization Decision', detail });
      for (let s = 0; s < 5; s++)
        await detect(decision(decisionDetail({ time: new Date(atMs(s)).toISOString() })));
      await detect(decision(forged({ time: new Date(atMs(6)).toISOString() })));
      await detect(envelope({ source: 'evil.app', detailType: 'Authorization Decision', detail: {} }));
    },
    expected: { DenialsCounted: 5, SpikeAlerts: 1, EventsRefused: 1 },
  },
  {
    service: 'zta-revoker',
    scenario: 'an alert with one stage unflushable and SNS down, then a forged alert',
    world: { failingStages: ['f6g7h8i9j0/prod'], snsDown: true },
    run: async (w) => {
      const revoke = createRevokerHandler(w.revocationEnv, w.wiring);
      await revoke(envelope(suspectedCompromiseEvent(ALERT))).catch(() => undefined);
      await revoke(envelope({ ...suspectedCompromiseEvent(ALERT), source: 'zta.authorizer' }));
    },
    expected: {
      Revocations: 1,
      CacheFlushes: 1,
      CacheFlushFailures: 1,
      AnnouncementFailures: 1,
      EventsRefused: 1,
    },
  },
  {
    service: 'zta-revoker',
    scenario: 'an alert whose revocation cannot be written (no such table)',
    run: async (w) => {
      const revoke = createRevokerHandler(
        { ...w.revocationEnv, REVOCATIONS_TABLE_NAME: 'missing' },
        w.wiring,
      );
      await revoke(envelope(suspectedCompromiseEvent(ALERT))).catch(() => undefined);
    },
    expected: { RevocationFailures: 1 },
  },
  {
    service: 'zta-revocation-admin',
    scenario: 'revoke, lift, lift again, a request without a reason, a store failure',
    run: async (w) => {
      const route = createAdminHandler(w.revocationEnv, w.wiring);
      await route(admin('POST', { kind: 'subject', ...VICTIM, reason: 'phishing report #42' }));
      await route(admin('DELETE', { kind: 'subject', ...VICTIM, reason: 'false alarm' }));
      await route(admin('DELETE', { kind: 'subject', ...VICTIM, reason: 'again' }));
      await route(admin('POST', { kind: 'subject', ...VICTIM }));
      const broken = createAdminHandler({ ...w.revocationEnv, REVOCATIONS_TABLE_NAME: 'missing' }, w.wiring);
      await broken(admin('POST', { kind: 'subject', ...VICTIM, reason: 'x' }));
    },
    expected: {
      Revocations: 1,
      CacheFlushes: 2,
      CacheFlushFailures: 0,
      AnnouncementFailures: 0,
      Unrevocations: 1,
      RequestsRefused: 1,
      RevocationFailures: 1,
    },
  },
  {
    service: 'zta-token-service',
    scenario: 'one token issued, an unknown workload, an audience not allowed',
    run: async (w) => {
      await createScheduledRotationHandler(w.tokenEnv, { ...w.wiring, logger: silent })({});
      const token = createTokenHandler(w.tokenEnv, w.wiring);
      await token(tokenRequest('orders-service', 'payments'));
      await token(tokenRequest('intruder', 'payments'));
      await token(tokenRequest('orders-service', 'admin-api'));
    },
    expected: {
      TokensIssued: 1,
      'TokenRefusals{Reason=unknown_workload}': 1,
      'TokenRefusals{Reason=audience_not_allowed}': 1,
    },
  },
  {
    service: 'zta-token-jwks',
    scenario: 'asked before the first key, then after',
    run: async (w) => {
      const jwks = createJwksHandler(w.tokenEnv, w.wiring);
      const get = proxyEvent({ method: 'GET', path: '/.well-known/jwks.json', userArn: assumedRole('x') });
      await jwks(get);
      await createScheduledRotationHandler(w.tokenEnv, w.wiring)({});
      await jwks(get);
    },
    expected: { JwksUnavailable: 1, JwksServed: 1 },
  },
  {
    service: 'zta-key-rotation',
    scenario: 'the bootstrap run, an emergency, an emergency for an unknown kid, a malformed request',
    run: async (w) => {
      await createScheduledRotationHandler(w.tokenEnv, w.wiring)({});
      const onDemand = createOnDemandRotationHandler(w.tokenEnv, w.wiring);
      await onDemand({ action: 'emergency' });
      await onDemand({ action: 'emergency', kid: 'no-such-kid' });
      await onDemand({ action: 'explode' }).catch(() => undefined);
    },
    expected: {
      'RotationSteps{Action=create-next}': 2,
      'RotationSteps{Action=activate}': 2,
      'RotationSteps{Action=mark-compromised}': 1,
      Rotations: 2,
      EmergencyRotations: 1,
      RotationRefusals: 1,
      RotationFailures: 1,
    },
  },
];

describe('EMF metrics per function', () => {
  it.each(ROWS)('$service: $scenario', async (row) => {
    // Prepare
    const w = await world(row.world);

    // Act
    const { values, raw } = await emfDuring(() => row.run(w));

    // Assess: this function's values only, every name in its catalogue, counts as expected.
    const own = values.filter((v) => v.dimensions.service === row.service);
    expect(totals(own)).toMatchObject(row.expected);
    const catalogue = Object.keys(FUNCTION_METRICS[row.service]);
    for (const v of own) {
      expect(catalogue).toContain(v.name);
      expect(v).toMatchObject({ namespace: DEFAULT_METRICS_NAMESPACE, unit: 'Count' });
      expect(Object.keys(v.dimensions).every((d) => ['service', 'Reason', 'Action'].includes(d))).toBe(true);
    }
    // No caller-chosen value (subject, issuer, caller ARN, audience) in any metric document.
    for (const chosen of [VICTIM.subject, VICTIM.issuer, 'intruder', 'admin-api', OPS]) {
      expect(raw).not.toContain(chosen);
    }
  });

  it('every catalogue metric is exercised by a row above', () => {
    for (const [service, metrics] of Object.entries(FUNCTION_METRICS)) {
      const named = ROWS.filter((r) => r.service === service).flatMap((r) =>
        Object.keys(r.expected).map((k) => k.replace(/\{.*$/, '')),
      );
      expect([...new Set(named)].sort(), service).toEqual(Object.keys(metrics).sort());
    }
  });
});

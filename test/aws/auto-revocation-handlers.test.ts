/**
 * The spike detector, revoker and admin-route Lambdas through their wiring: real SDK clients
 * against protocol doubles on 127.0.0.1 (EventBridge JSON 1.1, SNS query, API Gateway
 * REST-JSON) and dynalite for the counter and revocation tables.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type SuiteEvent, suspectedCompromiseEvent } from '../../functions/core/events/schema.ts';
import { createAdminHandler } from '../../functions/revocation-admin/handler.ts';
import { createRevokerHandler } from '../../functions/revoker/handler.ts';
import { DynamoRevocationStore } from '../../functions/runtime/dynamodb/revocation-table-store.ts';
import { createSpikeDetectorHandler } from '../../functions/spike-detector/handler.ts';
import { apiGatewayDouble } from '../support/aws/api-gateway.ts';
import { eventBridgeDouble } from '../support/aws/eventbridge.ts';
import { startProtocolServer } from '../support/aws/server.ts';
import { snsDouble } from '../support/aws/sns.ts';
import { atMs, decisionDetail, forged, VICTIM } from '../support/decisions.ts';
import { type LocalDynamo, startDynalite, TEST_CREDENTIALS, TEST_REGION } from '../support/dynalite.ts';

const TOPIC = 'arn:aws:sns:us-east-1:123456789012:zta-alerts';
const silent = new Logger({ logLevel: 'SILENT' });
const noWait = { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 1, sleep: async () => {} };

/** An event as EventBridge hands it to a Lambda target. */
const envelope = (event: SuiteEvent | { source: string; detailType: string; detail: unknown }) => ({
  version: '0',
  id: 'e-1',
  'detail-type': event.detailType,
  source: event.source,
  account: '123456789012',
  time: '2026-01-01T00:00:40Z',
  region: TEST_REGION,
  resources: [],
  detail: JSON.parse(JSON.stringify(event.detail)),
});

let db: LocalDynamo;
let closers: (() => Promise<void>)[] = [];
beforeAll(async () => {
  db = await startDynalite();
});
afterEach(async () => {
  await Promise.all(closers.map((c) => c()));
  closers = [];
});
afterAll(() => db.close());

async function world(options: { failingStages?: string[] } = {}) {
  const events = eventBridgeDouble();
  const sns = snsDouble();
  const apigw = apiGatewayDouble({ failing: new Set(options.failingStages ?? []) });
  const server = await startProtocolServer([events.handler, sns.handler, apigw.handler]);
  closers.push(server.close);
  const table = await db.createTable('revocations');
  const env = {
    EVENT_BUS_NAME: 'zta-decisions',
    REVOCATIONS_TABLE_NAME: table,
    COUNTER_TABLE_NAME: await db.createTable('counters'),
    ALERT_TOPIC_ARN: TOPIC,
    PROTECTED_STAGES: 'a1b2c3d4e5/prod, f6g7h8i9j0/prod',
    DENY_THRESHOLD: '5',
    WINDOW_SECONDS: '60',
  };
  const wiring = {
    region: TEST_REGION,
    credentials: TEST_CREDENTIALS,
    endpoints: {
      events: server.endpoint,
      sns: server.endpoint,
      apigateway: server.endpoint,
      dynamodb: db.endpoint,
    },
    retry: noWait,
    jitter: () => 0,
    logger: silent,
    now: () => atMs(42),
  };
  const revokedAt = async (subject = VICTIM.subject) =>
    (
      await new DynamoRevocationStore({
        client: db.client,
        tableName: table,
        cacheSeconds: 0,
        maxCacheEntries: 1,
        now: () => atMs(43),
      }).lookup({
        issuer: VICTIM.issuer,
        subject,
        jti: undefined,
      })
    ).subjectRevokedAt;
  return { env, wiring, events, sns, apigw, revokedAt };
}

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

describe('spike detector Lambda', () => {
  it('raises Principal Suspected Compromise once for 5 verified denials; forged 401s change nothing', async () => {
    const w = await world();
    const detect = createSpikeDetectorHandler(w.env, { ...w.wiring, now: () => atMs(40) });
    const outcomes = [];
    for (let s = 0; s < 30; s++) {
      const decision =
        s % 3 === 0
          ? decisionDetail({ time: new Date(atMs(s)).toISOString() })
          : forged({ time: new Date(atMs(s)).toISOString() });
      outcomes.push(
        await detect(
          envelope({ source: 'zta.authorizer', detailType: 'Authorization Decision', detail: decision }),
        ),
      );
    }
    expect(outcomes.filter((o) => o === 'alerted')).toHaveLength(1);
    expect(w.events.accepted).toHaveLength(1);
    expect(w.events.accepted[0]).toMatchObject({
      Source: 'zta.spike-detector',
      DetailType: 'Principal Suspected Compromise',
    });
    expect(JSON.parse(w.events.accepted[0]?.Detail ?? '{}')).toMatchObject({
      ...VICTIM,
      denials: 5,
      threshold: 5,
    });
  });

  it('ignores events that are not decisions from the authorizer', async () => {
    const w = await world();
    const detect = createSpikeDetectorHandler(w.env, w.wiring);
    expect(
      await detect(
        envelope({ source: 'evil.app', detailType: 'Authorization Decision', detail: decisionDetail() }),
      ),
    ).toBe('ignored');
  });
});

describe('revoker Lambda', () => {
  it('revokes the principal, flushes every protected stage, emits Credential Revoked and notifies', async () => {
    // Prepare
    const w = await world();
    const revoke = createRevokerHandler(w.env, w.wiring);

    // Act
    await revoke(envelope(suspectedCompromiseEvent(ALERT)));

    // Assess
    const now = atMs(42) / 1000;
    expect(await w.revokedAt()).toBe(now);
    expect(w.apigw.flushed.sort()).toEqual(['a1b2c3d4e5/prod', 'f6g7h8i9j0/prod']);
    expect(w.events.accepted).toHaveLength(1);
    expect(w.events.accepted[0]).toMatchObject({ Source: 'zta.revoker', DetailType: 'Credential Revoked' });
    expect(JSON.parse(w.events.accepted[0]?.Detail ?? '{}')).toMatchObject({
      revocationId: 'spike:d-5',
      trigger: 'auto',
      kind: 'subject',
      ...VICTIM,
      revokedAt: now,
      outcome: 'revoked',
    });
    expect(w.sns.published).toEqual([
      {
        topicArn: TOPIC,
        subject: 'zta: credential revoked (auto)',
        message: expect.stringContaining('alice'),
      },
    ]);
  });

  it('is idempotent under a duplicate delivery: the revocation does not move', async () => {
    const w = await world();
    await createRevokerHandler(w.env, w.wiring)(envelope(suspectedCompromiseEvent(ALERT)));
    await createRevokerHandler(w.env, { ...w.wiring, now: () => atMs(500) })(
      envelope(suspectedCompromiseEvent(ALERT)),
    );
    expect(await w.revokedAt()).toBe(atMs(42) / 1000);
  });

  it.each([
    {
      name: 'from another source (a forged alert)',
      event: { ...suspectedCompromiseEvent(ALERT), source: 'zta.authorizer' },
    },
    { name: 'with an invalid detail', event: suspectedCompromiseEvent({ ...ALERT, subject: '' }) },
  ])('refuses an alert $name and revokes nobody', async ({ event }) => {
    const w = await world();
    expect(await createRevokerHandler(w.env, w.wiring)(envelope(event))).toBe('ignored');
    expect(await w.revokedAt()).toBeUndefined();
    expect(w.events.accepted).toEqual([]);
  });

  it('fails the invocation (to be retried) when a stage cannot be flushed, after revoking and announcing', async () => {
    const w = await world({ failingStages: ['f6g7h8i9j0/prod'] });
    await expect(
      createRevokerHandler(w.env, w.wiring)(envelope(suspectedCompromiseEvent(ALERT))),
    ).rejects.toThrow(/cache flush f6g7h8i9j0\/prod/);
    expect(await w.revokedAt()).toBeDefined();
    expect(JSON.parse(w.events.accepted[0]?.Detail ?? '{}').cacheFlush).toEqual([
      { stage: 'a1b2c3d4e5/prod', ok: true },
      { stage: 'f6g7h8i9j0/prod', ok: false },
    ]);
  });

  it('refuses to start with a malformed PROTECTED_STAGES', async () => {
    const w = await world();
    expect(() => createRevokerHandler({ ...w.env, PROTECTED_STAGES: 'prod' }, w.wiring)).toThrow(
      /PROTECTED_STAGES/,
    );
    expect(() => createRevokerHandler({ ...w.env, ALERT_TOPIC_ARN: undefined }, w.wiring)).toThrow(
      /ALERT_TOPIC_ARN is required/,
    );
  });
});

describe('revocation admin route', () => {
  const OPS = 'arn:aws:iam::123456789012:role/security-ops';
  const call = (method: string, body?: object, over: object = {}) => ({
    httpMethod: method,
    body: body === undefined ? null : JSON.stringify(body),
    queryStringParameters: method === 'GET' ? { kind: 'subject', ...VICTIM } : null,
    headers: {},
    requestContext: { requestId: `req-${method}`, identity: { userArn: OPS } },
    ...over,
  });

  it('revokes and lifts by hand, with the caller and reason in the audit trail', async () => {
    const w = await world();
    const admin = createAdminHandler(w.env, w.wiring);

    const revoked = await admin(call('POST', { kind: 'subject', ...VICTIM, reason: 'phishing report #42' }));
    const lifted = await admin(call('DELETE', { kind: 'subject', ...VICTIM, reason: 'false alarm' }));
    const history = await admin(call('GET'));

    expect(revoked.statusCode).toBe(200);
    expect(JSON.parse(revoked.body)).toMatchObject({
      complete: true,
      revocation: { trigger: 'manual', revokedBy: OPS, outcome: 'revoked' },
    });
    expect(w.apigw.flushed).toHaveLength(2);
    expect(JSON.parse(lifted.body)).toMatchObject({ outcome: 'unrevoked' });
    expect(await w.revokedAt()).toBeUndefined();
    expect(
      JSON.parse(history.body).entries.map((e: { action: string; actor: string; reason: string }) => [
        e.action,
        e.actor,
        e.reason,
      ]),
    ).toEqual([
      ['revoke', OPS, 'phishing report #42'],
      ['unrevoke', OPS, 'false alarm'],
    ]);
  });

  it.each([
    {
      name: 'a caller without an IAM identity',
      event: call(
        'POST',
        { kind: 'subject', ...VICTIM, reason: 'x' },
        { requestContext: { requestId: 'r' } },
      ),
      status: 403,
    },
    { name: 'no reason', event: call('POST', { kind: 'subject', ...VICTIM }), status: 400 },
    {
      name: 'an unknown field',
      event: call('POST', { kind: 'subject', ...VICTIM, reason: 'x', until: 5 }),
      status: 400,
    },
    {
      name: 'a jti with a subject',
      event: call('POST', { kind: 'jti', jti: 'j', subject: 'alice', reason: 'x' }),
      status: 400,
    },
    { name: 'a body that is not JSON', event: { ...call('POST'), body: 'revoke alice' }, status: 400 },
    { name: 'PUT', event: call('PUT', {}), status: 405 },
  ])('refuses $name with $status and changes nothing', async ({ event, status }) => {
    const w = await world();
    const response = await createAdminHandler(w.env, w.wiring)(event);
    expect(response.statusCode).toBe(status);
    expect(await w.revokedAt()).toBeUndefined();
  });
});

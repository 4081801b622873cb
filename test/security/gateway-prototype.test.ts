/**
 * No request data is read through the prototype chain: a header or query parameter named like
 * an `Object.prototype` member gets an ordinary decision and reaches the upstream as sent, and
 * any failure that does reach the last-resort handler still answers 500 with an access record.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Authorizer } from '../../functions/core/authorizer.ts';
import { startGateway } from '../../functions/local/gateway.ts';
import {
  type GatewayWorld,
  gatewayWorld,
  get,
  type RecordingUpstream,
  rawRequest,
  recordingUpstream,
} from './gateway-harness.ts';

const NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'];

let upstream: RecordingUpstream;
let w: GatewayWorld;
beforeAll(async () => {
  upstream = await recordingUpstream();
  w = await gatewayWorld({ upstream: upstream.url });
});
afterAll(async () => {
  await w.close();
  await upstream.close();
});

describe.each(NAMES)('request data named %s', (name) => {
  it('as a header: an ordinary ALLOW, the header forwarded as sent', async () => {
    const before = upstream.seen.length;
    const response = await rawRequest(w.port, get('/api/profile', `Bearer ${w.token()}`, [`${name}: x1`]));
    const seen = upstream.seen.slice(before);

    expect(response?.status).toBe(200);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.rawHeaders).toEqual(expect.arrayContaining([name, 'x1']));
  });

  it('as a repeated header, in two cases of the name', async () => {
    const extra = [`${name}: a`, `${name.toUpperCase()}: b`, `${name}: c`];
    const response = await rawRequest(w.port, get('/api/profile', `Bearer ${w.token()}`, extra));
    expect(response?.status).toBe(200);
  });

  it('as a query parameter, repeated: an ordinary ALLOW, the query forwarded as sent', async () => {
    const before = upstream.seen.length;
    const target = `/api/profile?${name}=1&${name}=2&${name}`;
    const response = await rawRequest(w.port, get(target, `Bearer ${w.token()}`));

    expect(response?.status).toBe(200);
    expect(upstream.seen.slice(before).map((s) => s.url)).toEqual([target]);
  });

  it('without a token: an ordinary 401 with its decision and access records', async () => {
    const decisions = w.decisionRecords().length;
    const access = w.accessRecords().length;
    const response = await rawRequest(w.port, get(`/api/profile?${name}=1`, undefined, [`${name}: x`]));

    expect(response?.status).toBe(401);
    expect(w.decisionRecords().slice(decisions)).toMatchObject([{ reason: 'missing_token' }]);
    expect(w.accessRecords().slice(access)).toMatchObject([{ status: 401 }]);
  });
});

describe('the last-resort handler', () => {
  it('answers 500 and still writes an access record when deciding throws', async () => {
    const records: Array<Record<string, unknown>> = [];
    const broken: Authorizer = () => Promise.reject(new Error('boom'));
    const gateway = await startGateway({
      authorize: broken,
      cacheTtlSeconds: 0,
      onRecord: (r) => void records.push(r as Record<string, unknown>),
    });
    try {
      const response = await rawRequest(Number(new URL(gateway.url).port), get('/api/profile', 'Bearer x'));

      expect(response?.status).toBe(500);
      expect(records).toMatchObject([
        {
          schema: 'zta.access/v1',
          method: 'GET',
          path: '/api/profile',
          status: 500,
          error: 'internal_error',
        },
      ]);
    } finally {
      await gateway.close();
    }
  });
});

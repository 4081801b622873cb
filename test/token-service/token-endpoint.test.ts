import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalKeyStore } from '../../functions/runtime/local-key-store.ts';
import { workloadOfCaller } from '../../functions/token-service/caller.ts';
import { createTokenEndpoint, type EndpointLogger } from '../../functions/token-service/token-endpoint.ts';
import { proxyEvent } from '../support/apigw-http.ts';
import { NOW, testAuthorizer } from '../support/authorizer.ts';
import { restRequestEvent } from '../support/events.ts';
import { ACCOUNT, assumedRole, TOKEN_ISSUER, tokenConfig } from '../support/token-service.ts';
import { tempDirs } from '../unit/helpers.ts';

const dirs = tempDirs('zta-token-');
afterAll(dirs.cleanup);
const config = tokenConfig();

/** An endpoint signing with a local key store (the same TokenSigner interface as KMS), and its logs. */
function setup(signer?: { sign(): Promise<string> }) {
  const store = new LocalKeyStore(
    { issuer: TOKEN_ISSUER, audience: 'zt-api', keysDir: join(dirs.make(), 'keys'), maxTokenTtlSeconds: 900 },
    () => NOW,
  );
  const logs: { message: string; fields: Record<string, unknown> }[] = [];
  const logger: EndpointLogger = {
    info: (message, fields) => logs.push({ message, fields }),
    warn: (message, fields) => logs.push({ message, fields }),
  };
  let jti = 0;
  const endpoint = createTokenEndpoint({
    config,
    signer: signer ?? store,
    logger,
    newJti: () => `jti-${++jti}`,
  });
  const post = (
    userArn: string | null,
    body: unknown,
    extra: { method?: string; raw?: boolean; base64?: boolean } = {},
  ) => {
    const text = extra.raw ? (body as string) : JSON.stringify(body);
    return endpoint(
      proxyEvent({
        method: extra.method ?? 'POST',
        path: '/token',
        userArn,
        body: extra.base64 ? Buffer.from(text).toString('base64') : text,
        isBase64Encoded: extra.base64 ?? false,
        headers: { 'content-type': 'application/json' },
      }),
      NOW,
    );
  };
  return { store, logs, post };
}

const ORDERS = assumedRole('orders-service');

describe('workloadOfCaller', () => {
  it.each([
    [assumedRole('orders-service'), 'spiffe://example.test/dev/orders'],
    [assumedRole('billing', ACCOUNT, 'a-session@x'), 'spiffe://example.test/dev/billing'],
    [assumedRole('orders-service', '210987654321'), 'unknown_workload'],
    [assumedRole('Orders-Service'), 'unknown_workload'],
    [assumedRole('payments'), 'unknown_workload'],
    [`arn:aws-cn:sts::${ACCOUNT}:assumed-role/orders-service/s1`, 'unknown_workload'],
    [`arn:aws:iam::${ACCOUNT}:user/orders-service`, 'unsupported_principal'],
    [`arn:aws:iam::${ACCOUNT}:root`, 'unsupported_principal'],
    [`arn:aws:sts::${ACCOUNT}:federated-user/orders-service`, 'unsupported_principal'],
    [`arn:aws:iam::${ACCOUNT}:role/orders-service`, 'unsupported_principal'],
    [`${assumedRole('orders-service')}/extra`, 'unsupported_principal'],
    ['', 'missing_caller_identity'],
    [null, 'missing_caller_identity'],
  ])('maps %s to %s', (arn, expected) => {
    const result = workloadOfCaller(arn, config.workloads);
    expect(result.ok ? result.workload.spiffeId : result.code).toBe(expected);
  });
});

describe('POST /token', () => {
  it('issues a short-lived token the authorizer core accepts, and logs everything but the token', async () => {
    // Prepare
    const { store, logs, post } = setup();
    const authorizer = testAuthorizer({
      issuers: [
        {
          issuer: TOKEN_ISSUER,
          audience: 'payments',
          algorithms: ['ES256'],
          keys: store.keySource(),
        },
      ],
    });

    // Act
    const response = await post(ORDERS, { audience: 'payments', ttlSeconds: 120 });
    const body = JSON.parse(response.body);
    const decided = await authorizer.decide(restRequestEvent(`Bearer ${body.token}`));

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.headers?.['cache-control']).toBe('no-store');
    expect(body).toEqual({ token: expect.any(String), tokenType: 'Bearer', expiresAt: NOW + 120 });
    expect(decodeJwt(body.token)).toEqual({
      iss: TOKEN_ISSUER,
      sub: 'spiffe://example.test/dev/orders',
      aud: 'payments',
      iat: NOW,
      exp: NOW + 120,
      jti: 'jti-1',
    });
    expect(decodeProtectedHeader(body.token)).toEqual({
      alg: 'ES256',
      typ: 'JWT',
      kid: store.activeKey()?.kid,
    });
    expect(decided.decision.effect).toBe('allow');
    expect(logs).toEqual([
      {
        message: 'token issued',
        fields: {
          sub: 'spiffe://example.test/dev/orders',
          aud: 'payments',
          jti: 'jti-1',
          kid: store.activeKey()?.kid,
          exp: NOW + 120,
        },
      },
    ]);
    expect(JSON.stringify(logs)).not.toContain(body.token.split('.')[2]);
  });

  it('defaults the lifetime to tokens.maxTtlSeconds (at most 15 minutes) and reads base64 bodies', async () => {
    const response = await setup().post(ORDERS, { audience: 'zt-api' }, { base64: true });
    expect(JSON.parse(response.body).expiresAt).toBe(NOW + 900);
  });

  it.each([
    ['a GET', ORDERS, { audience: 'zt-api' }, { method: 'GET' }, 405, 'method_not_allowed'],
    [
      'no caller identity (route without AWS_IAM)',
      null,
      { audience: 'zt-api' },
      {},
      403,
      'missing_caller_identity',
    ],
    [
      'an IAM user',
      `arn:aws:iam::${ACCOUNT}:user/alice`,
      { audience: 'zt-api' },
      {},
      403,
      'unsupported_principal',
    ],
    ['an unmapped role', assumedRole('intruder'), { audience: 'zt-api' }, {}, 403, 'unknown_workload'],
    [
      'an audience the workload may not ask for',
      assumedRole('billing'),
      { audience: 'payments' },
      {},
      403,
      'audience_not_allowed',
    ],
    ['a body that is not JSON', ORDERS, '{audience', { raw: true }, 400, 'invalid_request'],
    ['an empty body', ORDERS, '', { raw: true }, 400, 'invalid_request'],
    ['a JSON array', ORDERS, ['zt-api'], {}, 400, 'invalid_request'],
    ['no audience', ORDERS, {}, {}, 400, 'invalid_request'],
    ['an audience array', ORDERS, { audience: ['zt-api'] }, {}, 400, 'invalid_request'],
    ['an unknown member', ORDERS, { audience: 'zt-api', sub: 'admin' }, {}, 400, 'invalid_request'],
    ['a lifetime over the cap', ORDERS, { audience: 'zt-api', ttlSeconds: 901 }, {}, 400, 'invalid_request'],
    ['a lifetime under a minute', ORDERS, { audience: 'zt-api', ttlSeconds: 59 }, {}, 400, 'invalid_request'],
    ['a fractional lifetime', ORDERS, { audience: 'zt-api', ttlSeconds: 90.5 }, {}, 400, 'invalid_request'],
    ['a lifetime as a string', ORDERS, { audience: 'zt-api', ttlSeconds: '300' }, {}, 400, 'invalid_request'],
    ['an oversized body', ORDERS, { audience: 'x'.repeat(5000) }, {}, 413, 'payload_too_large'],
  ])('refuses %s', async (_name, arn, body, extra, status, code) => {
    // Act
    const response = await setup().post(arn, body, extra);

    // Assess
    expect(response.statusCode).toBe(status);
    expect(JSON.parse(response.body)).toEqual({ error: code, message: expect.any(String) });
    expect(response.headers?.['cache-control']).toBe('no-store');
  });

  it('answers 503 signing_unavailable when the signer fails, without leaking the cause', async () => {
    // Prepare
    const failing = {
      sign: async () => Promise.reject(new Error('AccessDeniedException: arn:aws:kms:secret')),
    };
    const { post, logs } = setup(failing);

    // Act
    const response = await post(ORDERS, { audience: 'zt-api' });

    // Assess
    expect(response.statusCode).toBe(503);
    expect(JSON.parse(response.body).error).toBe('signing_unavailable');
    expect(response.body).not.toContain('arn:aws:kms');
    expect(logs.map((l) => l.message)).toEqual(['token signing failed']);
  });
});

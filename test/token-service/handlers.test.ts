import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proxyEvent } from '../support/apigw-http.ts';
import { type LocalDynamo, startDynalite } from '../support/dynalite.ts';
import { type KmsDouble, startKmsDouble } from '../support/kms-double.ts';
import { assumedRole, createRotationTable, rawTokenConfig } from '../support/token-service.ts';

const DRIVER = fileURLToPath(new URL('./invoke-handlers.mjs', import.meta.url));

/** Runs the driver in a fresh Node process with `env`; resolves its JSON lines by name. */
function invokeHandlers(
  env: Record<string, string>,
): Promise<Record<string, { statusCode?: number; body?: string } & Record<string, unknown>>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DRIVER], { env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`driver exited ${code}: ${stderr}`));
      const lines = stdout.split('\n').filter((l) => l.startsWith('{"name"'));
      resolve(Object.fromEntries(lines.map((l) => JSON.parse(l)).map((o) => [o.name, o.value])));
    });
  });
}

/** The Lambda handlers, wired only by their environment, against the KMS double and dynalite. */
describe('Lambda handlers (environment wiring, module-scope config)', () => {
  let kms: KmsDouble;
  let dynamo: LocalDynamo;
  let table: string;
  beforeAll(async () => {
    kms = await startKmsDouble();
    dynamo = await startDynalite();
    table = await createRotationTable(dynamo.client);
  });
  afterAll(async () => {
    await kms.close();
    await dynamo.close();
  });

  const baseEnv = (event: object, rotationTable: string) => ({
    ZTA_TOKEN_CONFIG: JSON.stringify(rawTokenConfig()),
    ZTA_ROTATION_TABLE: rotationTable,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'AKIDTEST',
    AWS_SECRET_ACCESS_KEY: 'test-secret',
    AWS_ENDPOINT_URL_KMS: kms.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
    POWERTOOLS_LOG_LEVEL: 'ERROR',
    TEST_PROXY_EVENT: JSON.stringify(event),
  });

  it('traces every AWS call to X-Ray as Lambda does, with no token in any segment', async () => {
    // Prepare: a UDP listener stands in for the X-Ray daemon; the environment is Lambda's.
    const daemon = createSocket('udp4');
    const datagrams: string[] = [];
    daemon.on('message', (m) => datagrams.push(m.toString('utf8')));
    await new Promise<void>((resolve) => daemon.bind(0, '127.0.0.1', resolve));
    const event = proxyEvent({
      method: 'POST',
      path: '/token',
      userArn: assumedRole('orders-service'),
      body: '{"audience":"payments"}',
    });
    const env = {
      // Its own rotation table: this run bootstraps its own key.
      ...baseEnv(event, await createRotationTable(dynamo.client)),
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
      LAMBDA_TASK_ROOT: process.cwd(),
      _X_AMZN_TRACE_ID: 'Root=1-6a0f0c00-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1',
      AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${(daemon.address() as AddressInfo).port}`,
      AWS_XRAY_LOG_LEVEL: 'silent',
    };

    // Act
    let out: Awaited<ReturnType<typeof invokeHandlers>>;
    try {
      out = await invokeHandlers(env);
      // UDP on loopback: give the last datagrams a generous moment to arrive.
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && !datagrams.some((d) => d.includes('"## zta-key-rotation"'))) {
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      daemon.close();
    }

    // Assess
    const segments = datagrams.map(
      (d) => JSON.parse(d.slice(d.indexOf('\n') + 1)) as Record<string, unknown>,
    );
    const named = (name: string) => segments.filter((s) => s.name === name);
    expect(named('## zta-token-service')).toHaveLength(1);
    expect(named('## zta-token-jwks')).toHaveLength(1);
    const operations = segments.map((s) => `${s.name}.${(s.aws as { operation?: string })?.operation}`);
    expect(operations).toEqual(
      expect.arrayContaining(['KMS.Sign', 'KMS.CreateKey', 'DynamoDB.GetItem', 'DynamoDB.PutItem']),
    );
    expect(segments.every((s) => s.trace_id === '1-6a0f0c00-0123456789abcdef01234567')).toBe(true);
    const token = (JSON.parse(out.token?.body ?? '{}') as { token: string }).token;
    expect(token.split('.')).toHaveLength(3);
    for (const part of token.split('.')) expect(datagrams.join('\n')).not.toContain(part);
  });

  it('bootstraps a key, serves it, issues a token signed by it, and reports status', async () => {
    // Prepare
    const event = proxyEvent({
      method: 'POST',
      path: '/token',
      userArn: assumedRole('orders-service'),
      body: '{"audience":"payments"}',
    });
    const env = baseEnv(event, table);

    // Act
    const out = await invokeHandlers(env);

    // Assess
    const jwks = JSON.parse(out.jwks?.body ?? '{}') as { keys: { kid: string }[] };
    const issued = JSON.parse(out.token?.body ?? '{}') as { token: string };
    expect(out.scheduled).toMatchObject({
      performed: [{ kind: 'create-next' }, { kind: 'activate' }],
      outcome: { kind: 'idle' },
    });
    expect(out.jwks?.statusCode).toBe(200);
    expect(out.token?.statusCode).toBe(200);
    expect(jwks.keys.map((k) => k.kid)).toEqual([decodeProtectedHeader(issued.token).kid]);
    expect(decodeJwt(issued.token)).toMatchObject({
      sub: 'spiffe://example.test/dev/orders',
      aud: 'payments',
    });
    expect(out.status).toMatchObject({ nextAction: { kind: 'idle' }, keys: [{ state: 'active' }] });
    expect(kms.calls).toContain('Sign');
  });
});

import { spawn } from 'node:child_process';
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

  it('bootstraps a key, serves it, issues a token signed by it, and reports status', async () => {
    // Prepare
    const event = proxyEvent({
      method: 'POST',
      path: '/token',
      userArn: assumedRole('orders-service'),
      body: '{"audience":"payments"}',
    });
    const env = {
      ZTA_TOKEN_CONFIG: JSON.stringify(rawTokenConfig()),
      ZTA_ROTATION_TABLE: table,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDTEST',
      AWS_SECRET_ACCESS_KEY: 'test-secret',
      AWS_ENDPOINT_URL_KMS: kms.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      POWERTOOLS_LOG_LEVEL: 'ERROR',
      TEST_PROXY_EVENT: JSON.stringify(event),
    };

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

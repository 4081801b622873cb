/**
 * The local gateway in front of a DynamoDB revocation table (dynalite on 127.0.0.1). A cached
 * answer holds a revocation lookup, and a table's writes (`zta revoke --env`, the AWS revoker)
 * are invisible to this process: so an entry lives no longer than the store's own reuse window
 * (`revocations.dynamodb.cacheSeconds`), whatever `gateway.cacheTtlSeconds` says.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatewayCacheSeconds, runGateway } from '../../bin/cli/local-gateway.ts';
import { parseAuthorizerConfig } from '../../functions/core/config/authorizer-config.ts';
import type { RunningGateway } from '../../functions/local/gateway.ts';
import { buildAuthorizer } from '../../functions/runtime/build-authorizer.ts';
import { loadConfigFile } from '../../functions/runtime/config-file.ts';
import { DynamoRevocationWriter } from '../../functions/runtime/dynamodb/revocation-table-writer.ts';
import { ISSUER, type Workspace, workspace } from '../cli/harness.ts';
import { POLICY_DIR } from '../support/authorizer.ts';
import { type LocalDynamo, startDynalite, TEST_CREDENTIALS, TEST_REGION } from '../support/dynalite.ts';

let db: LocalDynamo;
let ws: Workspace;
let gateway: RunningGateway;
let table: string;

beforeAll(async () => {
  db = await startDynalite();
  table = await db.createTable('revocations');
  ws = workspace({
    revocations: {
      dynamodb: { tableName: table, region: TEST_REGION, endpoint: db.endpoint, cacheSeconds: 0 },
    },
    gateway: { cacheTtlSeconds: 300 },
  });
  const built = buildAuthorizer(loadConfigFile(ws.config, POLICY_DIR), { awsCredentials: TEST_CREDENTIALS });
  gateway = await runGateway(built, { port: 0, info: () => {}, warn: () => {} });
});
afterAll(async () => {
  await gateway?.close();
  await db?.close();
  ws?.cleanup();
});

describe('zta serve with a DynamoDB revocation table', () => {
  it('denies a subject revoked in the table at once, though its ALLOW was cached a moment before', async () => {
    // Prepare
    const now = Math.floor(Date.now() / 1000);
    const token = await ws.sign({ sub: 'mallory', iat: now - 120 });
    const get = async () =>
      (await fetch(`${gateway.url}/api/profile`, { headers: { authorization: `Bearer ${token}` } })).status;
    expect(await get()).toBe(200);

    // Act: what `zta revoke --env` does, from another process
    await new DynamoRevocationWriter(db.client, table).revoke(
      { kind: 'subject', issuer: ISSUER, subject: 'mallory' },
      now,
      { actor: 'cli:test', reason: 'stolen laptop', trigger: 'manual', requestId: 'r-1' },
    );

    // Assess
    expect(await get()).toBe(401);
  });

  it.each([
    { store: { file: './revocations.json' }, ttl: 300, expected: 300 },
    { store: null, ttl: 300, expected: 300 },
    {
      store: { dynamodb: { tableName: 'zta-revocations', region: TEST_REGION, cacheSeconds: 5 } },
      ttl: 300,
      expected: 5,
    },
    {
      store: { dynamodb: { tableName: 'zta-revocations', region: TEST_REGION, cacheSeconds: 30 } },
      ttl: 10,
      expected: 10,
    },
    { store: { dynamodb: { tableName: 'zta-revocations', region: TEST_REGION } }, ttl: 300, expected: 5 },
  ])(
    'keeps an entry min(cacheTtlSeconds, the table reuse window): $store → $expected s',
    ({ store, ttl, expected }) => {
      const config = parseAuthorizerConfig(
        {
          issuers: [{ issuer: ISSUER, audience: 'zt-api', jwksFile: './jwks.json', algorithms: ['ES256'] }],
          revocations: store,
          gateway: { cacheTtlSeconds: ttl },
        },
        { baseDir: ws.dir, defaultPoliciesDir: POLICY_DIR },
      );

      expect(gatewayCacheSeconds(config)).toBe(expected);
    },
  );
});

/**
 * The authorizer built from a config whose `revocations` is a DynamoDB table (dynalite on
 * 127.0.0.1): the same decision core, the revocation answer read from the table, and fail
 * closed when the table cannot be read.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAuthorizer } from '../../functions/runtime/build-authorizer.ts';
import { loadConfigFile } from '../../functions/runtime/config-file.ts';
import { DynamoRevocationWriter } from '../../functions/runtime/dynamodb/revocation-table-writer.ts';
import { restEvent } from '../cli/harness.ts';
import { type LocalDynamo, startDynalite, TEST_CREDENTIALS, TEST_REGION } from '../support/dynalite.ts';
import { es256Key, jwksOf, signEs256, tempDirs } from '../unit/helpers.ts';

const ISS = 'https://idp.example.test';
const POLICIES = join(import.meta.dirname, '../../policies');
const dirs = tempDirs('zta-ddb-');
const key = es256Key('k1');
const now = 1_800_000_000;
const token = (claims: Record<string, unknown>) =>
  signEs256({ iss: ISS, aud: 'zt-api', sub: 'alice', iat: now - 60, exp: now + 600, ...claims }, key);

let db: LocalDynamo;
beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db.close();
  dirs.cleanup();
});

function authorizerFor(tableName: string, endpoint = db.endpoint) {
  const dir = dirs.make();
  writeFileSync(join(dir, 'jwks.json'), JSON.stringify(jwksOf(key)));
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({
      issuers: [{ issuer: ISS, audience: 'zt-api', jwksFile: './jwks.json', algorithms: ['ES256'] }],
      revocations: { dynamodb: { tableName, region: TEST_REGION, endpoint, cacheSeconds: 0 } },
    }),
  );
  const built = buildAuthorizer(loadConfigFile(join(dir, 'config.json'), POLICIES), {
    awsCredentials: TEST_CREDENTIALS,
  });
  return async (t: string) => {
    const { decision } = await built.authorize(restEvent('GET', '/api/profile', `Bearer ${t}`), now * 1000);
    return `${decision.status} ${decision.reason}`;
  };
}

describe('the authorizer with a DynamoDB revocation store', () => {
  it('denies revoked subjects and jtis, allows everyone else', async () => {
    // Prepare
    const table = await db.createTable('revocations');
    const writer = new DynamoRevocationWriter(db.client, table);
    const audit = { actor: 'test', reason: 'test', trigger: 'manual' as const };
    await writer.revoke({ kind: 'subject', issuer: ISS, subject: 'mallory' }, now - 100, {
      ...audit,
      requestId: 'r1',
    });
    await writer.revoke({ kind: 'jti', jti: 'stolen' }, now, { ...audit, requestId: 'r2' });
    const decide = authorizerFor(table);

    // Act
    const verdicts = await Promise.all([
      decide(token({ sub: 'mallory', iat: now - 120 })), // issued before the revocation
      decide(token({ sub: 'mallory', iat: now - 60 })), // issued 40 s after it: beyond the 30 s tolerance
      decide(token({ jti: 'stolen' })),
      decide(token({ jti: 'fine' })),
    ]);

    // Assess
    expect(verdicts).toEqual(['401 token_revoked', '200 allowed', '401 token_revoked', '200 allowed']);
  });

  it.each([
    { name: 'the table does not exist', table: 'no-such-table', endpoint: undefined },
    { name: 'DynamoDB cannot be reached', table: 'revocations', endpoint: 'http://127.0.0.1:1' },
  ])('fails closed when $name', async ({ table, endpoint }) => {
    const decide = authorizerFor(table, endpoint ?? db.endpoint);
    expect(await decide(token({}))).toBe('401 revocation_unavailable');
  });
});

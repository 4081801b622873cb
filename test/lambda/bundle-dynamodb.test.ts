/**
 * The bundled authorizer with the DynamoDB revocation store and EMF metrics: esbuild's CJS
 * package, loaded by plain `node` (no tsx, no repository on the path), reading revocations
 * from dynalite on 127.0.0.1 through the bundled AWS SDK, with the table named by the
 * deployment (`ZTA_REVOCATIONS_TABLE`) as CDK will do.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleAuthorizer } from '../../functions/authorizer/bundle.ts';
import { DynamoRevocationWriter } from '../../functions/runtime/dynamodb/revocation-table-writer.ts';
import { restEvent } from '../cli/harness.ts';
import { type LocalDynamo, startDynalite, TEST_CREDENTIALS, TEST_REGION } from '../support/dynalite.ts';
import { es256Key, signEs256, tempDirs } from '../unit/helpers.ts';

const ISS = 'https://idp.example.test';
const dirs = tempDirs('zta-bundle-ddb-');
const key = es256Key('k1');
const now = Math.floor(Date.now() / 1000);
const token = (sub: string) => signEs256({ iss: ISS, aud: 'zt-api', sub, iat: now - 5, exp: now + 300 }, key);

let db: LocalDynamo;
let lines: string[] = [];
let results: unknown[] = [];

beforeAll(async () => {
  db = await startDynalite();
  const table = await db.createTable('revocations');
  await new DynamoRevocationWriter(db.client, table).revoke(
    { kind: 'subject', issuer: ISS, subject: 'mallory' },
    now,
    {
      actor: 'test',
      reason: 'test',
      requestId: 'r1',
      trigger: 'manual',
    },
  );
  const configDir = dirs.make();
  writeFileSync(join(configDir, 'jwks.json'), JSON.stringify({ keys: [key.publicJwk] }));
  const outDir = join(dirs.make(), 'package');
  mkdirSync(outDir);
  bundleAuthorizer({
    outDir,
    configBaseDir: configDir,
    config: {
      issuers: [{ issuer: ISS, audience: 'zt-api', jwksFile: './jwks.json', algorithms: ['ES256'] }],
      // The packaged name is a placeholder: the deployment's ZTA_REVOCATIONS_TABLE replaces it.
      revocations: {
        dynamodb: {
          tableName: 'replaced-at-deploy',
          region: TEST_REGION,
          endpoint: db.endpoint,
          cacheSeconds: 0,
        },
      },
    },
  });
  const events = ['alice', 'mallory'].map((sub) => restEvent('GET', '/api/profile', `Bearer ${token(sub)}`));
  const run = await promisify(execFile)(
    process.execPath,
    [join(import.meta.dirname, 'invoke-bundle.cjs'), JSON.stringify(events)],
    {
      cwd: outDir,
      env: {
        PATH: process.env.PATH ?? '',
        LAMBDA_TASK_ROOT: outDir,
        ZTA_REVOCATIONS_TABLE: table,
        AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
        AWS_REGION: TEST_REGION,
        POWERTOOLS_METRICS_NAMESPACE: 'ZtaTest',
      },
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  lines = run.stdout.split('\n').filter((l) => l.trim() !== '');
  results = lines.filter((l) => l.startsWith('RESULT ')).map((l) => JSON.parse(l.slice(7)));
}, 120_000);

afterAll(async () => {
  await db?.close();
  dirs.cleanup();
});

describe('the bundled authorizer with a DynamoDB revocation table', () => {
  it('allows an unrevoked subject and refuses a revoked one', () => {
    expect(results).toEqual([
      { value: expect.objectContaining({ principalId: `${ISS}|alice` }) },
      { error: { isError: true, name: 'Error', message: 'Unauthorized' } },
    ]);
    const decisions = lines.filter((l) => l.includes('"zta.decision/v1"')).map((l) => JSON.parse(l));
    expect(decisions.map((d) => d.reason)).toEqual(['allowed', 'token_revoked']);
  });

  it('writes one EMF metrics document per decision, by outcome and reason', () => {
    const emf = lines.filter((l) => l.includes('"_aws"')).map((l) => JSON.parse(l));
    expect(emf.map((d) => [d._aws.CloudWatchMetrics[0].Namespace, d.Outcome, d.Reason, d.Decisions])).toEqual(
      [
        ['ZtaTest', 'ALLOW', 'allowed', 1],
        ['ZtaTest', 'DENY', 'token_revoked', 1],
      ],
    );
  });
});

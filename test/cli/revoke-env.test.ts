/**
 * `zta revoke --env <env>` against a DynamoDB revocation table (dynalite on 127.0.0.1), run as
 * a user runs it: revoke, lift, audit trail, and the table named by flag or by
 * `config/<env>.json`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoRevocationStore } from '../../functions/runtime/dynamodb/revocation-table-store.ts';
import { DynamoRevocationWriter } from '../../functions/runtime/dynamodb/revocation-table-writer.ts';
import { type LocalDynamo, startDynalite, TEST_CREDENTIALS, TEST_REGION } from '../support/dynalite.ts';
import { type CliResult, ZTA } from './harness.ts';

const ISS = 'https://idp.example.test';
let db: LocalDynamo;
let configDir: string;

beforeAll(async () => {
  db = await startDynalite();
  configDir = mkdtempSync(join(tmpdir(), 'zta-env-'));
  writeFileSync(join(configDir, 'notable.json'), JSON.stringify({ authorizer: { runtime: {} } }));
});
afterAll(async () => {
  await db.close();
  rmSync(configDir, { recursive: true, force: true });
});

/** The CLI with AWS credentials in the environment, as an operator's shell has them. */
function zta(args: string[]): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [ZTA, ...args], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: configDir,
        ZTA_CONFIG_DIR: configDir,
        AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
        AWS_REGION: TEST_REGION,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end();
  });
}

const revokedAt = (table: string, subject: string) =>
  new DynamoRevocationStore({ client: db.client, tableName: table, cacheSeconds: 0, maxCacheEntries: 1 })
    .lookup({ issuer: ISS, subject, jti: undefined })
    .then((f) => f.subjectRevokedAt);

describe('zta revoke --env', () => {
  it('revokes and lifts a subject in the table named by --table, with the audit trail', async () => {
    // Prepare
    const table = await db.createTable('revocations');
    const flags = [
      '--env',
      'staging',
      '--table',
      table,
      '--endpoint',
      db.endpoint,
      '--sub',
      'alice',
      '--iss',
      ISS,
    ];

    // Act
    const revoked = await zta(['revoke', ...flags, '--at', '1800000000', '--reason', 'laptop stolen']);
    const atRevocation = await revokedAt(table, 'alice');
    const lifted = await zta(['revoke', ...flags, '--undo', '--reason', 'laptop found']);

    // Assess
    expect(revoked.code).toBe(0);
    expect(JSON.parse(revoked.stdout)).toMatchObject({
      kind: 'subject',
      issuer: ISS,
      subject: 'alice',
      revokedAt: 1_800_000_000,
      reason: 'laptop stolen',
      revokedBy: expect.stringMatching(/^cli:/),
      outcome: 'revoked',
      table,
    });
    expect(atRevocation).toBe(1_800_000_000);
    expect(lifted.code).toBe(0);
    expect(JSON.parse(lifted.stdout)).toMatchObject({ outcome: 'unrevoked', reason: 'laptop found' });
    expect(await revokedAt(table, 'alice')).toBeUndefined();
    const history = await new DynamoRevocationWriter(db.client, table).history({
      kind: 'subject',
      issuer: ISS,
      subject: 'alice',
    });
    expect(history.map((h) => [h.action, h.reason, h.actor.startsWith('cli:')])).toEqual([
      ['revoke', 'laptop stolen', true],
      ['unrevoke', 'laptop found', true],
    ]);
    expect(revoked.stderr).toBe('');
  });

  it('takes the table and the issuers from config/<env>.json', async () => {
    const table = await db.createTable('revocations');
    writeFileSync(
      join(configDir, 'dev.json'),
      JSON.stringify({
        authorizer: {
          runtime: {
            issuers: [{ issuer: ISS, audience: 'zt-api', algorithms: ['ES256'], jwksFile: './j.json' }],
            revocations: { dynamodb: { tableName: table, endpoint: db.endpoint } },
          },
        },
      }),
    );
    const result = await zta(['revoke', '--env', 'dev', '--sub', 'bob']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ issuer: ISS, subject: 'bob', outcome: 'revoked' });
    expect(await revokedAt(table, 'bob')).toBeDefined();
  });

  it.each([
    {
      name: 'an environment with no config file',
      args: ['--env', 'nowhere', '--jti', 'j'],
      message: /unknown environment "nowhere" \(environments in .+: .*notable/,
    },
    {
      name: 'an environment naming no table',
      args: ['--env', 'notable', '--jti', 'j'],
      message: /no revocation table for environment notable \(pass --table <name>/,
    },
    {
      name: 'both --config and --env',
      args: ['--env', 'dev', '--config', 'x.json', '--jti', 'j'],
      message: /exactly one of --config/,
    },
    {
      name: 'a bad table name',
      args: ['--env', 'nowhere', '--table', 'a/b', '--jti', 'j'],
      message: /--tableName|table name/,
    },
    {
      name: '--sub without --iss and no issuers',
      args: ['--env', 'nowhere', '--table', 'tbl', '--sub', 'a'],
      message: /--sub needs --iss/,
    },
    {
      name: 'an unreachable table',
      args: [
        '--env',
        'nowhere',
        '--table',
        'missing-table',
        '--endpoint',
        'http://127.0.0.1:1',
        '--jti',
        'j',
      ],
      message: /./,
    },
  ])('exits 2 with one line on stderr for $name', async ({ args, message }) => {
    const result = await zta(['revoke', ...args]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
  });
});

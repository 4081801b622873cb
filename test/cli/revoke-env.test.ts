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
import { apiGatewayDouble } from '../support/aws/api-gateway.ts';
import { startProtocolServer } from '../support/aws/server.ts';
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
function zta(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [ZTA, ...args], {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: configDir,
        ZTA_CONFIG_DIR: configDir,
        AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
        AWS_REGION: TEST_REGION,
        ...env,
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

/** `--env staging` on a dynalite table, revoking `subject` of the one test issuer. */
const stagingFlags = (table: string, subject: string) => [
  '--env',
  'staging',
  '--table',
  table,
  '--endpoint',
  db.endpoint,
  '--sub',
  subject,
  '--iss',
  ISS,
];

describe('zta revoke --env', () => {
  it('revokes and lifts a subject in the table named by --table, with the audit trail', async () => {
    // Prepare
    const table = await db.createTable('revocations');
    const flags = stagingFlags(table, 'alice');

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
    // Without --flush-stage, one note on what the stages' caches still hold (below).
    expect(revoked.stderr.trim().split('\n')).toHaveLength(1);
    expect(lifted.stderr).toBe('');
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

/**
 * API Gateway answers from its authorizer cache until the cache is flushed or its TTL ends: a
 * revocation written to the table from a laptop must end those cached ALLOWs too, as the
 * revoker and the admin route do. The management API is a protocol double on 127.0.0.1 reached
 * through the SDK's own `AWS_ENDPOINT_URL_API_GATEWAY`.
 */
describe("zta revoke --env: the stages' authorizer caches", () => {
  const revokeIn = (table: string, subject: string, extra: string[]) => [
    'revoke',
    ...stagingFlags(table, subject),
    ...extra,
  ];

  it('flushes every stage of --flush-stage after recording, and says so in its answer', async () => {
    // Prepare
    const table = await db.createTable('revocations');
    const apigw = apiGatewayDouble();
    const server = await startProtocolServer([apigw.handler]);
    try {
      // Act
      const result = await zta(
        // Comma-separated, as the stack output ProtectedStages lists them.
        revokeIn(table, 'alice', ['--flush-stage', 'a1b2c3d4e5/prod,f6g7h8i9j0/prod']),
        { AWS_ENDPOINT_URL_API_GATEWAY: server.endpoint },
      );

      // Assess
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toBe('');
      expect(apigw.flushed.sort()).toEqual(['a1b2c3d4e5/prod', 'f6g7h8i9j0/prod']);
      expect(JSON.parse(result.stdout)).toMatchObject({
        outcome: 'revoked',
        cacheFlushes: [
          { stage: 'a1b2c3d4e5/prod', ok: true },
          { stage: 'f6g7h8i9j0/prod', ok: true },
        ],
      });
      expect(await revokedAt(table, 'alice')).toBeTypeOf('number');
    } finally {
      await server.close();
    }
  });

  it('flushes with --undo too, so a cached 403 does not outlast the lifted revocation', async () => {
    const table = await db.createTable('revocations');
    const apigw = apiGatewayDouble();
    const server = await startProtocolServer([apigw.handler]);
    const env = { AWS_ENDPOINT_URL_API_GATEWAY: server.endpoint };
    try {
      expect((await zta(revokeIn(table, 'dave', []))).code).toBe(0);

      const lifted = await zta(revokeIn(table, 'dave', ['--undo', '--flush-stage', 'a1b2c3d4e5/prod']), env);

      expect(lifted.code, lifted.stderr).toBe(0);
      expect(lifted.stderr).toBe('');
      expect(JSON.parse(lifted.stdout)).toMatchObject({
        outcome: 'unrevoked',
        cacheFlushes: [{ stage: 'a1b2c3d4e5/prod', ok: true }],
      });
      expect(apigw.flushed).toEqual(['a1b2c3d4e5/prod']);
      expect(await revokedAt(table, 'dave')).toBeUndefined();
    } finally {
      await server.close();
    }
  });

  it('keeps the revocation but exits 2 naming the stage when a flush fails', async () => {
    const table = await db.createTable('revocations');
    const apigw = apiGatewayDouble({ failing: new Set(['f6g7h8i9j0/prod']) });
    const server = await startProtocolServer([apigw.handler]);
    try {
      const result = await zta(
        revokeIn(table, 'bob', ['--flush-stage', 'a1b2c3d4e5/prod', '--flush-stage', 'f6g7h8i9j0/prod']),
        { AWS_ENDPOINT_URL_API_GATEWAY: server.endpoint },
      );

      expect(result.code).toBe(2);
      expect(result.stderr.trim().split('\n')).toEqual([
        expect.stringMatching(
          /^zta revoke: .*f6g7h8i9j0\/prod.*NotFoundException.*run the same command again/,
        ),
      ]);
      expect(apigw.flushed).toEqual(['a1b2c3d4e5/prod']);
      expect(await revokedAt(table, 'bob')).toBeTypeOf('number');
    } finally {
      await server.close();
    }
  });

  it('without --flush-stage, records and says on stderr how long cached answers may last', async () => {
    const table = await db.createTable('revocations');

    const result = await zta(revokeIn(table, 'carol', []));

    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ outcome: 'revoked', cacheFlushes: [] });
    expect(result.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^zta revoke: note: .*authorizer cache.*--flush-stage <restApiId>\/<stage>.*ProtectedStages/,
      ),
    ]);
  });

  it.each([
    {
      args: ['--config', 'c.json', '--sub', 'x', '--flush-stage', 'a1b2c3d4e5/prod'],
      says: /--flush-stage .*--env/,
    },
    {
      args: [
        '--env',
        'staging',
        '--table',
        'zta-revocations',
        '--sub',
        'x',
        '--iss',
        ISS,
        '--flush-stage',
        'prod',
      ],
      says: /restApiId\/stageName/,
    },
  ])('refuses --flush-stage where it cannot apply: $args', async ({ args, says }) => {
    const result = await zta(['revoke', ...args]);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(says);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});

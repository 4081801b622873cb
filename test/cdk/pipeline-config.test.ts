import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CONFIG_DIR,
  type EnvironmentConfig,
  loadEnvironmentConfig,
  parseEnvironmentConfig,
} from '../../lib/config.ts';

// The deployment config of issue 5: the revocation table, the bus archive, the spike detector's
// threshold and window, the deny-rate alarm. Same rules as the rest: key path and value named.

// biome-ignore lint/suspicious/noExplicitAny: the tests mutate arbitrary nested config JSON.
type Raw = Record<string, any>;
const devRaw = (): Raw => JSON.parse(readFileSync(join(CONFIG_DIR, 'dev.json'), 'utf8'));
const parse = (raw: Raw): EnvironmentConfig =>
  parseEnvironmentConfig(raw, { name: 'dev', baseDir: CONFIG_DIR });

describe('environment config files: the decision pipeline', () => {
  it.each([
    // env,      table,                      archive, threshold, window, deny %, min decisions
    ['dev', 'zta-dev-revocations', 7, 5, 60, 50, 20],
    ['staging', 'zta-staging-revocations', 30, 5, 300, 30, 50],
    ['prod', 'zta-prod-revocations', 365, 10, 300, 20, 200],
  ] as const)(
    '%s: table %s, archive %s days, %s denials in %s s, deny rate %s%% of at least %s',
    (name, tableName, archive, denyThreshold, windowSeconds, percent, minDecisions) => {
      expect(loadEnvironmentConfig(name)).toMatchObject({
        authorizer: { runtime: { revocations: { dynamodb: { tableName } } } },
        decisionEvents: { archiveRetentionDays: archive },
        autoRevocation: { denyThreshold, windowSeconds },
        alarms: { denyRatePercent: percent, denyRateMinDecisions: minDecisions },
      });
    },
  );

  it('keeps the optional cache settings of the table', () => {
    const raw = devRaw();
    raw.authorizer.runtime.revocations.dynamodb.cacheSeconds = 2;
    raw.authorizer.runtime.revocations.dynamodb.maxCacheEntries = 500;
    expect(parse(raw).authorizer.runtime.revocations).toEqual({
      dynamodb: { tableName: 'zta-dev-revocations', cacheSeconds: 2, maxCacheEntries: 500 },
    });
  });
});

describe('parseEnvironmentConfig refuses, in the pipeline sections', () => {
  it.each<[string, (raw: Raw) => void, RegExp]>([
    [
      'no revocation store',
      (r) => (r.authorizer.runtime.revocations = null),
      /^authorizer\.runtime\.revocations: the stack deploys the DynamoDB revocation table: expected .*got null$/,
    ],
    [
      'a region (the deployed table lives in the stack’s region)',
      (r) => (r.authorizer.runtime.revocations.dynamodb.region = 'us-east-1'),
      /^authorizer\.runtime\.revocations\.dynamodb\.region: unknown key \(expected one of: tableName, cacheSeconds, maxCacheEntries\)$/,
    ],
    [
      'a local endpoint',
      (r) => (r.authorizer.runtime.revocations.dynamodb.endpoint = 'http://127.0.0.1:8000'),
      /^authorizer\.runtime\.revocations\.dynamodb\.endpoint: unknown key/,
    ],
    [
      'a file next to the table',
      (r) => (r.authorizer.runtime.revocations.file = './revocations.json'),
      /^authorizer\.runtime\.revocations\.file: unknown key \(expected one of: dynamodb\)$/,
    ],
    [
      'a table name DynamoDB refuses (runtime parser)',
      (r) => (r.authorizer.runtime.revocations.dynamodb.tableName = 'no spaces'),
      /^authorizer\.runtime\.revocations\.dynamodb\.tableName: expected a DynamoDB table name .*got "no spaces"$/,
    ],
    [
      'a revocation cache over a minute (runtime parser)',
      (r) => (r.authorizer.runtime.revocations.dynamodb.cacheSeconds = 120),
      /^authorizer\.runtime\.revocations\.dynamodb\.cacheSeconds: .*120/,
    ],
    ['a missing decisionEvents section', (r) => delete r.decisionEvents, /^decisionEvents: is required$/],
    [
      'an archive kept zero days (0 would mean forever)',
      (r) => (r.decisionEvents.archiveRetentionDays = 0),
      /^decisionEvents\.archiveRetentionDays: expected an integer from 1 to 3650, got 0$/,
    ],
    ['a missing autoRevocation section', (r) => delete r.autoRevocation, /^autoRevocation: is required$/],
    [
      'a zero threshold',
      (r) => (r.autoRevocation.denyThreshold = 0),
      /^autoRevocation\.denyThreshold: expected an integer from 1 to 10000, got 0$/,
    ],
    [
      'a window over a day',
      (r) => (r.autoRevocation.windowSeconds = 86_401),
      /^autoRevocation\.windowSeconds: expected an integer from 1 to 86400, got 86401$/,
    ],
    [
      'a missing window',
      (r) => delete r.autoRevocation.windowSeconds,
      /^autoRevocation\.windowSeconds: is required$/,
    ],
    [
      'a misspelt key',
      (r) => (r.autoRevocation.denyTreshold = 3),
      /^autoRevocation\.denyTreshold: unknown key \(expected one of: denyThreshold, windowSeconds\)$/,
    ],
    [
      'a deny rate over 100 %',
      (r) => (r.alarms.denyRatePercent = 150),
      /^alarms\.denyRatePercent: expected an integer from 1 to 100, got 150$/,
    ],
    [
      'a deny rate counted on no decisions',
      (r) => (r.alarms.denyRateMinDecisions = 0),
      /^alarms\.denyRateMinDecisions: expected an integer from 1 to 1000000, got 0$/,
    ],
  ])('%s', (_name, mutate, message) => {
    const raw = devRaw();
    mutate(raw);
    expect(() => parse(raw)).toThrow(message);
  });
});

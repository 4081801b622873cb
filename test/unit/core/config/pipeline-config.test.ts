import { describe, expect, it } from 'vitest';
import { parseAuthorizerConfig } from '../../../../functions/core/config/authorizer-config.ts';
import { ConfigError } from '../../../../functions/core/config/reader.ts';

const OPTIONS = { baseDir: '/etc/zta', defaultPoliciesDir: '/opt/zta/policies' };
const ISSUER = {
  issuer: 'https://idp.example.test',
  audience: 'zt-api',
  jwksFile: './jwks.json',
  algorithms: ['ES256'],
};
const config = (over: Record<string, unknown>) => ({
  issuers: [ISSUER],
  revocations: { file: './r.json' },
  ...over,
});
const table = (dynamodb: Record<string, unknown>) => config({ revocations: { dynamodb } });

function refusal(raw: unknown): ConfigError {
  try {
    parseAuthorizerConfig(raw, OPTIONS);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('the config was accepted');
}

describe('revocations: the DynamoDB form', () => {
  it('fills the documented defaults', () => {
    expect(parseAuthorizerConfig(table({ tableName: 'zta-dev-revocations' }), OPTIONS).revocations).toEqual({
      kind: 'dynamodb',
      tableName: 'zta-dev-revocations',
      region: undefined,
      endpoint: undefined,
      cacheSeconds: 5,
      maxCacheEntries: 10_000,
    });
  });

  it('accepts a region, a loopback endpoint and cache settings', () => {
    const parsed = parseAuthorizerConfig(
      table({
        tableName: 't.1_x',
        region: 'eu-west-1',
        endpoint: 'http://127.0.0.1:8000',
        cacheSeconds: 0,
        maxCacheEntries: 1,
      }),
      OPTIONS,
    );
    expect(parsed.revocations).toMatchObject({
      region: 'eu-west-1',
      endpoint: 'http://127.0.0.1:8000',
      cacheSeconds: 0,
    });
  });

  it.each([
    { name: 'no table name', raw: table({}), path: 'revocations.dynamodb.tableName' },
    {
      name: 'a table name with a slash',
      raw: table({ tableName: 'a/b' }),
      path: 'revocations.dynamodb.tableName',
    },
    { name: 'a short table name', raw: table({ tableName: 'ab' }), path: 'revocations.dynamodb.tableName' },
    {
      name: 'a made-up region',
      raw: table({ tableName: 'tbl', region: 'mars' }),
      path: 'revocations.dynamodb.region',
    },
    {
      name: 'a remote http endpoint',
      raw: table({ tableName: 'tbl', endpoint: 'http://db.example' }),
      path: 'revocations.dynamodb.endpoint',
    },
    {
      name: 'a cache of minutes',
      raw: table({ tableName: 'tbl', cacheSeconds: 600 }),
      path: 'revocations.dynamodb.cacheSeconds',
    },
    {
      name: 'a fractional cache',
      raw: table({ tableName: 'tbl', cacheSeconds: 1.5 }),
      path: 'revocations.dynamodb.cacheSeconds',
    },
    {
      name: 'no cache bound',
      raw: table({ tableName: 'tbl', maxCacheEntries: 0 }),
      path: 'revocations.dynamodb.maxCacheEntries',
    },
    { name: 'an unknown key', raw: table({ tableName: 'tbl', ttl: 1 }), path: 'revocations.dynamodb.ttl' },
    {
      name: 'file and dynamodb both',
      raw: config({ revocations: { file: 'r', dynamodb: { tableName: 'tbl' } } }),
      path: 'revocations.dynamodb',
    },
  ])('refuses $name, naming $path', ({ raw, path }) => {
    expect(refusal(raw).path).toBe(path);
  });
});

describe('autoRevocation', () => {
  it('is off unless configured', () => {
    expect(parseAuthorizerConfig(config({}), OPTIONS).autoRevocation).toBeUndefined();
  });

  it('reads the threshold and window', () => {
    const parsed = parseAuthorizerConfig(
      config({ autoRevocation: { denyThreshold: 5, windowSeconds: 60 } }),
      OPTIONS,
    );
    expect(parsed.autoRevocation).toEqual({ denyThreshold: 5, windowSeconds: 60 });
    expect(Object.isFrozen(parsed.autoRevocation)).toBe(true);
  });

  it.each([
    { name: 'no threshold', raw: { windowSeconds: 60 }, path: 'autoRevocation.denyThreshold' },
    { name: 'no window', raw: { denyThreshold: 5 }, path: 'autoRevocation.windowSeconds' },
    {
      name: 'a zero threshold',
      raw: { denyThreshold: 0, windowSeconds: 60 },
      path: 'autoRevocation.denyThreshold',
    },
    {
      name: 'a string threshold',
      raw: { denyThreshold: '5', windowSeconds: 60 },
      path: 'autoRevocation.denyThreshold',
    },
    {
      name: 'a window over a day',
      raw: { denyThreshold: 5, windowSeconds: 86_401 },
      path: 'autoRevocation.windowSeconds',
    },
    {
      name: 'an unknown key',
      raw: { denyThreshold: 5, windowSeconds: 60, notify: true },
      path: 'autoRevocation.notify',
    },
    { name: 'not an object', raw: true, path: 'autoRevocation' },
  ])('refuses $name, naming $path', ({ raw, path }) => {
    expect(refusal(config({ autoRevocation: raw })).path).toBe(path);
  });

  it('refuses auto-revocation without a store to revoke in', () => {
    const error = refusal(
      config({ revocations: null, autoRevocation: { denyThreshold: 5, windowSeconds: 60 } }),
    );
    expect(error.message).toBe(
      'autoRevocation: needs a revocation store to write to ("revocations" is null)',
    );
  });
});

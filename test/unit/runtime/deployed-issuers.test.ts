import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type AuthorizerConfig,
  parseAuthorizerConfig,
} from '../../../functions/core/config/authorizer-config.ts';
import { ConfigError } from '../../../functions/core/config/reader.ts';
import { withDeployedIssuers } from '../../../functions/runtime/deployed-issuers.ts';

const POLICIES = join(import.meta.dirname, '../../../policies');
const PACKAGED = 'https://idp.example.test';
const SUITE = {
  issuer: 'https://tokens.staging.zta.example.test',
  audience: ['zt-api'],
  algorithms: ['ES256'],
  jwksUri: 'https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/staging/.well-known/jwks.json',
  jwksCache: { maxAgeSeconds: 600 },
  maxLifetimeSeconds: 900,
};

function packagedConfig(): AuthorizerConfig {
  return parseAuthorizerConfig(
    {
      issuers: [
        {
          issuer: PACKAGED,
          audience: 'zt-api',
          algorithms: ['RS256'],
          jwksUri: 'https://idp.example.test/jwks',
        },
      ],
      revocations: null,
    },
    { baseDir: '/', defaultPoliciesDir: POLICIES },
  );
}

function refusal(json: string): { path: string; message: string } {
  try {
    withDeployedIssuers(packagedConfig(), json);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return { path: (error as ConfigError).path, message: (error as ConfigError).message };
  }
  throw new Error('nothing was refused');
}

describe('withDeployedIssuers (ZTA_DEPLOYED_ISSUERS)', () => {
  it.each([undefined, '', '  ', '[]'])('leaves the config as packaged for %j', (value) => {
    const config = packagedConfig();
    expect(withDeployedIssuers(config, value)).toBe(config);
  });

  it('adds the deployed issuers after the packaged ones, parsed like the config file', () => {
    const config = withDeployedIssuers(packagedConfig(), JSON.stringify([SUITE]));
    expect(config.issuers.map((i) => i.issuer)).toEqual([PACKAGED, SUITE.issuer]);
    expect(config.issuers[1]).toMatchObject({
      audiences: ['zt-api'],
      algorithms: ['ES256'],
      jwks: { kind: 'uri', uri: SUITE.jwksUri, maxAgeSeconds: 600 },
      maxLifetimeSeconds: 900,
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.issuers)).toBe(true);
  });

  it.each([
    ['not JSON', '{', /^ZTA_DEPLOYED_ISSUERS$/, /not valid JSON/],
    ['not an array', '{"issuer":"x"}', /^ZTA_DEPLOYED_ISSUERS$/, /expected a JSON array of issuers/],
    [
      'a packaged file',
      JSON.stringify([{ ...SUITE, jwksUri: undefined, jwksFile: './jwks.json' }]),
      /^ZTA_DEPLOYED_ISSUERS\[0\]\.jwksFile$/,
      /use jwksUri/,
    ],
    [
      'a plain-HTTP JWKS',
      JSON.stringify([{ ...SUITE, jwksUri: 'http://tokens.example.test/jwks.json' }]),
      /^ZTA_DEPLOYED_ISSUERS\[0\]\.jwksUri$/,
      /./,
    ],
    [
      'a symmetric algorithm',
      JSON.stringify([{ ...SUITE, algorithms: ['HS256'] }]),
      /^ZTA_DEPLOYED_ISSUERS\[0\]\.algorithms\[0\]$/,
      /not allowed/,
    ],
    [
      'an issuer also packaged',
      JSON.stringify([SUITE, { ...SUITE, issuer: PACKAGED }]),
      /^ZTA_DEPLOYED_ISSUERS\[1\]\.issuer$/,
      /also in the packaged config/,
    ],
  ])('refuses %s, naming the variable and the key', (_case, json, path, message) => {
    const { path: got, message: text } = refusal(json);
    expect(got).toMatch(path);
    expect(text).toMatch(message);
  });
});

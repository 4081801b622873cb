import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CONFIG_DIR,
  type EnvironmentConfig,
  loadEnvironmentConfig,
  parseEnvironmentConfig,
} from '../../lib/config.ts';

// `tokenService` in config/<env>.json: read through the token handlers' own parser, with the
// deployment's own refusals on top.

// biome-ignore lint/suspicious/noExplicitAny: the tests mutate arbitrary nested config JSON.
type Raw = Record<string, any>;
const raw = (env: string): Raw => JSON.parse(readFileSync(join(CONFIG_DIR, `${env}.json`), 'utf8'));
const parse = (env: string, config: Raw): EnvironmentConfig =>
  parseEnvironmentConfig(config, { name: env, baseDir: CONFIG_DIR });

describe('tokenService in the environment files', () => {
  it.each([
    // env, check minutes, trusted by the authorizer
    ['dev', 15, false],
    ['staging', 30, true],
    ['prod', 60, true],
  ] as const)('%s: runs the rotator every %s minutes; authorizer trust %s', (env, minutes, trusted) => {
    const { tokenService } = loadEnvironmentConfig(env);
    expect(tokenService).toMatchObject({
      issuer: `https://tokens.${env}.zta.example.test`,
      maxTtlSeconds: 900,
      clockToleranceSeconds: 30,
      rotationCheckMinutes: minutes,
    });
    expect(tokenService.workloadRoleArns).toEqual([expect.stringMatching(`:role/zta-${env}-orders$`)]);
    expect(tokenService.authorizerTrust === null).toBe(!trusted);
    expect(Object.isFrozen(tokenService.runtime)).toBe(true);
  });
});

describe('tokenService refuses', () => {
  it.each([
    ['dev', 'a missing section', (r: Raw) => delete r.tokenService, /^tokenService: is required$/],
    [
      'dev',
      'an unknown member',
      (r: Raw) => (r.tokenService.rotationSchedule = 'rate(1 hour)'),
      /^tokenService\.rotationSchedule: unknown key/,
    ],
    [
      'dev',
      'the environment, which the deployment sets',
      (r: Raw) => (r.tokenService.runtime.environment = 'dev'),
      /^tokenService\.runtime\.environment: is set by the deployment/,
    ],
    [
      'dev',
      'the alias, which the deployment sets',
      (r: Raw) => (r.tokenService.runtime.signing.keyAlias = 'alias/mine'),
      /^tokenService\.runtime\.signing\.keyAlias: is set by the deployment \(alias\/zta-token-<environment>\)/,
    ],
    [
      'dev',
      'the key policy, which names the stack roles',
      (r: Raw) => (r.tokenService.runtime.signing.keyPolicy = null),
      /^tokenService\.runtime\.signing\.keyPolicy: is set by the deployment/,
    ],
    [
      'dev',
      'the rotation id, which the deployment sets',
      (r: Raw) => (r.tokenService.runtime.rotation.id = 'mine'),
      /^tokenService\.runtime\.rotation\.id: is set by the deployment/,
    ],
    [
      'dev',
      'a workload that is not a role',
      (r: Raw) => (r.tokenService.runtime.workloads[0].roleArn = 'arn:aws:iam::111111111111:user/bob'),
      /^tokenService\.runtime\.workloads\[0\]\.roleArn: expected an IAM role ARN, got "arn:aws:iam::111111111111:user\/bob"$/,
    ],
    [
      'dev',
      'tokens living longer than 15 minutes',
      (r: Raw) => (r.tokenService.runtime.tokens.maxTtlSeconds = 3600),
      /^tokenService\.runtime\.tokens\.maxTtlSeconds: /,
    ],
    [
      'dev',
      'a JWKS cached as long as the propagation delay',
      (r: Raw) => (r.tokenService.runtime.jwks.maxAgeSeconds = 900),
      /^tokenService\.runtime\.rotation\.propagationDelaySeconds: must exceed jwks\.maxAgeSeconds/,
    ],
    [
      'dev',
      'a schedule slower than the propagation delay',
      (r: Raw) => (r.tokenService.rotationCheckMinutes = 16),
      /^tokenService\.rotationCheckMinutes: expected an integer from 1 to 15, got 16$/,
    ],
    [
      'dev',
      'missing throttling',
      (r: Raw) => delete r.tokenService.throttling,
      /^tokenService\.throttling: is required$/,
    ],
    [
      'dev',
      'an authorizer trust the isolated network cannot serve',
      (r: Raw) => (r.tokenService.authorizerTrust = { audience: ['zt-api'], jwksCacheSeconds: 600 }),
      /^tokenService\.authorizerTrust: the authorizer cannot fetch the JWKS: a REGIONAL token API/,
    ],
    [
      'staging',
      'a missing authorizerTrust (null turns it off)',
      (r: Raw) => delete r.tokenService.authorizerTrust,
      /^tokenService\.authorizerTrust: is required/,
    ],
    [
      'staging',
      'an authorizer JWKS cache as long as the propagation delay',
      (r: Raw) => (r.tokenService.authorizerTrust.jwksCacheSeconds = 3600),
      /^tokenService\.authorizerTrust\.jwksCacheSeconds: expected an integer from 1 to 3599, got 3600$/,
    ],
    [
      'staging',
      'the suite issuer trusted twice',
      (r: Raw) => (r.tokenService.runtime.issuer = 'https://idp.example.test'),
      /^tokenService\.authorizerTrust: the issuer "https:\/\/idp\.example\.test" is already in authorizer\.runtime\.issuers/,
    ],
  ])('%s: %s', (env, _case, mutate, message) => {
    const config = raw(env);
    mutate(config);
    expect(() => parse(env, config)).toThrow(message);
  });

  it('allows the trust over NAT for a REGIONAL API', () => {
    const config = raw('dev');
    config.network.natGateways = 1;
    config.tokenService.authorizerTrust = { audience: ['zt-api'], jwksCacheSeconds: 600 };
    expect(parse('dev', config).tokenService.authorizerTrust).toEqual({
      audience: ['zt-api'],
      jwksCacheSeconds: 600,
    });
  });
});

import { Duration, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { afterAll, describe, expect, it } from 'vitest';
import { loadEnvironmentConfig } from '../../lib/config.ts';
import { WorkloadTokens, type WorkloadTokensProps } from '../../lib/workload-tokens.ts';
import { ZeroTrustNetwork } from '../../lib/zero-trust-network.ts';
import { ZeroTrustStack } from '../../lib/zero-trust-stack.ts';
import { fastApp, removeOutdirs } from './helpers.ts';

// The constructs' own refusals: what a caller outside the environment files can get wrong.
afterAll(removeOutdirs);

const dev = loadEnvironmentConfig('dev');
const staging = loadEnvironmentConfig('staging');

function tokens(overrides: Partial<WorkloadTokensProps> = {}): WorkloadTokens {
  const stack = new Stack(fastApp(), 'Tokens');
  const encryptionKey = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const network = new ZeroTrustNetwork(stack, 'Network', { cidr: '10.0.0.0/16', encryptionKey });
  return new WorkloadTokens(stack, 'WorkloadTokens', {
    settings: dev.tokenService.runtime,
    environment: 'dev',
    network,
    encryptionKey,
    ...overrides,
  });
}

describe('WorkloadTokens', () => {
  it('defaults the alias and rotation id from the environment, and reads the settings with defaults applied', () => {
    const construct = tokens();
    expect(construct).toMatchObject({ keyAlias: 'alias/zta-token-dev', rotationId: 'zta-token-dev' });
    expect(construct.config.tokens).toEqual({ maxTtlSeconds: 900, clockToleranceSeconds: 30 });
  });

  it('refuses settings the deployment owns, naming the construct and the key', () => {
    const settings = { ...dev.tokenService.runtime, environment: 'prod' };
    expect(() => tokens({ settings })).toThrow(
      /^Tokens\/WorkloadTokens: settings\.environment: is set by the deployment/,
    );
  });

  it('refuses a config that would not fit in a Lambda environment', () => {
    const workloads = Array.from({ length: 40 }, (_, i) => ({
      roleArn: `arn:aws:iam::111111111111:role/zta-dev-service-${i}`,
      service: `service-${i}`,
      audiences: ['zt-api'],
    }));
    expect(() => tokens({ settings: { ...dev.tokenService.runtime, workloads } })).toThrow(
      /the token service config may reach \d+ bytes, over the 3500 that fit in a Lambda environment/,
    );
  });

  it('refuses an authorizer JWKS cache as long as the propagation delay', () => {
    expect(() => tokens().trustedIssuer({ audience: ['zt-api'], jwksCache: Duration.minutes(15) })).toThrow(
      /jwksCache must be shorter than the propagation delay \(900 s\), got 900 s/,
    );
  });

  it('refuses to be trusted from isolated subnets through a REGIONAL API', () => {
    const stack = new ZeroTrustStack(fastApp(), 'ZeroTrust-dev', { config: dev });
    expect(() => stack.tokens.trustedBy(stack.authorizer, { audience: ['zt-api'] })).toThrow(
      /cannot reach a REGIONAL token API from isolated subnets/,
    );
  });
});

describe('ZeroTrustAuthorizer.trustIssuer', () => {
  const stack = new ZeroTrustStack(fastApp(), 'ZeroTrust-staging', { config: staging });
  const suite = stack.tokens.trustedIssuer({ audience: ['zt-api'] });

  it.each([
    ['the suite issuer a second time', suite, /issuers\[2\]\.issuer: issuer .* is configured twice/],
    ['a packaged issuer', { ...suite, issuer: 'https://idp.example.test' }, /is configured twice/],
    [
      'an issuer without a jwksUri',
      { ...suite, jwksUri: undefined, jwksFile: './jwks/example-idp.json' },
      /needs a jwksUri and no jwksFile/,
    ],
    [
      'a symmetric algorithm',
      { ...suite, issuer: 'https://other.example.test', algorithms: ['HS256'] },
      /not allowed/,
    ],
  ])('refuses %s at synth time', (_case, issuer, message) => {
    expect(() => stack.authorizer.trustIssuer(issuer)).toThrow(message);
  });
});

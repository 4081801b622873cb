import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../functions/core/config/reader.ts';
import { parseTokenServiceConfig, rotationTimingOf } from '../../functions/workload-keys/config.ts';
import { ACCOUNT, rawTokenConfig } from '../support/token-service.ts';

const base = rawTokenConfig();
const section = (name: string, value: Record<string, unknown>) => ({
  [name]: { ...(base[name] as object), ...value },
});
const workload = (value: Record<string, unknown>) => ({
  workloads: [{ roleArn: `arn:aws:iam::${ACCOUNT}:role/a`, service: 'a', audiences: ['x'], ...value }],
});

describe('parseTokenServiceConfig', () => {
  it('parses a full config into frozen, typed values with SPIFFE ids', () => {
    // Act
    const config = parseTokenServiceConfig(base);

    // Assess
    expect(config.workloads.map((w) => [w.roleName, w.spiffeId, w.audiences])).toEqual([
      ['orders-service', 'spiffe://example.test/dev/orders', ['zt-api', 'payments']],
      ['billing', 'spiffe://example.test/dev/billing', ['zt-api']],
    ]);
    expect(config.rotation.id).toBe('zta-token-dev');
    expect(rotationTimingOf(config)).toEqual({
      rotationPeriodSeconds: 2_592_000,
      propagationDelaySeconds: 3600,
      maxTokenTtlSeconds: 900,
      clockToleranceSeconds: 30,
      signerCacheSeconds: 60,
    });
    expect(Object.isFrozen(config.workloads[0])).toBe(true);
  });

  it('fills safe defaults for every optional section', () => {
    const { tokens: _t, rotation: _r, jwks: _j, ...required } = base;
    const config = parseTokenServiceConfig(required);
    expect([
      config.tokens.maxTtlSeconds,
      config.jwks.maxAgeSeconds,
      config.rotation.propagationDelaySeconds,
    ]).toEqual([900, 300, 3600]);
  });

  it.each([
    ['an unknown top-level key', { extra: 1 }, 'extra'],
    ['an http issuer', { issuer: 'http://tokens.example.test' }, 'issuer'],
    ['a trust domain with upper case', { trustDomain: 'Example.test' }, 'trustDomain'],
    ['an environment with a slash', { environment: 'dev/x' }, 'environment'],
    ['a lifetime over the 15-minute cap', section('tokens', { maxTtlSeconds: 901 }), 'tokens.maxTtlSeconds'],
    ['workloads not an array', { workloads: {} }, 'workloads'],
    [
      'a user ARN as a workload role',
      workload({ roleArn: `arn:aws:iam::${ACCOUNT}:user/alice` }),
      'workloads[0].roleArn',
    ],
    [
      'an assumed-role ARN as a workload role',
      workload({ roleArn: `arn:aws:sts::${ACCOUNT}:assumed-role/a/s` }),
      'workloads[0].roleArn',
    ],
    ['a service name with upper case', workload({ service: 'Orders' }), 'workloads[0].service'],
    ['a workload without audiences', workload({ audiences: [] }), 'workloads[0].audiences'],
    ['an unknown workload key', workload({ roles: ['admin'] }), 'workloads[0].roles'],
    [
      'the same role twice (paths differ)',
      {
        workloads: [
          { roleArn: `arn:aws:iam::${ACCOUNT}:role/a`, service: 'a', audiences: ['x'] },
          { roleArn: `arn:aws:iam::${ACCOUNT}:role/team/a`, service: 'b', audiences: ['x'] },
        ],
      },
      'workloads[1].roleArn',
    ],
    ['no signing section', { signing: undefined }, 'signing'],
    ['an alias without the alias/ prefix', section('signing', { keyAlias: 'zta-token' }), 'signing.keyAlias'],
    ['an AWS-reserved alias', section('signing', { keyAlias: 'alias/aws/zta' }), 'signing.keyAlias'],
    ['no key policy decision', { signing: { keyAlias: 'alias/zta' } }, 'signing.keyPolicy'],
    [
      'a signer that is not a role',
      section('signing', {
        keyPolicy: { signerRoleArns: ['*'], rotatorRoleArn: `arn:aws:iam::${ACCOUNT}:role/r` },
      }),
      'signing.keyPolicy.signerRoleArns[0]',
    ],
    [
      'a propagation delay a JWKS cache outlives',
      section('jwks', { maxAgeSeconds: 3600 }),
      'rotation.propagationDelaySeconds',
    ],
    [
      'a rotation period shorter than delay + grace',
      section('rotation', { rotationPeriodSeconds: 4000 }),
      'rotation.rotationPeriodSeconds',
    ],
    [
      'a pending window under 7 days',
      section('rotation', { pendingWindowDays: 6 }),
      'rotation.pendingWindowDays',
    ],
    ['a rotation id with a slash', section('rotation', { id: 'a/b' }), 'rotation.id'],
  ])('refuses %s, naming %s', (_name, overrides, path) => {
    const raw: Record<string, unknown> = { ...base, ...overrides };
    for (const [k, v] of Object.entries(raw)) if (v === undefined) delete raw[k];
    let error: unknown;
    try {
      parseTokenServiceConfig(raw);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).path).toBe(path);
  });

  it('accepts keyPolicy null as the visible choice of the KMS default policy', () => {
    const config = parseTokenServiceConfig({ ...base, ...section('signing', { keyPolicy: null }) });
    expect(config.signing.keyPolicy).toBeNull();
  });
});

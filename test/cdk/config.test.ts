import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CONFIG_DIR,
  type EnvironmentConfig,
  listEnvironments,
  loadEnvironmentConfig,
  parseEnvironmentConfig,
} from '../../lib/config.ts';

// biome-ignore lint/suspicious/noExplicitAny: the tests mutate arbitrary nested config JSON.
type Raw = Record<string, any>;
const devRaw = (): Raw => JSON.parse(readFileSync(join(CONFIG_DIR, 'dev.json'), 'utf8'));
const parse = (raw: Raw): EnvironmentConfig =>
  parseEnvironmentConfig(raw, { name: 'dev', baseDir: CONFIG_DIR });

describe('environment config files', () => {
  it('has exactly dev, staging and prod', () => {
    expect(listEnvironments()).toEqual(['dev', 'prod', 'staging']);
  });

  // The differences that matter between environments, as the issue lists them.
  it.each([
    // env,      cacheTtl, retention, nat, endpoint,   removal,   reserved, p99 alarm ms
    ['dev', 0, 14, 0, 'REGIONAL', 'destroy', null, 2000],
    ['staging', 60, 30, 0, 'PRIVATE', 'destroy', null, 1000],
    ['prod', 120, 365, 2, 'PRIVATE', 'retain', 200, 500],
  ] as const)(
    '%s: cache %ss, logs %s days, %s NAT, %s API, %s, reserved %s, p99 alarm %s ms',
    (name, ttl, retention, nat, endpoint, removal, reserved, p99) => {
      const config = loadEnvironmentConfig(name);
      expect(config).toMatchObject({
        name,
        removalPolicy: removal,
        network: { vpcCidr: '10.0.0.0/16', natGateways: nat },
        logs: { retentionDays: retention },
        api: { endpointType: endpoint },
        authorizer: { cacheTtlSeconds: ttl },
        reservedConcurrency: { authorizer: reserved },
        alarms: { latencyP99Ms: p99 },
      });
      expect(Object.isFrozen(config.authorizer.runtime)).toBe(true);
    },
  );
});

describe('loadEnvironmentConfig refuses', () => {
  it.each([
    [undefined, /^env: is required: pass -c env=<dev\|prod\|staging>$/],
    ['qa', /^env: unknown environment "qa": pass -c env=<dev\|prod\|staging>$/],
    ['../dev', /^env: unknown environment "..\/dev"/],
  ])('env %j', (name, message) => {
    expect(() => loadEnvironmentConfig(name)).toThrow(message);
  });

  it('names the file and the key path of a bad value', () => {
    const dir = mkdtempSync(join(tmpdir(), 'zta-config-'));
    try {
      const raw = devRaw();
      raw.authorizer.cacheTtlSeconds = 7200;
      raw.authorizer.runtime.issuers[0].jwksFile = join(CONFIG_DIR, 'jwks', 'example-idp.json');
      raw.authorizer.runtime.policies = join(CONFIG_DIR, '..', 'policies');
      writeFileSync(join(dir, 'qa.json'), JSON.stringify(raw));
      writeFileSync(join(dir, 'broken.json'), '{ "removalPolicy": ');
      expect(() => loadEnvironmentConfig('qa', dir)).toThrow(
        /qa\.json: authorizer\.cacheTtlSeconds: expected an integer from 0 to 3600, got 7200$/,
      );
      expect(() => loadEnvironmentConfig('broken', dir)).toThrow(/broken\.json: not valid JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('parseEnvironmentConfig refuses, naming the key path and showing the value', () => {
  it.each<[string, (raw: Raw) => void, RegExp]>([
    [
      'an unknown top-level key',
      (r) => (r.alarm = {}),
      /^alarm: unknown key \(expected one of: removalPolicy, apiGatewayAccountRole, reservedConcurrency, network/,
    ],
    ['a missing section', (r) => delete r.alarms, /^alarms: is required$/],
    ['a missing nested key', (r) => delete r.network.maxAzs, /^network\.maxAzs: is required$/],
    [
      'a bad removal policy',
      (r) => (r.removalPolicy = 'delete'),
      /^removalPolicy: expected one of "destroy", "retain", got "delete"$/,
    ],
    [
      'a non-literal CIDR',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: this is what a CDK token looks like.
      (r) => (r.network.vpcCidr = '${Token[TOKEN.123]}'),
      /^network\.vpcCidr: expected an IPv4 CIDR from \/16 to \/24/,
    ],
    ['a /8 VPC', (r) => (r.network.vpcCidr = '10.0.0.0/8'), /^network\.vpcCidr: .*got "10\.0\.0\.0\/8"$/],
    [
      'negative NAT gateways',
      (r) => (r.network.natGateways = -1),
      /^network\.natGateways: expected an integer from 0 to 3, got -1$/,
    ],
    [
      'a retention CloudWatch refuses',
      (r) => (r.logs.retentionDays = 10),
      /^logs\.retentionDays: expected one of 1, 3, 5, 7, 14, .*got 10$/,
    ],
    [
      'an EDGE endpoint',
      (r) => (r.api.endpointType = 'EDGE'),
      /^api\.endpointType: expected one of "REGIONAL", "PRIVATE", got "EDGE"$/,
    ],
    [
      'a stage name with a space',
      (r) => (r.api.stageName = 'dev stage'),
      /^api\.stageName: .*got "dev stage"$/,
    ],
    [
      'a fractional rate limit',
      (r) => (r.api.throttling.rateLimit = 1.5),
      /^api\.throttling\.rateLimit: expected an integer/,
    ],
    [
      'a cache TTL over an hour',
      (r) => (r.authorizer.cacheTtlSeconds = 7200),
      /^authorizer\.cacheTtlSeconds: .*got 7200$/,
    ],
    [
      'a string cache TTL',
      (r) => (r.authorizer.cacheTtlSeconds = '60'),
      /^authorizer\.cacheTtlSeconds: .*got "60"$/,
    ],
    [
      'zero reserved concurrency',
      (r) => (r.reservedConcurrency.authorizer = 0),
      /^reservedConcurrency\.authorizer: .*got 0$/,
    ],
    [
      'an API Gateway account role nobody provides',
      (r) => (r.apiGatewayAccountRole = 'none'),
      /^apiGatewayAccountRole: expected one of "create", "existing", got "none"$/,
    ],
    [
      'a missing API Gateway account role (an explicit choice per account)',
      (r) => delete r.apiGatewayAccountRole,
      /^apiGatewayAccountRole: is required$/,
    ],
    [
      'a reservation for a function that does not exist',
      (r) => (r.reservedConcurrency.revoker = 5),
      /^reservedConcurrency\.revoker: unknown key \(expected one of: authorizer, keyRotator\)/,
    ],
    [
      'a key rotator reservation of 0 (null reserves nothing)',
      (r) => (r.reservedConcurrency.keyRotator = 0),
      /^reservedConcurrency\.keyRotator: expected an integer from 1 to 10, got 0$/,
    ],
    [
      'a web ACL on a PRIVATE API',
      (r) => (r.api.endpointType = 'PRIVATE'),
      /^api\.webAcl: a web ACL is attached to REGIONAL APIs only .*got \{"requestsPerIpPer5Minutes":1000\}$/,
    ],
    [
      'a rate limit AWS WAF refuses',
      (r) => (r.api.webAcl.requestsPerIpPer5Minutes = 50),
      /^api\.webAcl\.requestsPerIpPer5Minutes: expected an integer from 100 to 2000000000, got 50$/,
    ],
    [
      'a web ACL without its rate limit',
      (r) => (r.api.webAcl = {}),
      /^api\.webAcl\.requestsPerIpPer5Minutes: is required$/,
    ],
    [
      'an unknown web ACL setting',
      (r) => (r.api.webAcl.rules = []),
      /^api\.webAcl\.rules: unknown key \(expected one of: requestsPerIpPer5Minutes\)/,
    ],
    [
      'a timeout API Gateway would not wait for',
      (r) => (r.authorizer.timeoutSeconds = 30),
      /^authorizer\.timeoutSeconds: .*got 30$/,
    ],
    [
      'a latency alarm above the timeout',
      (r) => (r.alarms.latencyP99Ms = 6000),
      /^alarms\.latencyP99Ms: expected an integer from 1 to 5000, got 6000$/,
    ],
    [
      'an odd alarm period',
      (r) => (r.alarms.periodSeconds = 120),
      /^alarms\.periodSeconds: expected one of 60, 300, 900, 3600, got 120$/,
    ],
    [
      'an HMAC algorithm (runtime parser)',
      (r) => (r.authorizer.runtime.issuers[0].algorithms = ['HS256']),
      /^authorizer\.runtime\.issuers\[0\]\.algorithms\[0\]: "HS256" is not allowed/,
    ],
    [
      'a missing JWKS file',
      (r) => (r.authorizer.runtime.issuers[0].jwksFile = './jwks/missing.json'),
      /^authorizer\.runtime\.issuers\[0\]\.jwksFile: no such file: ".*missing\.json"$/,
    ],
    [
      'a JWKS URI without NAT',
      (r) => {
        delete r.authorizer.runtime.issuers[0].jwksFile;
        r.authorizer.runtime.issuers[0].jwksUri = 'https://idp.example.test/jwks.json';
      },
      /^authorizer\.runtime\.issuers\[0\]\.jwksUri: the subnets are isolated \(network\.natGateways is 0\)/,
    ],
    [
      'OpenID discovery without NAT',
      (r) => {
        delete r.authorizer.runtime.issuers[0].jwksFile;
        r.authorizer.runtime.issuers[0].discovery = true;
      },
      /^authorizer\.runtime\.issuers\[0\]\.discovery: the subnets are isolated \(network\.natGateways is 0\)/,
    ],
    [
      'a revocation file',
      (r) => (r.authorizer.runtime.revocations = { file: './revocations.json' }),
      /^authorizer\.runtime\.revocations: only the DynamoDB store is deployed/,
    ],
    [
      'a missing revocations key (the stack deploys the table)',
      (r) => delete r.authorizer.runtime.revocations,
      /^authorizer\.runtime\.revocations: the stack deploys the DynamoDB revocation table/,
    ],
    [
      "the local issuer's private keys",
      (r) => (r.authorizer.runtime.localIssuer = { issuer: 'x', audience: 'y', keysDir: '.zta/keys' }),
      /^authorizer\.runtime\.localIssuer: unknown key/,
    ],
    [
      'a missing policies folder',
      (r) => (r.authorizer.runtime.policies = './nope'),
      /^authorizer\.runtime\.policies: no such folder/,
    ],
  ])('%s', (_name, mutate, message) => {
    const raw = devRaw();
    mutate(raw);
    expect(() => parse(raw)).toThrow(message);
  });

  it('accepts the file as shipped', () => {
    expect(parse(devRaw()).authorizer.runtime.issuers).toHaveLength(1);
  });

  // A REGIONAL API faces the internet: a web ACL unless the config visibly says null.
  it.each([
    ['REGIONAL', undefined, { requestsPerIpPer5Minutes: 2000 }],
    ['REGIONAL', null, null],
    ['REGIONAL', { requestsPerIpPer5Minutes: 300 }, { requestsPerIpPer5Minutes: 300 }],
    ['PRIVATE', undefined, null],
    ['PRIVATE', null, null],
  ] as const)('api.webAcl on a %s API: %j gives %j', (endpointType, webAcl, expected) => {
    const raw = devRaw();
    raw.api.endpointType = endpointType;
    if (webAcl === undefined) delete raw.api.webAcl;
    else raw.api.webAcl = webAcl;
    expect(parse(raw).api.webAcl).toEqual(expected);
  });
});

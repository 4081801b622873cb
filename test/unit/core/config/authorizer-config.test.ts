import { describe, expect, it } from 'vitest';
import {
  type AuthorizerConfig,
  parseAuthorizerConfig,
} from '../../../../functions/core/config/authorizer-config.ts';
import { ConfigError } from '../../../../functions/core/config/reader.ts';

const OPTIONS = { baseDir: '/etc/zta', defaultPoliciesDir: '/opt/zta/policies' };
const ISSUER = {
  issuer: 'https://idp.example.test',
  audience: 'zt-api',
  jwksFile: './jwks.json',
  algorithms: ['ES256', 'RS256'],
};
const VALID = { issuers: [ISSUER], policies: './policies', revocations: { file: './revocations.json' } };

/** A config as a file would hold it: members set to `undefined` are absent. */
const asFile = (value: unknown): unknown => JSON.parse(JSON.stringify(value));
/** The valid config with top-level members replaced (or removed with `undefined`). */
const topWith = (over: Record<string, unknown>) => asFile({ ...VALID, ...over });
/** The valid config with the first issuer's members replaced (or removed with `undefined`). */
const issuerWith = (over: Record<string, unknown>) => topWith({ issuers: [{ ...ISSUER, ...over }] });
const uriIssuer = (over: Record<string, unknown>) =>
  issuerWith({ jwksFile: undefined, jwksUri: 'https://idp/j', ...over });

/** What `parseAuthorizerConfig` threw; fails the test when it did not throw a ConfigError. */
function refusal(raw: unknown): ConfigError {
  try {
    parseAuthorizerConfig(raw, OPTIONS);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('the config was accepted');
}

describe('parseAuthorizerConfig: refusals name the key', () => {
  const badUris = [
    'http://idp.example.test/jwks',
    'http://127.0.0.1.nip.io/jwks',
    'http://localhost.example.test/jwks',
    'ftp://idp.example.test/jwks',
    'file:///etc/jwks.json',
    'not a url',
  ];
  it.each([
    { name: 'a config that is not an object', raw: [], path: '(config)' },
    { name: 'an unknown top-level key', raw: topWith({ issuer: 'x' }), path: 'issuer' },
    { name: 'no issuers', raw: topWith({ issuers: undefined }), path: 'issuers' },
    { name: 'an empty issuer list', raw: topWith({ issuers: [] }), path: 'issuers' },
    { name: 'issuers as an object', raw: topWith({ issuers: {} }), path: 'issuers' },
    { name: 'an issuer that is a string', raw: topWith({ issuers: ['https://idp'] }), path: 'issuers[0]' },
    { name: 'a missing issuer', raw: issuerWith({ issuer: undefined }), path: 'issuers[0].issuer' },
    { name: 'a blank issuer', raw: issuerWith({ issuer: '  ' }), path: 'issuers[0].issuer' },
    { name: 'no audience', raw: issuerWith({ audience: undefined }), path: 'issuers[0].audience' },
    { name: 'an empty audience list', raw: issuerWith({ audience: [] }), path: 'issuers[0].audience' },
    { name: 'an empty audience', raw: issuerWith({ audience: '' }), path: 'issuers[0].audience' },
    {
      name: 'a numeric audience member',
      raw: issuerWith({ audience: ['a', 7] }),
      path: 'issuers[0].audience[1]',
    },
    { name: 'no algorithms', raw: issuerWith({ algorithms: undefined }), path: 'issuers[0].algorithms' },
    { name: 'an empty algorithm list', raw: issuerWith({ algorithms: [] }), path: 'issuers[0].algorithms' },
    {
      name: 'algorithms as a string',
      raw: issuerWith({ algorithms: 'ES256' }),
      path: 'issuers[0].algorithms',
    },
    {
      name: 'an unknown algorithm',
      raw: issuerWith({ algorithms: ['ES256', 'ES257'] }),
      path: 'issuers[0].algorithms[1]',
    },
    { name: 'none', raw: issuerWith({ algorithms: ['none'] }), path: 'issuers[0].algorithms[0]' },
    { name: 'NONE', raw: issuerWith({ algorithms: ['NONE'] }), path: 'issuers[0].algorithms[0]' },
    { name: 'HS256', raw: issuerWith({ algorithms: ['RS256', 'HS256'] }), path: 'issuers[0].algorithms[1]' },
    { name: 'HS512', raw: issuerWith({ algorithms: ['HS512'] }), path: 'issuers[0].algorithms[0]' },
    {
      name: 'a lower-case algorithm',
      raw: issuerWith({ algorithms: ['es256'] }),
      path: 'issuers[0].algorithms[0]',
    },
    {
      name: 'HS256 on the second issuer',
      raw: topWith({ issuers: [ISSUER, { ...ISSUER, issuer: 'https://b', algorithms: ['ES256', 'HS256'] }] }),
      path: 'issuers[1].algorithms[1]',
    },
    {
      name: 'neither jwksFile nor jwksUri',
      raw: issuerWith({ jwksFile: undefined }),
      path: 'issuers[0].jwksFile',
    },
    {
      name: 'both jwksUri and discovery',
      raw: uriIssuer({ discovery: true }),
      path: 'issuers[0].jwksUri',
    },
    { name: 'an empty jwksFile', raw: issuerWith({ jwksFile: '' }), path: 'issuers[0].jwksFile' },
    { name: 'jwksCache with a jwksFile', raw: issuerWith({ jwksCache: {} }), path: 'issuers[0].jwksCache' },
    ...badUris.map((jwksUri) => ({
      name: `jwksUri ${jwksUri}`,
      raw: uriIssuer({ jwksUri }),
      path: 'issuers[0].jwksUri',
    })),
    {
      name: 'an unknown jwksCache key',
      raw: uriIssuer({ jwksCache: { ttl: 1 } }),
      path: 'issuers[0].jwksCache.ttl',
    },
    {
      name: 'a tiny fetch timeout',
      raw: uriIssuer({ jwksCache: { timeoutMs: 5 } }),
      path: 'issuers[0].jwksCache.timeoutMs',
    },
    { name: 'an unknown issuer key', raw: issuerWith({ audiences: ['x'] }), path: 'issuers[0].audiences' },
    {
      name: 'a negative clock tolerance',
      raw: issuerWith({ clockToleranceSeconds: -1 }),
      path: 'issuers[0].clockToleranceSeconds',
    },
    {
      name: 'a lifetime as a string',
      raw: issuerWith({ maxLifetimeSeconds: '3600' }),
      path: 'issuers[0].maxLifetimeSeconds',
    },
    { name: 'an empty typ', raw: issuerWith({ typ: '' }), path: 'issuers[0].typ' },
    {
      name: 'an unknown claims key',
      raw: issuerWith({ claims: { group: 'g' } }),
      path: 'issuers[0].claims.group',
    },
    {
      name: 'a role claim of an unknown type',
      raw: issuerWith({ claims: { roles: [{ claim: 'r', type: 'number' }] } }),
      path: 'issuers[0].claims.roles[0].type',
    },
    {
      name: 'an issuer that is also the local issuer',
      raw: topWith({
        issuers: [ISSUER],
        localIssuer: { issuer: ISSUER.issuer, audience: 'zt-api', keysDir: './keys' },
      }),
      path: 'issuers[0].issuer',
    },
    { name: 'no revocations', raw: topWith({ revocations: undefined }), path: 'revocations' },
    { name: 'revocations without a file', raw: topWith({ revocations: {} }), path: 'revocations.file' },
    {
      name: 'an unknown revocations key',
      raw: topWith({ revocations: { file: 'r', table: 't' } }),
      path: 'revocations.table',
    },
    { name: 'an empty policies path', raw: topWith({ policies: '' }), path: 'policies' },
    { name: 'maxTokenBytes under the floor', raw: topWith({ maxTokenBytes: 100 }), path: 'maxTokenBytes' },
    { name: 'an unknown gateway key', raw: topWith({ gateway: { ttl: 1 } }), path: 'gateway.ttl' },
    { name: 'caches that is not an object', raw: topWith({ caches: 5 }), path: 'caches' },
    { name: 'an unknown caches key', raw: topWith({ caches: { tokens: 5 } }), path: 'caches.tokens' },
    { name: 'a negative cache size', raw: topWith({ caches: { decisions: -1 } }), path: 'caches.decisions' },
    {
      name: 'a fractional cache size',
      raw: topWith({ caches: { verifiedTokens: 1.5 } }),
      path: 'caches.verifiedTokens',
    },
    {
      name: 'a cache size given as a string',
      raw: topWith({ caches: { verifiedTokens: '10' } }),
      path: 'caches.verifiedTokens',
    },
    {
      name: 'localIssuer without keysDir',
      raw: topWith({ localIssuer: { issuer: 'x', audience: 'a' } }),
      path: 'localIssuer.keysDir',
    },
  ])('refuses $name at $path', ({ raw, path }) => {
    // Act
    const error = refusal(raw);

    // Assess
    expect(error.path).toBe(path);
    expect(error.message.startsWith(`${path}: `)).toBe(true);
  });

  it('shows the offending value in the message', () => {
    // Act
    const error = refusal(issuerWith({ algorithms: ['RS256', 'HS256'] }));

    // Assess
    expect(error.message).toMatch(/^issuers\[0\]\.algorithms\[1\]: "HS256" is not allowed/);
  });
});

describe('parseAuthorizerConfig: accepted configs', () => {
  it('resolves paths against baseDir and fills the documented defaults', () => {
    // Act
    const config = parseAuthorizerConfig(asFile(VALID), OPTIONS);

    // Assess
    expect(config).toEqual<AuthorizerConfig>({
      issuers: [
        {
          issuer: ISSUER.issuer,
          audiences: ['zt-api'],
          clientIds: [],
          requiredClaims: [],
          algorithms: ['ES256', 'RS256'],
          jwks: { kind: 'file', path: '/etc/zta/jwks.json' },
          typ: undefined,
          clockToleranceSeconds: 30,
          maxLifetimeSeconds: 86_400,
          claims: {
            roles: [
              { claim: ['role'], type: 'string' },
              { claim: ['roles'], type: 'array' },
            ],
            scopes: [['scope'], ['scp']],
            mfaAmrValues: ['mfa'],
            mfaAcrValues: [],
            mfaBooleanClaims: [['mfa_verified'], ['mfa']],
            typed: [],
          },
        },
      ],
      policiesDir: '/etc/zta/policies',
      revocations: { kind: 'file', path: '/etc/zta/revocations.json' },
      maxTokenBytes: 8192,
      localIssuer: undefined,
      gateway: { cacheTtlSeconds: 300 },
      autoRevocation: undefined,
      caches: { verifiedTokens: 4096, decisions: 4096 },
    });
  });

  const uriDefaults = { maxAgeSeconds: 600, cooldownSeconds: 30, timeoutMs: 3000, maxStaleSeconds: 3600 };
  const goodUris = [
    'https://idp.example.test/jwks',
    'http://127.0.0.1:8080/jwks',
    'http://localhost/jwks',
    'http://[::1]:9/jwks',
  ];
  const first = (c: AuthorizerConfig) => c.issuers[0];
  it.each([
    {
      name: 'policies default to the given folder',
      raw: topWith({ policies: undefined }),
      pick: (c: AuthorizerConfig) => c.policiesDir,
      expected: '/opt/zta/policies',
    },
    {
      name: 'an absolute jwksFile is kept',
      raw: issuerWith({ jwksFile: '/keys/j.json' }),
      pick: (c: AuthorizerConfig) => first(c)?.jwks,
      expected: { kind: 'file', path: '/keys/j.json' },
    },
    {
      name: 'caches may be sized, or turned off with 0',
      raw: topWith({ caches: { verifiedTokens: 0, decisions: 100 } }),
      pick: (c: AuthorizerConfig) => c.caches,
      expected: { verifiedTokens: 0, decisions: 100 },
    },
    {
      name: 'revocations may be an explicit null',
      raw: topWith({ revocations: null }),
      pick: (c: AuthorizerConfig) => c.revocations,
      expected: null,
    },
    {
      name: 'an audience list is de-duplicated',
      raw: issuerWith({ audience: ['a', 'b', 'a'] }),
      pick: (c: AuthorizerConfig) => first(c)?.audiences,
      expected: ['a', 'b'],
    },
    ...goodUris.map((uri) => ({
      name: `jwksUri ${uri}, with cache defaults`,
      raw: uriIssuer({ jwksUri: uri }),
      pick: (c: AuthorizerConfig) => first(c)?.jwks,
      expected: { kind: 'uri', uri, ...uriDefaults },
    })),
  ])('$name', ({ raw, pick, expected }) => {
    // Act
    const config = parseAuthorizerConfig(raw, OPTIONS);

    // Assess
    expect(pick(config)).toEqual(expected);
  });

  it('returns a deeply frozen config', () => {
    // Act
    const config = parseAuthorizerConfig(asFile(VALID), OPTIONS);

    // Assess
    const parts = [
      config,
      config.issuers,
      first(config),
      first(config)?.algorithms,
      first(config)?.jwks,
      config.revocations,
    ];
    expect(parts.every((part) => Object.isFrozen(part))).toBe(true);
  });

  it('trusts the local issuer with its own key store, after the configured issuers', () => {
    // Prepare
    const raw = topWith({
      localIssuer: { issuer: 'https://zta.local', audience: 'zt-api', keysDir: './.zta/keys' },
    });

    // Act
    const config = parseAuthorizerConfig(raw, OPTIONS);

    // Assess
    expect(config.issuers.map((i) => [i.issuer, i.jwks.kind])).toEqual([
      [ISSUER.issuer, 'file'],
      ['https://zta.local', 'local-issuer'],
    ]);
    expect(config.localIssuer?.keysDir).toBe('/etc/zta/.zta/keys');
  });
});

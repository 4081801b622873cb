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
    {
      name: 'discovery that is not a boolean',
      raw: uriIssuer({ jwksUri: undefined, discovery: 'yes' }),
      path: 'issuers[0].discovery',
    },
    {
      name: 'discovery for an http issuer off loopback',
      raw: uriIssuer({ jwksUri: undefined, discovery: true, issuer: 'http://idp.example.test' }),
      path: 'issuers[0].issuer',
    },
    {
      name: 'discovery: false and no key source',
      raw: issuerWith({ jwksFile: undefined, discovery: false }),
      path: 'issuers[0].jwksFile',
    },
    {
      name: 'a fetch timeout as long as the cooldown',
      raw: uriIssuer({ jwksCache: { cooldownSeconds: 3, timeoutMs: 3000 } }),
      path: 'issuers[0].jwksCache.timeoutMs',
    },
    {
      name: 'a zero cooldown',
      raw: uriIssuer({ jwksCache: { cooldownSeconds: 0 } }),
      path: 'issuers[0].jwksCache.cooldownSeconds',
    },
    { name: 'clientIds as a string', raw: issuerWith({ clientIds: 'app' }), path: 'issuers[0].clientIds' },
    {
      name: 'an empty client id',
      raw: issuerWith({ clientIds: ['app', ''] }),
      path: 'issuers[0].clientIds[1]',
    },
    {
      name: 'requiredClaims as an array',
      raw: issuerWith({ requiredClaims: ['token_use'] }),
      path: 'issuers[0].requiredClaims',
    },
    {
      name: 'a required null',
      raw: issuerWith({ requiredClaims: { azp: null } }),
      path: 'issuers[0].requiredClaims.azp',
    },
    {
      name: 'an empty list of required values',
      raw: issuerWith({ requiredClaims: { azp: [] } }),
      path: 'issuers[0].requiredClaims.azp',
    },
    {
      name: 'a required claim through __proto__',
      raw: issuerWith({ requiredClaims: { '/__proto__/x': 1 } }),
      path: 'issuers[0].requiredClaims./__proto__/x',
    },
    {
      name: 'scopes as a string',
      raw: issuerWith({ claims: { scopes: 'scope' } }),
      path: 'issuers[0].claims.scopes',
    },
    {
      name: 'a bad scope claim path',
      raw: issuerWith({ claims: { scopes: ['/a//b'] } }),
      path: 'issuers[0].claims.scopes[0]',
    },
    {
      name: 'mfaAcrValues with a number',
      raw: issuerWith({ claims: { mfaAcrValues: [2] } }),
      path: 'issuers[0].claims.mfaAcrValues[0]',
    },
    {
      name: 'a boolean MFA claim path that is empty',
      raw: issuerWith({ claims: { mfaBooleanClaims: [[]] } }),
      path: 'issuers[0].claims.mfaBooleanClaims[0]',
    },
    {
      name: 'a role claim without a claim',
      raw: issuerWith({ claims: { roles: [{ type: 'array' }] } }),
      path: 'issuers[0].claims.roles[0].claim',
    },
    {
      name: 'typed claims as an array',
      raw: issuerWith({ claims: { typed: [] } }),
      path: 'issuers[0].claims.typed',
    },
    {
      name: 'a typed claim name with a dash',
      raw: issuerWith({ claims: { typed: { 'tenant-id': { claim: 'tid', type: 'String' } } } }),
      path: 'issuers[0].claims.typed.tenant-id',
    },
    {
      name: 'a typed claim of an unknown type',
      raw: issuerWith({ claims: { typed: { tenant: { claim: 'tid', type: 'string' } } } }),
      path: 'issuers[0].claims.typed.tenant.type',
    },
    {
      name: 'a typed claim without a claim',
      raw: issuerWith({ claims: { typed: { tenant: { type: 'String' } } } }),
      path: 'issuers[0].claims.typed.tenant.claim',
    },
    {
      name: 'an unknown typed claim key',
      raw: issuerWith({ claims: { typed: { tenant: { claim: 'tid', type: 'String', optional: true } } } }),
      path: 'issuers[0].claims.typed.tenant.optional',
    },
    { name: 'a $schema that is not a string', raw: topWith({ $schema: 1 }), path: '$schema' },
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

describe('parseAuthorizerConfig: identity providers (issue 11)', () => {
  it('reads client ids, required claims, claim paths, acr values and typed claims', () => {
    // Act
    const [issuer] = parseAuthorizerConfig(
      topWith({
        issuers: [
          {
            ...ISSUER,
            audience: undefined,
            clientIds: ['app-1', 'app-1', 'app-2'],
            requiredClaims: { token_use: 'access', '/ext/level': [1, 2] },
            claims: {
              roles: [{ claim: '/realm_access/roles', type: 'array' }],
              scopes: ['scp', ['ext', 'scopes']],
              mfaAcrValues: ['gold'],
              mfaBooleanClaims: ['https://example.com/mfa'],
              typed: {
                zeta: { claim: 'z', type: 'Bool' },
                alpha: { claim: '/a~1b/c~0d', type: 'Set<String>' },
              },
            },
          },
        ],
      }),
      OPTIONS,
    ).issuers;

    // Assess
    expect(issuer).toMatchObject({
      audiences: [],
      clientIds: ['app-1', 'app-2'],
      requiredClaims: [
        { claim: ['token_use'], oneOf: ['access'] },
        { claim: ['ext', 'level'], oneOf: [1, 2] },
      ],
      claims: {
        roles: [{ claim: ['realm_access', 'roles'], type: 'array' }],
        scopes: [['scp'], ['ext', 'scopes']],
        mfaAmrValues: ['mfa'],
        mfaAcrValues: ['gold'],
        mfaBooleanClaims: [['https://example.com/mfa']],
        typed: [
          { name: 'alpha', claim: ['a/b', 'c~d'], type: 'Set<String>' },
          { name: 'zeta', claim: ['z'], type: 'Bool' },
        ],
      },
    });
  });

  it('allows several entries for one iss, a jwksFile snapshot beside jwksUri or discovery', () => {
    // Act
    const config = parseAuthorizerConfig(
      topWith({
        issuers: [
          { ...ISSUER, jwksFile: './snap.json', jwksUri: 'https://idp.example.test/jwks' },
          { ...ISSUER, audience: 'other', jwksFile: './snap.json', discovery: true },
        ],
      }),
      OPTIONS,
    );

    // Assess
    expect(config.issuers.map((i) => i.jwks)).toEqual([
      expect.objectContaining({
        kind: 'uri',
        uri: 'https://idp.example.test/jwks',
        snapshotFile: '/etc/zta/snap.json',
      }),
      expect.objectContaining({
        kind: 'discovery',
        issuer: ISSUER.issuer,
        snapshotFile: '/etc/zta/snap.json',
      }),
    ]);
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

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../functions/core/config/reader.ts';
import { buildAuthorizer } from '../../../functions/runtime/build-authorizer.ts';
import { loadConfigFile } from '../../../functions/runtime/config-file.ts';
import { RevocationFileStore } from '../../../functions/runtime/revocation-file-store.ts';
import { es256Key, jwksOf, signEs256, tempDirs } from '../helpers.ts';

const POLICIES = join(import.meta.dirname, '../../../policies');
const ISSUER = {
  issuer: 'https://idp.example.test',
  audience: 'zt-api',
  jwksFile: './keys/jwks.json',
  algorithms: ['ES256'],
};
const dirs = tempDirs();
afterEach(dirs.cleanup);

/** A folder holding `config.json` (the given object or text) and a valid `keys/jwks.json`. */
function configFolder(config: unknown): { dir: string; file: string } {
  const dir = dirs.make();
  mkdirSync(join(dir, 'keys'));
  writeFileSync(join(dir, 'keys', 'jwks.json'), JSON.stringify(jwksOf(es256Key('k1'))));
  const file = join(dir, 'config.json');
  writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config));
  return { dir, file };
}

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('nothing was thrown');
}

describe('loadConfigFile', () => {
  it('resolves paths against the config file, not the working directory', () => {
    // Prepare
    const { dir, file } = configFolder({
      issuers: [ISSUER],
      revocations: { file: 'state/revocations.json' },
    });

    // Act
    const config = loadConfigFile(file, POLICIES);

    // Assess
    expect(config.issuers[0]?.jwks).toEqual({ kind: 'file', path: join(dir, 'keys', 'jwks.json') });
    expect(config.revocations).toEqual({ kind: 'file', path: join(dir, 'state', 'revocations.json') });
    expect(config.policiesDir).toBe(POLICIES);
  });

  it.each([
    { name: 'a missing file', text: undefined, pattern: /cannot read config file \(ENOENT\)/ },
    { name: 'text that is not JSON', text: '{ issuers: [] }', pattern: /not valid JSON/ },
  ])('refuses $name, naming the file', ({ text, pattern }) => {
    // Prepare
    const dir = dirs.make();
    const file = join(dir, 'config.json');
    if (text !== undefined) writeFileSync(file, text);

    // Act
    const error = thrown(() => loadConfigFile(file, POLICIES));

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toMatch(new RegExp(`^${file}: ${pattern.source}`));
  });

  it.each([
    { name: 'no audience', issuer: { ...ISSUER, audience: undefined }, path: 'issuers[0].audience' },
    {
      name: 'HS256',
      issuer: { ...ISSUER, algorithms: ['ES256', 'HS256'] },
      path: 'issuers[0].algorithms[1]',
    },
    { name: 'no issuer', issuer: { ...ISSUER, issuer: undefined }, path: 'issuers[0].issuer' },
  ])('refuses $name, naming the file and the key', ({ issuer, path }) => {
    // Prepare
    const { file } = configFolder({ issuers: [issuer], revocations: null });

    // Act
    const error = thrown(() => loadConfigFile(file, POLICIES));

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).path).toBe(`${file}: ${path}`);
    expect((error as ConfigError).message.startsWith(`${file}: ${path}: `)).toBe(true);
  });
});

describe('buildAuthorizer: an unusable JWKS file is refused at load, naming the key', () => {
  const privateJwk = () => {
    const key = es256Key('k1');
    return { keys: [{ ...key.publicJwk, d: (key.privateKey.export({ format: 'jwk' }) as { d: string }).d }] };
  };
  it.each([
    { name: 'a missing file', write: undefined, detail: /cannot read JWKS file .*ENOENT/ },
    { name: 'a folder', write: 'folder', detail: /cannot read JWKS file .*EISDIR/ },
    { name: 'text that is not JSON', write: '{"keys":', detail: /is not valid JSON/ },
    { name: 'a document without keys', write: '{"kty":"EC"}', detail: /not a JWKS/ },
    { name: 'an empty key list', write: '{"keys":[]}', detail: /no usable verification key/ },
    { name: 'a private key', write: JSON.stringify(privateJwk()), detail: /private/ },
    {
      name: 'only a symmetric key',
      write: '{"keys":[{"kty":"oct","k":"c2VjcmV0"}]}',
      detail: /private or symmetric/,
    },
  ])('$name', ({ write, detail }) => {
    // Prepare
    const { dir, file } = configFolder({
      issuers: [{ ...ISSUER, jwksFile: './other.json' }],
      revocations: null,
    });
    const jwksPath = join(dir, 'other.json');
    if (write === 'folder') mkdirSync(jwksPath);
    else if (write !== undefined) writeFileSync(jwksPath, write);
    const config = loadConfigFile(file, POLICIES);

    // Act
    const error = thrown(() => buildAuthorizer(config));

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).path).toBe('issuers[0].jwksFile');
    expect((error as ConfigError).message).toMatch(/^issuers\[0\]\.jwksFile: /);
    expect((error as ConfigError).message).toContain(jwksPath);
    expect((error as ConfigError).message).toMatch(detail);
  });

  it('names the index of the issuer whose JWKS is bad', () => {
    // Prepare
    const second = { ...ISSUER, issuer: 'https://second.example.test', jwksFile: './missing.json' };
    const { file } = configFolder({ issuers: [ISSUER, second], revocations: null });

    // Act
    const error = thrown(() => buildAuthorizer(loadConfigFile(file, POLICIES)));

    // Assess
    expect((error as ConfigError).path).toBe('issuers[1].jwksFile');
  });

  it('builds an authorizer when every file is usable', () => {
    // Prepare
    const { file } = configFolder({ issuers: [ISSUER], revocations: { file: './revocations.json' } });

    // Act
    const built = buildAuthorizer(loadConfigFile(file, POLICIES));

    // Assess
    expect(typeof built.authorize).toBe('function');
    expect(built.revocations).toBeInstanceOf(RevocationFileStore);
    expect((built.revocations as RevocationFileStore).path).toMatch(/revocations\.json$/);
  });
});

describe('buildAuthorizer: cache sizes come from the config', () => {
  it.each([
    { name: 'the default decision cache keeps answers', caches: undefined, kept: 1 },
    { name: 'caches.decisions: 0 asks Cedar every time', caches: { decisions: 0 }, kept: 0 },
  ])('$name', async ({ caches, kept }) => {
    // Prepare
    const key = es256Key('k1');
    const { dir, file } = configFolder({
      issuers: [ISSUER],
      revocations: null,
      ...(caches ? { caches } : {}),
    });
    writeFileSync(join(dir, 'keys', 'jwks.json'), JSON.stringify(jwksOf(key)));
    const built = buildAuthorizer(loadConfigFile(file, POLICIES));
    const now = Math.floor(Date.now() / 1000);
    const token = signEs256(
      { iss: ISSUER.issuer, aud: 'zt-api', sub: 'alice', iat: now, exp: now + 60, role: 'admin' },
      key,
    );
    const event = {
      type: 'REQUEST',
      methodArn: 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/api/profile',
      resource: '/api/profile',
      path: '/api/profile',
      httpMethod: 'GET',
      headers: { Authorization: `Bearer ${token}` },
    };

    // Act
    const first = await built.authorize(event, Date.now());
    const second = await built.authorize(event, Date.now());

    // Assess
    expect([first.decision.effect, second.decision.effect]).toEqual(['allow', 'allow']);
    expect(built.policy.cacheStats()).toMatchObject({ size: kept, hits: kept });
  });
});

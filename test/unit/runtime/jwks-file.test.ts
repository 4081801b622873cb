import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { KeySet } from '../../../functions/core/jwt/key-set.ts';
import { fileKeySource, readJwksFile } from '../../../functions/runtime/jwks-file.ts';
import { keyPair } from '../../support/keys.ts';
import { es256Key, jwksOf, kidsOf, tempDirs } from '../helpers.ts';

const dirs = tempDirs();
afterEach(dirs.cleanup);

const k1 = es256Key('k1');
const k2 = es256Key('k2');

/** A temp JWKS file holding `document`, and a function to rewrite it. */
function jwksFile(document: unknown): { path: string; write: (next: unknown) => void } {
  const path = join(dirs.make(), 'jwks.json');
  const write = (next: unknown) =>
    writeFileSync(path, typeof next === 'string' ? next : JSON.stringify(next));
  write(document);
  return { path, write };
}

/** Runs `action` so that a synchronous throw becomes a rejection. */
const attempt = async <T>(action: () => T | Promise<T>): Promise<T> => action();
const kidsNow = async (source: { current(): KeySet | Promise<KeySet> }) => kidsOf(await source.current());

describe('readJwksFile', () => {
  const rsa1024 = keyPair({ type: 'rsa', modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
  it.each([
    {
      name: 'keys for verification only',
      doc: { keys: [k1.publicJwk, { ...k2.publicJwk, use: 'enc' }] },
      kids: ['k1'],
    },
    {
      name: 'keys whose key_ops allow verify',
      doc: { keys: [{ ...k1.publicJwk, use: undefined, key_ops: ['verify'] }] },
      kids: ['k1'],
    },
    {
      name: 'keys with a usable one beside an unsupported one',
      doc: { keys: [{ kty: 'XYZ' }, k2.publicJwk] },
      kids: ['k2'],
    },
  ])('keeps $name', ({ doc, kids }) => {
    // Prepare
    const { path } = jwksFile(doc);

    // Act
    const keySet = readJwksFile(path);

    // Assess
    expect(kidsOf(keySet)).toEqual(kids);
  });

  it.each([
    {
      name: 'an RSA key under 2048 bits',
      doc: { keys: [{ ...rsa1024, kid: 'weak' }] },
      message: /under 2048/,
    },
    {
      name: 'a key whose alg does not fit it',
      doc: { keys: [{ ...k1.publicJwk, alg: 'RS256' }] },
      message: /does not fit/,
    },
    {
      name: 'encryption keys only',
      doc: { keys: [{ ...k1.publicJwk, use: 'enc' }] },
      message: /no usable verification key/,
    },
  ])('refuses a file with $name', ({ doc, message }) => {
    // Prepare
    const { path } = jwksFile(doc);

    // Act + Assess
    expect(() => readJwksFile(path)).toThrow(message);
  });
});

describe('fileKeySource', () => {
  const k1b = es256Key('k1');
  /** The public x coordinates of a key set, which tell keys with equal kids apart. */
  const xsOf = (keySet: KeySet) =>
    keySet.keys.map((k) => (k.key.export({ format: 'jwk' }) as { x: string }).x);
  it.each([
    { name: 'adds a key published by a rotation', next: jwksOf(k1, k2), keys: [k1, k2] },
    { name: 'drops a key removed after a compromise', next: jwksOf(k2), keys: [k2] },
    { name: 'replaces a key by one of the same kid and size', next: jwksOf(k1b), keys: [k1b] },
  ])('in watch mode, $name at once', async ({ next, keys }) => {
    // Prepare
    const file = jwksFile(jwksOf(k1));
    const source = fileKeySource(file.path, { watch: true });
    await source.current();

    // Act
    file.write(next);
    const after = await source.current();

    // Assess
    expect(xsOf(after)).toEqual(keys.map((k) => k.publicJwk.x));
  });

  it('without watch mode, keeps the keys read at construction', async () => {
    // Prepare
    const file = jwksFile(jwksOf(k1));
    const source = fileKeySource(file.path, { watch: false });

    // Act
    file.write(jwksOf(k2));
    const kids = await kidsNow(source);
    const refreshed = await source.refresh();

    // Assess
    expect(kids).toEqual(['k1']);
    expect(refreshed).toBeUndefined();
  });

  it.each([
    { name: 'truncated', bad: '{"keys":[' },
    { name: 'emptied', bad: '' },
    { name: 'holding a private key', bad: { keys: [{ ...k1.publicJwk, d: 'AAAA' }] } },
    { name: 'holding no usable key', bad: { keys: [] } },
    { name: 'deleted', bad: undefined },
  ])('fails closed while the file is $name, then recovers when it is fixed', async ({ bad }) => {
    // Prepare
    const file = jwksFile(jwksOf(k1));
    const source = fileKeySource(file.path, { watch: true });
    await source.current();

    // Act
    if (bad === undefined) rmSync(file.path);
    else file.write(bad);
    const whileBad = await Promise.allSettled([
      attempt(source.current),
      attempt(source.current),
      source.refresh(),
    ]);
    file.write(jwksOf(k2));
    const fixed = await kidsNow(source);

    // Assess
    expect(whileBad.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(fixed).toEqual(['k2']);
  });

  it('refuses to start on a bad file', () => {
    // Prepare
    const { path } = jwksFile('not json');

    // Act + Assess
    expect(() => fileKeySource(path, { watch: true })).toThrow(/is not valid JSON/);
  });
});

import {
  CreateAliasCommand,
  CreateKeyCommand,
  DisableKeyCommand,
  GetPublicKeyCommand,
  type KMSClient,
  UpdateAliasCommand,
} from '@aws-sdk/client-kms';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publicJwkFromSpki } from '../../functions/signing/jwk.ts';
import { KmsTokenSigner, SigningUnavailableError } from '../../functions/signing/kms-signer.ts';
import type { PublicJwk } from '../../functions/signing/types.ts';
import { keySourceOf, NOW, testAuthorizer } from '../support/authorizer.ts';
import { restRequestEvent } from '../support/events.ts';
import { type KmsDouble, startKmsDouble } from '../support/kms-double.ts';

const ISSUER = 'https://tokens.example.test';
const claims = (i = 0) => ({
  iss: ISSUER,
  sub: 'spiffe://example.test/dev/orders',
  aud: 'zt-api',
  iat: NOW,
  exp: NOW + 300,
  jti: `jti-${i}`,
});

describe('KmsTokenSigner against the KMS double', () => {
  let kms: KmsDouble;
  let client: KMSClient;
  let aliases = 0;
  beforeAll(async () => {
    kms = await startKmsDouble();
    client = kms.client();
  });
  afterAll(() => kms.close());

  const newKey = async (): Promise<{ keyId: string; jwk: PublicJwk }> => {
    const created = await client.send(
      new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }),
    );
    const keyId = created.KeyMetadata?.KeyId as string;
    const spki = (await client.send(new GetPublicKeyCommand({ KeyId: keyId }))).PublicKey as Uint8Array;
    return { keyId, jwk: publicJwkFromSpki(spki).jwk };
  };
  /** A key behind a fresh alias, a signer on a hand-moved clock, and both verifiers. */
  const setup = async () => {
    const key = await newKey();
    const alias = `alias/signer-test-${++aliases}`;
    await client.send(new CreateAliasCommand({ AliasName: alias, TargetKeyId: key.keyId }));
    const clock = { ms: NOW * 1000 };
    const signer = new KmsTokenSigner({
      client,
      keyAlias: alias,
      aliasCacheSeconds: 60,
      clock: () => clock.ms,
    });
    return { key, alias, clock, signer };
  };
  const authorizerTrusting = (...jwks: PublicJwk[]) =>
    testAuthorizer({
      issuers: [
        { issuer: ISSUER, audience: 'zt-api', algorithms: ['ES256'], keys: keySourceOf({ keys: jwks }) },
      ],
    });

  it('signs ES256 tokens that jose and the authorizer core both accept', async () => {
    // Prepare
    const { key, signer } = await setup();
    const jwks = createLocalJWKSet({ keys: [key.jwk] });
    const authorizer = authorizerTrusting(key.jwk);

    // Act: enough tokens that some r or s is shorter than 32 bytes before padding.
    const tokens = await Promise.all(Array.from({ length: 40 }, (_, i) => signer.sign(claims(i))));
    const viaJose = await Promise.all(
      tokens.map((t) =>
        jwtVerify(t, jwks, {
          issuer: ISSUER,
          audience: 'zt-api',
          algorithms: ['ES256'],
          currentDate: new Date(NOW * 1000),
        }),
      ),
    );
    const viaCore = await Promise.all(tokens.map((t) => authorizer.decide(restRequestEvent(`Bearer ${t}`))));

    // Assess
    expect(viaJose.map((r) => r.payload.jti)).toEqual(tokens.map((_, i) => `jti-${i}`));
    expect(viaCore.map((o) => o.decision.effect)).toEqual(tokens.map(() => 'allow'));
    for (const token of tokens) {
      expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', typ: 'JWT', kid: key.jwk.kid });
      expect(Buffer.from(token.split('.')[2] as string, 'base64url')).toHaveLength(64);
    }
  });

  it('keeps the resolved key for aliasCacheSeconds, then follows the alias', async () => {
    // Prepare
    const { key, alias, clock, signer } = await setup();
    await signer.sign(claims());
    const successor = await newKey();

    // Act
    await client.send(new UpdateAliasCommand({ AliasName: alias, TargetKeyId: successor.keyId }));
    clock.ms += 59_999;
    const withinCache = decodeProtectedHeader(await signer.sign(claims())).kid;
    clock.ms += 1;
    const afterCache = decodeProtectedHeader(await signer.sign(claims())).kid;

    // Assess
    expect([withinCache, afterCache]).toEqual([key.jwk.kid, successor.jwk.kid]);
  });

  it('follows the alias at once when KMS refuses the cached key (emergency disable)', async () => {
    // Prepare
    const { key, alias, signer } = await setup();
    await signer.sign(claims());
    const replacement = await newKey();
    await client.send(new UpdateAliasCommand({ AliasName: alias, TargetKeyId: replacement.keyId }));

    // Act
    await client.send(new DisableKeyCommand({ KeyId: key.keyId }));
    const token = await signer.sign(claims());

    // Assess
    expect(decodeProtectedHeader(token).kid).toBe(replacement.jwk.kid);
    expect(
      (await authorizerTrusting(replacement.jwk).decide(restRequestEvent(`Bearer ${token}`))).decision.effect,
    ).toBe('allow');
  });

  it.each([
    ['the alias does not exist', async () => new KmsTokenSigner({ client, keyAlias: 'alias/never-created' })],
    [
      'the key behind the alias is disabled',
      async () => {
        const { key, signer } = await setup();
        await client.send(new DisableKeyCommand({ KeyId: key.keyId }));
        return signer;
      },
    ],
    [
      'KMS fails the Sign call',
      async () => {
        const { signer } = await setup();
        await signer.activeKid();
        kms.failNext('Sign', 'KMSInternalException');
        return signer;
      },
    ],
  ])('throws SigningUnavailableError when %s', async (_name, build) => {
    const signer = await build();
    await expect(signer.sign(claims())).rejects.toBeInstanceOf(SigningUnavailableError);
  });
});

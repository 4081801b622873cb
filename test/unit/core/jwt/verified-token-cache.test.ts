/**
 * The verified-token cache really spares the signature check — also when the key source hands
 * out a freshly parsed copy of the same key (the local key store re-derives its set once a
 * second) — and never when the key material differs. Counted through the verifier's injected
 * full-verification function.
 */
import { describe, expect, it } from 'vitest';
import {
  type IssuerConfig,
  parseAuthorizerConfig,
} from '../../../../functions/core/config/authorizer-config.ts';
import { parseJwks } from '../../../../functions/core/jwt/key-set.ts';
import { createTokenVerifier } from '../../../../functions/core/jwt/verified-token-cache.ts';
import { verifyTokenWithProof } from '../../../../functions/core/jwt/verify-token.ts';
import type { KeySource } from '../../../../functions/core/keys.ts';
import { NOW, POLICY_DIR } from '../../../support/authorizer.ts';
import { forge } from '../../../support/forge.ts';
import { generateKey, jwksOf } from '../../../support/keys.ts';

const ISS = 'https://idp.example.test';
const config = parseAuthorizerConfig(
  {
    issuers: [{ issuer: ISS, audience: 'zt-api', algorithms: ['ES256'], jwksFile: './x.json' }],
    revocations: null,
  },
  { baseDir: '/nonexistent', defaultPoliciesDir: POLICY_DIR },
).issuers[0] as IssuerConfig;
const key = generateKey('ES256', 'k1');
const token = forge({
  header: { alg: 'ES256', typ: 'JWT', kid: 'k1' },
  claims: { iss: ISS, aud: 'zt-api', sub: 'alice', iat: NOW, exp: NOW + 300 },
  signer: { alg: 'ES256', key: key.privateKey },
});

/** A key source that parses `jwks()` anew on every call, as a re-deriving source does. */
const reparsing = (jwks: () => unknown): KeySource => ({
  current: () => parseJwks(jwks()).keySet,
  refresh: async () => undefined,
});
/** A verifier over `keys` that counts its full verifications (signature checks). */
function counted(keys: KeySource, cacheSize: number) {
  let full = 0;
  const verify = createTokenVerifier(new Map([[ISS, [{ config, keys }]]]), 8192, cacheSize, (...args) => {
    full++;
    return verifyTokenWithProof(...args);
  });
  return { verify, fullVerifications: () => full };
}

describe('createTokenVerifier', () => {
  it('checks the signature once for a repeated token, though each lookup re-parses the same key', async () => {
    // Prepare
    const { verify, fullVerifications } = counted(
      reparsing(() => jwksOf(key)),
      16,
    );

    // Act
    const results = [await verify(token, NOW), await verify(token, NOW + 1), await verify(token, NOW + 2)];

    // Assess
    expect(results.map((r) => r.ok)).toEqual([true, true, true]);
    expect(fullVerifications()).toBe(1);
  });

  it('checks again, and refuses, when the same kid now names other key material', async () => {
    // Prepare
    let published = jwksOf(key);
    const { verify, fullVerifications } = counted(
      reparsing(() => published),
      16,
    );
    await verify(token, NOW);
    published = jwksOf(generateKey('ES256', 'k1'));

    // Act
    const second = await verify(token, NOW);

    // Assess
    expect(second).toMatchObject({ ok: false, reason: 'invalid_signature' });
    expect(fullVerifications()).toBe(2);
  });

  it('checks every time with the cache off', async () => {
    // Prepare
    const { verify, fullVerifications } = counted(
      reparsing(() => jwksOf(key)),
      0,
    );

    // Act
    await verify(token, NOW);
    await verify(token, NOW);

    // Assess
    expect(fullVerifications()).toBe(2);
  });
});

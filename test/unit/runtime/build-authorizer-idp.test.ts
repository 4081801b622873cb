/**
 * `buildAuthorizer` for issue 11: typed claims are checked against the policy schema at load
 * (the config is refused naming the key), and issuer entries with the same key source share one
 * cache and one fetch.
 */
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseAuthorizerConfig } from '../../../functions/core/config/authorizer-config.ts';
import { ConfigError } from '../../../functions/core/config/reader.ts';
import { buildAuthorizer } from '../../../functions/runtime/build-authorizer.ts';
import { POLICY_DIR, SCHEMA } from '../../policy/helpers.ts';
import { eventually } from '../../support/eventually.ts';
import { es256Key, jwksOf, tempDirs } from '../helpers.ts';
import { startIdp, type TestIdp } from './jwks-server.ts';

const dirs = tempDirs('zta-build-idp-');
let idp: TestIdp | undefined;
afterEach(async () => {
  dirs.cleanup();
  await idp?.close();
  idp = undefined;
});

/** A policies folder: the shipped policies, with TokenClaims as given. */
function policiesWith(tokenClaims: string): string {
  const dir = join(dirs.make(), 'policies');
  mkdirSync(dir);
  cpSync(POLICY_DIR, dir, { recursive: true });
  writeFileSync(
    join(dir, 'schema.cedarschema'),
    SCHEMA.replace(/type TokenClaims = \{[^}]*\};/, `type TokenClaims = ${tokenClaims};`),
  );
  return dir;
}

function build(policies: string, typed: Record<string, unknown>) {
  const jwks = join(policies, '..', 'jwks.json');
  writeFileSync(jwks, JSON.stringify(jwksOf(es256Key('k1'))));
  const config = parseAuthorizerConfig(
    {
      issuers: [
        { issuer: 'https://a', audience: 'api', algorithms: ['ES256'], jwksFile: jwks },
        { issuer: 'https://b', audience: 'api', algorithms: ['ES256'], jwksFile: jwks, claims: { typed } },
      ],
      policies,
      revocations: null,
    },
    { baseDir: '/', defaultPoliciesDir: '/' },
  );
  return () => buildAuthorizer(config);
}

describe('typed claims against the policy schema', () => {
  it.each([
    [
      'declared optional with the same type',
      '{ tenant?: String, level?: Long }',
      { tenant: { claim: 'tid', type: 'String' } },
      undefined,
    ],
    [
      'not declared',
      '{}',
      { tenant: { claim: 'tid', type: 'String' } },
      /context\.claims\.tenant is not declared/,
    ],
    [
      'declared with another type',
      '{ tenant?: Long }',
      { tenant: { claim: 'tid', type: 'String' } },
      /is String, but .* as Long/,
    ],
    ['declared required', '{ tenant: String }', { tenant: { claim: 'tid', type: 'String' } }, /as required/],
    [
      'a set declared as a set of longs',
      '{ groups?: Set<Long> }',
      { groups: { claim: 'g', type: 'Set<String>' } },
      /as Set<Long>/,
    ],
  ])('%s', (_, tokenClaims, typed, problem) => {
    const load = build(policiesWith(tokenClaims), typed);
    if (problem === undefined) {
      expect(load).not.toThrow();
      return;
    }
    let error: unknown;
    try {
      load();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).path).toBe(`issuers[1].claims.typed.${Object.keys(typed)[0]}.type`);
    expect((error as ConfigError).message).toMatch(problem);
  });
});

describe('issuer entries sharing a key source', () => {
  it('share one cache: one prefetch for two entries of one jwksUri', async () => {
    // Prepare
    idp = await startIdp({ kind: 'jwks', document: jwksOf(es256Key('k1')) });
    const entry = (audience: string) => ({
      issuer: 'https://a',
      audience,
      algorithms: ['ES256'],
      jwksUri: idp?.uri,
    });
    const config = parseAuthorizerConfig(
      { issuers: [entry('api'), entry('bff')], policies: POLICY_DIR, revocations: null },
      { baseDir: '/', defaultPoliciesDir: '/' },
    );

    // Act
    buildAuthorizer(config);
    await eventually(() => idp?.requests() === 1 && idp.pending() === 0, 'the prefetch');

    // Assess
    expect(idp.requests()).toBe(1);
  });
});

/**
 * The published JSON Schema of the config file (schema/zta.config.schema.json, for editor
 * completion) against the parser, which stays the authority: every key the parser accepts is in
 * the schema and nothing else is, every example config in README.md and docs/ passes both, and
 * configs the parser refuses for their shape are refused by the schema too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import {
  CACHES_KEYS,
  GATEWAY_KEYS,
  LOCAL_ISSUER_KEYS,
  parseAuthorizerConfig,
  TOP_KEYS,
} from '../../../../functions/core/config/authorizer-config.ts';
import {
  CLAIM_MAPPING_KEYS,
  ROLE_CLAIM_KEYS,
  TYPED_CLAIM_KEYS,
} from '../../../../functions/core/config/claim-mapping.ts';
import { ISSUER_KEYS, JWKS_CACHE_KEYS } from '../../../../functions/core/config/issuer-config.ts';
import {
  AUTO_REVOCATION_KEYS,
  DYNAMODB_REVOCATIONS_KEYS,
  REVOCATIONS_KEYS,
} from '../../../../functions/core/config/pipeline-config.ts';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const schema = JSON.parse(readFileSync(`${ROOT}schema/zta.config.schema.json`, 'utf8'));
const validate = new Ajv({
  allErrors: true,
  strict: true,
  strictRequired: false,
  allowUnionTypes: true,
  validateFormats: false,
}).compile(schema);
const OPTIONS = { baseDir: '/etc/zta', defaultPoliciesDir: '/etc/zta/policies' };

type Node = {
  properties?: Record<string, Node>;
  oneOf?: Node[];
  $ref?: string;
  additionalProperties?: Node;
  items?: Node;
};
const definition = (name: string): Node => schema.definitions[name];
const keysOf = (node: Node | undefined): string[] => Object.keys(node?.properties ?? {}).sort();

/** Every ```json block of README.md and docs/*.md that is an authorizer config (it has revocations). */
function exampleConfigs(): { where: string; config: unknown }[] {
  const files = ['README.md', ...readdirSync(`${ROOT}docs`).map((f) => `docs/${f}`)].filter((f) =>
    f.endsWith('.md'),
  );
  return files.flatMap((file) =>
    [...readFileSync(`${ROOT}${file}`, 'utf8').matchAll(/^```json[^\n]*\n([\s\S]*?)^```$/gm)]
      .map((match, i) => ({ where: `${file} block ${i + 1}`, text: match[1] as string }))
      .filter(({ text }) => /^\s*\{[\s\S]*"revocations"\s*:/.test(text))
      .map(({ where, text }) => ({ where, config: JSON.parse(text) })),
  );
}

describe('schema/zta.config.schema.json', () => {
  it.each([
    ['(top level)', TOP_KEYS, keysOf(schema)],
    ['issuers[]', ISSUER_KEYS, keysOf(definition('issuer'))],
    ['issuers[].jwksCache', JWKS_CACHE_KEYS, keysOf(definition('issuer').properties?.jwksCache)],
    ['issuers[].claims', CLAIM_MAPPING_KEYS, keysOf(definition('claims'))],
    [
      'issuers[].claims.roles[]',
      ROLE_CLAIM_KEYS,
      keysOf((definition('claims').properties?.roles as { items?: Node } | undefined)?.items),
    ],
    [
      'issuers[].claims.typed.*',
      TYPED_CLAIM_KEYS,
      keysOf(definition('claims').properties?.typed?.additionalProperties),
    ],
    ['revocations', REVOCATIONS_KEYS, schema.properties.revocations.oneOf.flatMap(keysOf).sort()],
    ['revocations.dynamodb', DYNAMODB_REVOCATIONS_KEYS, keysOf(definition('dynamodb'))],
    ['autoRevocation', AUTO_REVOCATION_KEYS, keysOf(schema.properties.autoRevocation)],
    ['gateway', GATEWAY_KEYS, keysOf(schema.properties.gateway)],
    ['caches', CACHES_KEYS, keysOf(schema.properties.caches)],
    ['localIssuer', LOCAL_ISSUER_KEYS, keysOf(definition('localIssuer'))],
  ] as const)('names exactly the keys the parser accepts at %s', (_, parser, inSchema) => {
    expect(inSchema).toEqual([...parser].sort());
  });

  const examples = exampleConfigs();
  it('finds the example configs of README.md (one per identity provider, and more)', () => {
    expect(examples.length).toBeGreaterThanOrEqual(7);
  });

  it.each(examples)('accepts $where, as the parser does', ({ config }) => {
    expect(validate(config), JSON.stringify(validate.errors)).toBe(true);
    expect(() => parseAuthorizerConfig(config, OPTIONS)).not.toThrow();
  });

  const ISSUER = { issuer: 'https://idp', audience: 'api', algorithms: ['ES256'], jwksFile: './j.json' };
  const config = (issuer: Record<string, unknown>, top: Record<string, unknown> = {}) => ({
    issuers: [{ ...ISSUER, ...issuer }],
    revocations: null,
    ...top,
  });
  it('accepts a config that sets every key', () => {
    const full = config(
      {
        audience: ['api'],
        clientIds: ['app'],
        requiredClaims: { token_use: 'access', '/ext/level': [1, 2], flag: true },
        jwksUri: 'https://idp/jwks',
        jwksCache: { maxAgeSeconds: 60, cooldownSeconds: 10, timeoutMs: 1000, maxStaleSeconds: 0 },
        typ: 'at+jwt',
        clockToleranceSeconds: 5,
        maxLifetimeSeconds: 3600,
        claims: {
          roles: [{ claim: ['realm_access', 'roles'], type: 'array' }],
          scopes: ['scope', '/ext/scp'],
          mfaAmrValues: ['mfa'],
          mfaAcrValues: ['gold'],
          mfaBooleanClaims: ['mfa'],
          typed: { tenant: { claim: 'tid', type: 'String' }, groups: { claim: ['g'], type: 'Set<String>' } },
        },
      },
      {
        $schema: './zta.config.schema.json',
        policies: './policies',
        maxTokenBytes: 4096,
        localIssuer: { issuer: 'https://local', audience: 'api', keysDir: './keys', maxTokenTtlSeconds: 600 },
        gateway: { cacheTtlSeconds: 0 },
        caches: { verifiedTokens: 0, decisions: 10 },
      },
    );
    expect(validate(full), JSON.stringify(validate.errors)).toBe(true);
    expect(() => parseAuthorizerConfig(full, OPTIONS)).not.toThrow();
  });

  it.each([
    ['an unknown issuer key', config({ audiences: ['api'] })],
    ['neither audience nor clientIds', config({ audience: undefined })],
    ['no key source', config({ jwksFile: undefined })],
    ['jwksUri with discovery', config({ jwksFile: undefined, jwksUri: 'https://idp/j', discovery: true })],
    ['an http jwksUri off loopback', config({ jwksFile: undefined, jwksUri: 'http://idp/j' })],
    ['HS256', config({ algorithms: ['HS256'] })],
    [
      'a typed claim type Cedar has no name for',
      config({ claims: { typed: { t: { claim: 't', type: 'Number' } } } }),
    ],
    [
      'a typed claim name that is not an identifier',
      config({ claims: { typed: { 'a-b': { claim: 't', type: 'String' } } } }),
    ],
    ['an empty claim path', config({ claims: { scopes: [''] } })],
    ['a required value that is an object', config({ requiredClaims: { a: { b: 1 } } })],
    ['an unknown top-level key', config({}, { cache: {} })],
    ['no revocations', { issuers: [ISSUER] }],
  ])('refuses %s, as the parser does', (_, refused) => {
    const clean = JSON.parse(JSON.stringify(refused));
    expect(validate(clean)).toBe(false);
    expect(() => parseAuthorizerConfig(clean, OPTIONS)).toThrow();
  });
});

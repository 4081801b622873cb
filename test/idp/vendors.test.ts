/**
 * One table of vendor token layouts: every README recipe ("Your identity provider") is built as
 * written — config through the real loader, policy through the real engine, the schema's
 * TokenClaims declaring the recipes' typed claims — with only its key source swapped for a JWKS
 * file of keys generated here. Tokens follow each vendor's documented layout; each row is one
 * REST REQUEST decided by the same code as the Lambda.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAuthorizer } from '../../functions/runtime/build-authorizer.ts';
import { loadConfigFile } from '../../functions/runtime/config-file.ts';
import { createEmptyRevocationStore } from '../../functions/runtime/revocation-document.ts';
import { SCHEMA } from '../policy/helpers.ts';
import { restRequestEvent } from '../support/events.ts';
import { forge } from '../support/forge.ts';
import { generateKey, jwksOf, type TestKey } from '../support/keys.ts';
import { readmeRecipes } from '../support/readme-recipes.ts';
import { tempDirs } from '../unit/helpers.ts';
import { CASES, NOW, type VendorCase } from './vendor-cases.ts';

const dirs = tempDirs('zta-vendors-');
const recipes = readmeRecipes();
let key: TestKey;
const authorizers = new Map<string, ReturnType<typeof buildAuthorizer>>();

// Every typed claim a recipe declares, optional, as its README section tells the reader to add.
const schema = SCHEMA.replace(
  /type TokenClaims = \{[^}]*\};/,
  'type TokenClaims = { tenant?: String, hd?: String, emailVerified?: Bool };',
);

beforeAll(() => {
  key = generateKey('RS256', 'vendor-key');
  for (const [name, recipe] of recipes) {
    const dir = dirs.make();
    mkdirSync(join(dir, 'policies'));
    writeFileSync(join(dir, 'policies', 'schema.cedarschema'), schema);
    writeFileSync(join(dir, 'policies', `${name}.cedar`), recipe.policy);
    writeFileSync(join(dir, 'jwks.json'), JSON.stringify(jwksOf(key)));
    const issuers = recipe.config.issuers.map(({ discovery: _, jwksUri: __, ...issuer }) => ({
      ...issuer,
      jwksFile: './jwks.json',
    }));
    writeFileSync(join(dir, 'zta.config.json'), JSON.stringify({ ...recipe.config, issuers }));
    // As a user would after `zta revocations init`: only a valid document is a store.
    const store = (recipe.config as { revocations?: { file?: string } | null }).revocations?.file;
    if (store) createEmptyRevocationStore(join(dir, store));
    authorizers.set(name, buildAuthorizer(loadConfigFile(join(dir, 'zta.config.json'), '/nonexistent')));
  }
});
afterAll(() => dirs.cleanup());

async function decide(c: VendorCase): Promise<string> {
  const authorizer = authorizers.get(c.vendor);
  if (!authorizer) throw new Error(`no README recipe named ${c.vendor}`);
  const token = forge({
    header: { alg: 'RS256', kid: 'vendor-key', ...c.header },
    claims: c.claims,
    signer: { alg: 'RS256', key: key.privateKey },
  });
  const event = restRequestEvent(`Bearer ${token}`, { method: c.method ?? 'GET', resource: c.route });
  const { decision } = await authorizer.authorize(event, NOW * 1000);
  return decision.effect === 'allow' ? 'allow' : `${decision.status} ${decision.reason}`;
}

describe('README recipes', () => {
  it('has one recipe per provider of issue 11', () => {
    expect([...recipes.keys()].sort()).toEqual(['auth0', 'cognito', 'entra', 'google', 'keycloak', 'okta']);
  });

  it('covers every recipe with ALLOW and DENY rows', () => {
    for (const vendor of recipes.keys()) {
      const outcomes = CASES.filter((c) => c.vendor === vendor).map((c) => c.expect === 'allow');
      expect(outcomes, vendor).toContain(true);
      expect(outcomes, vendor).toContain(false);
    }
  });
});

describe('vendor token layouts', () => {
  it.each(CASES)('$vendor: $name → $expect', async (c) => {
    expect(await decide(c)).toBe(c.expect);
  });
});

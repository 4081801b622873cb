/**
 * Decides one token against issuer entries built from config fragments, with the repository's
 * policies (whose `/api/orders` rules read `context.scopes`) and a key generated at test time.
 */
import { keySourceOf, NOW, type TestIssuer, testAuthorizer } from './authorizer.ts';
import { restRequestEvent } from './events.ts';
import { forge } from './forge.ts';
import { generateKey, jwksOf } from './keys.ts';

export const ISS = 'https://idp.example.test';
export const key = generateKey('ES256', 'k1');
const keys = keySourceOf(jwksOf(key));
export const base = { iss: ISS, sub: 'alice', iat: NOW - 10, exp: NOW + 300 };

// `audience` is left out of the entry when the config gives none (a clientIds-only entry).
export const entry = (config: Record<string, unknown>): TestIssuer => ({
  issuer: ISS,
  audience: config.audience as string[],
  algorithms: ['ES256'],
  keys,
  config,
});

export async function decide(
  entries: readonly Record<string, unknown>[],
  claims: Record<string, unknown>,
  request: { method?: string; route?: string } = {},
): Promise<string> {
  const authorizer = testAuthorizer({ issuers: entries.map(entry) });
  const token = forge({
    header: { alg: 'ES256', typ: 'JWT', kid: 'k1' },
    claims: { ...base, ...claims },
    signer: { alg: 'ES256', key: key.privateKey },
  });
  const route = request.route ?? '/api/orders';
  const { decision } = await authorizer.decide(
    restRequestEvent(`Bearer ${token}`, { method: request.method ?? 'GET', resource: route }),
  );
  return decision.effect === 'allow' ? 'allow' : `${decision.status} ${decision.reason}`;
}

/**
 * OpenID Connect Discovery 1.0 (§4): the provider's configuration document at
 * `<issuer>/.well-known/openid-configuration`, used here for one thing, its `jwks_uri`.
 *
 * Security (§4.3): the document's `issuer` must equal the configured issuer exactly — a
 * document naming another issuer (a mix-up, or a host serving someone else's metadata) is
 * refused — and `jwks_uri` must pass the same transport rule as a configured `jwksUri`
 * (https, or http only on loopback). Any problem throws; callers fail closed.
 */
import { insecureUrlProblem } from '../core/config/reader.ts';
import { fetchJson } from './http-json.ts';

/** Where the discovery document of `issuer` is (a trailing `/` of the issuer is dropped). */
export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
}

/** Fetches the discovery document of `issuer` and returns its checked `jwks_uri`. */
export async function discoverJwksUri(
  issuer: string,
  options: { readonly signal: AbortSignal; readonly fetch?: typeof fetch },
): Promise<string> {
  const url = discoveryUrl(issuer);
  const { value } = await fetchJson(url, options);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error(`${url} is not a JSON object`);
  const document = value as Record<string, unknown>;
  if (document.issuer !== issuer) {
    throw new Error(
      `${url} names issuer ${JSON.stringify(document.issuer)}, not the configured ${JSON.stringify(issuer)}`,
    );
  }
  const jwksUri = document.jwks_uri;
  if (typeof jwksUri !== 'string') throw new Error(`${url} has no jwks_uri string`);
  const problem = insecureUrlProblem(jwksUri);
  if (problem) throw new Error(`${url}: jwks_uri ${problem}`);
  return jwksUri;
}

/**
 * Issuers known only once the stack is deployed, so they cannot be packaged in
 * `zta.config.json` (built before deployment): the suite's own token service, whose JWKS URL
 * holds the API id CloudFormation assigns. The deployment passes them as
 * `ZTA_DEPLOYED_ISSUERS`, a JSON array in the config file's `issuers` shape with `jwksUri`
 * (nothing to package). They are validated by the config's own parser and added to the
 * packaged issuers.
 *
 * Error semantics: any problem (bad JSON, an invalid issuer, a `jwksFile`, an issuer also in
 * the package) throws `ConfigError` naming the variable and the key, so the cold start fails
 * rather than trust an issuer half-understood.
 */
import { type AuthorizerConfig, parseAuthorizerConfig } from '../core/config/authorizer-config.ts';
import { ConfigError, show } from '../core/config/reader.ts';

export const DEPLOYED_ISSUERS_VARIABLE = 'ZTA_DEPLOYED_ISSUERS';

/** `config` with the issuers of `json` (the variable's value) added; unset or empty: `config`. */
export function withDeployedIssuers(config: AuthorizerConfig, json: string | undefined): AuthorizerConfig {
  const at = DEPLOYED_ISSUERS_VARIABLE;
  if (json === undefined || json.trim() === '') return config;
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    throw new ConfigError(at, `not valid JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(raw)) throw new ConfigError(at, `expected a JSON array of issuers, got ${show(raw)}`);
  if (raw.length === 0) return config;
  raw.forEach((issuer, i) => {
    if (issuer !== null && typeof issuer === 'object' && 'jwksFile' in issuer) {
      throw new ConfigError(`${at}[${i}].jwksFile`, 'a deployed issuer fetches its keys: use jwksUri');
    }
  });
  let deployed: AuthorizerConfig['issuers'];
  try {
    deployed = parseAuthorizerConfig(
      { issuers: raw, revocations: null },
      { baseDir: '/', defaultPoliciesDir: config.policiesDir },
    ).issuers;
  } catch (error) {
    if (error instanceof ConfigError)
      throw new ConfigError(`${at}${error.path.replace(/^issuers/, '')}`, problemOf(error));
    throw error;
  }
  const packaged = new Set(config.issuers.map((issuer) => issuer.issuer));
  deployed.forEach((issuer, i) => {
    if (packaged.has(issuer.issuer)) {
      throw new ConfigError(
        `${at}[${i}].issuer`,
        `issuer ${show(issuer.issuer)} is also in the packaged config`,
      );
    }
  });
  return Object.freeze({ ...config, issuers: Object.freeze([...config.issuers, ...deployed]) });
}

function problemOf(error: ConfigError): string {
  return error.message.startsWith(`${error.path}: `)
    ? error.message.slice(error.path.length + 2)
    : error.message;
}

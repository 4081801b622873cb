import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { PolicySource } from '../../functions/core/policy/engine.ts';
import type { PolicyInput, PrincipalFacts, RequestTarget } from '../../functions/core/policy/types.ts';
import { readPolicySource } from '../../functions/runtime/policy-dir.ts';

/** The repository's default policy folder. */
export const POLICY_DIR = fileURLToPath(new URL('../../policies/', import.meta.url));

/** The default policy set as shipped. */
export const defaultSource = (): PolicySource => readPolicySource(POLICY_DIR);

/** The shipped schema text, for sets built in a test. */
export const SCHEMA = readFileSync(`${POLICY_DIR}/schema.cedarschema`, 'utf8');

/**
 * The shipped schema with typed claims declared (as a config's `claims.typed` would require):
 * `tenant?: String, level?: Long, compliant?: Bool, groups?: Set<String>`.
 */
export const SCHEMA_WITH_CLAIMS = (() => {
  const declared = SCHEMA.replace(
    /type TokenClaims = \{[^}]*\};/,
    'type TokenClaims = { tenant?: String, level?: Long, compliant?: Bool, groups?: Set<String> };',
  );
  if (declared === SCHEMA)
    throw new Error('schema.cedarschema no longer declares "type TokenClaims = { … };"');
  return declared;
})();

/** A source with the shipped schema and the given policy files. */
export const sourceWith = (policies: Record<string, string>, schema = SCHEMA): PolicySource => ({
  schema,
  policies,
});

/** 2026-01-01T00:00:00Z */
export const NOW = 1_767_225_600;

/** An engine input with test defaults; pass only what the case is about. */
export function input(
  principal: Partial<PrincipalFacts> = {},
  request: Partial<RequestTarget> = {},
  now = NOW,
): PolicyInput {
  const route = request.route ?? '/api/profile';
  return {
    principal: { issuer: 'https://idp.example.com', subject: 'user-1', roles: [], mfa: false, ...principal },
    request: { method: 'GET', route, path: route, ...request },
    now,
  };
}

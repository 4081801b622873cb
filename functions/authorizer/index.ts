/**
 * The Lambda authorizer: a thin adapter over the decision core. Configuration, keys and the
 * policy set are loaded once per container, at module scope, so a bad config or policy fails
 * the cold start loudly instead of a request; the policy engine already ran one throw-away
 * decision to compile Cedar's wasm. Each invocation decides, records (log line and EMF
 * metrics, see `observe.ts`), and answers.
 *
 * Environment: `ZTA_CONFIG_PATH` (default `zta.config.json` in the package);
 * `ZTA_REVOCATIONS_TABLE` names the DynamoDB revocation table when the deployment creates it
 * (its name is only known at deploy time) and overrides the config's `revocations`;
 * `ZTA_DEPLOYED_ISSUERS` adds issuers whose JWKS URL is only known at deploy time (the suite's
 * own token service; see `runtime/deployed-issuers.ts`);
 * `POWERTOOLS_SERVICE_NAME`, `POWERTOOLS_METRICS_NAMESPACE` (default `ZeroTrustAuthorizer`).
 */
// First: sets how V8 compiles Cedar's wasm before any module loads it (see the file).
import './wasm-tiering.ts';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { AuthorizerResponse } from '../core/api-gateway-response.ts';
import { toApiGatewayResponse, UNAUTHORIZED } from '../core/api-gateway-response.ts';
import type { AuthorizerConfig } from '../core/config/authorizer-config.ts';
import { parseRevocations } from '../core/config/pipeline-config.ts';
import { buildAuthorizer } from '../runtime/build-authorizer.ts';
import { loadConfigFile } from '../runtime/config-file.ts';
import { withDeployedIssuers } from '../runtime/deployed-issuers.ts';
import { createDecisionObserver } from './observe.ts';

const taskRoot = process.env.LAMBDA_TASK_ROOT ?? process.cwd();
const configPath = process.env.ZTA_CONFIG_PATH ?? resolve(taskRoot, 'zta.config.json');
const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'zta-authorizer';

const logger = new Logger({ serviceName });
const metrics = new Metrics({
  serviceName,
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'ZeroTrustAuthorizer',
});
const config = withDeployedIssuers(
  withTableFromEnv(
    loadConfigFile(configPath, resolve(taskRoot, 'policies')),
    process.env.ZTA_REVOCATIONS_TABLE,
  ),
  process.env.ZTA_DEPLOYED_ISSUERS,
);
// Written by the bundler (`bundle.ts`); used only if it matches the packaged policy files.
const compiledPolicies = readCompiledPolicies(resolve(taskRoot, 'compiled-policies.json'));
const authorizer = buildAuthorizer(config, { watchFiles: false, compiledPolicies });
if (compiledPolicies !== undefined && !authorizer.policy.fromCompiled) {
  logger.warn('compiled-policies.json does not match the packaged policies: validated them in full');
}
logger.info('policy set loaded', {
  policyRevision: authorizer.policy.revision,
  policies: authorizer.policy.policyIds.length,
  fromCompiled: authorizer.policy.fromCompiled,
});
const observe = createDecisionObserver(logger, metrics);

export async function handler(event: unknown): Promise<AuthorizerResponse> {
  const outcome = await authorizer.authorize(event, Date.now());
  observe(outcome.record);
  const response = toApiGatewayResponse(outcome);
  if (response === UNAUTHORIZED) throw new Error(UNAUTHORIZED);
  return response;
}

/**
 * The table named by the deployment replaces the packaged `revocations` (the packaged cache
 * settings are kept), validated by the config's own parser.
 */
function withTableFromEnv(config: AuthorizerConfig, tableName: string | undefined): AuthorizerConfig {
  if (tableName === undefined || tableName === '') return config;
  const current = config.revocations?.kind === 'dynamodb' ? config.revocations : undefined;
  const dynamodb = {
    tableName,
    ...(current?.region ? { region: current.region } : {}),
    ...(current?.endpoint ? { endpoint: current.endpoint } : {}),
    ...(current ? { cacheSeconds: current.cacheSeconds, maxCacheEntries: current.maxCacheEntries } : {}),
  };
  const revocations = parseRevocations({ revocations: { dynamodb } }, (p) => p);
  return Object.freeze({ ...config, revocations });
}

/** The parsed file, or undefined when it is absent or not JSON (the policies then load in full). */
function readCompiledPolicies(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}

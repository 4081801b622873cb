/**
 * The Lambda authorizer: a thin adapter over the decision core. Configuration, keys and the
 * policy set are loaded once per container, at module scope, so a bad config or policy fails
 * the cold start loudly instead of a request; the policy engine already ran one throw-away
 * decision to compile Cedar's wasm. Each invocation decides, logs one record, and answers.
 */
import { resolve } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { buildAuthorizer } from '../runtime/build-authorizer.ts';
import { loadConfigFile } from '../runtime/config-file.ts';
import type { AuthorizerResponse } from './response.ts';
import { toApiGatewayResponse, UNAUTHORIZED } from './response.ts';

const taskRoot = process.env.LAMBDA_TASK_ROOT ?? process.cwd();
const configPath = process.env.ZTA_CONFIG_PATH ?? resolve(taskRoot, 'zta.config.json');

const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'zta-authorizer' });
const authorizer = buildAuthorizer(loadConfigFile(configPath, resolve(taskRoot, 'policies')), {
  watchFiles: false,
});

let logFailures = 0;

export async function handler(event: unknown): Promise<AuthorizerResponse> {
  const outcome = await authorizer.authorize(event, Date.now());
  try {
    logger.info('authorization decision', { ...outcome.record });
  } catch {
    // A logging failure must never change a decision; it is counted and surfaced next time.
    logFailures++;
  }
  if (logFailures > 0) {
    try {
      logger.warn('decision log failures', { count: logFailures });
      logFailures = 0;
    } catch {
      /* still failing: keep counting */
    }
  }
  const response = toApiGatewayResponse(outcome);
  if (response === UNAUTHORIZED) throw new Error(UNAUTHORIZED);
  return response;
}

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../core/config/reader.ts';
import type { Env } from '../runtime/env.ts';
import { parseTokenServiceConfig, type TokenServiceConfig } from './config.ts';

/**
 * Reads the token service config from inline JSON (an environment value, which lets CDK put
 * deploy-time role ARNs in it) or else from a file bundled with the function. Throws
 * `ConfigError`; the handlers call this at module scope, so a bad config fails the cold start.
 */
export function readTokenServiceConfig(source: {
  readonly inline?: string | undefined;
  readonly path: string;
}): TokenServiceConfig {
  let text: string;
  let where: string;
  if (source.inline !== undefined && source.inline !== '') {
    text = source.inline;
    where = 'inline config';
  } else {
    where = source.path;
    try {
      text = readFileSync(source.path, 'utf8');
    } catch (error) {
      throw new ConfigError(
        '(config)',
        `cannot read ${source.path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      );
    }
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ConfigError('(config)', `${where} is not valid JSON`);
  }
  return parseTokenServiceConfig(raw);
}

/**
 * The config a Lambda of the token service runs with: `ZTA_TOKEN_CONFIG` (inline JSON) or the
 * file `ZTA_TOKEN_CONFIG_PATH` (default `$LAMBDA_TASK_ROOT/zta-token.config.json`).
 */
export function tokenServiceConfigFromEnv(env: Env): TokenServiceConfig {
  return readTokenServiceConfig({
    inline: env.ZTA_TOKEN_CONFIG,
    path:
      env.ZTA_TOKEN_CONFIG_PATH ?? resolve(env.LAMBDA_TASK_ROOT ?? process.cwd(), 'zta-token.config.json'),
  });
}

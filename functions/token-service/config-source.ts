import { readFileSync } from 'node:fs';
import { ConfigError } from '../core/config/reader.ts';
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

/** The value of a required environment variable, or an error naming it. */
export function required(name: string, value: string | undefined): string {
  if (value === undefined || value === '') throw new Error(`environment variable ${name} is required`);
  return value;
}

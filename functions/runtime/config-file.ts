import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type AuthorizerConfig, parseAuthorizerConfig } from '../core/config/authorizer-config.ts';
import { ConfigError } from '../core/config/reader.ts';

/**
 * Reads and validates a config file; paths in it are relative to the file, and
 * `defaultPoliciesDir` stands in when it names no policies folder. Throws
 * `ConfigError` with the file and the bad key named.
 */
export function loadConfigFile(path: string, defaultPoliciesDir: string): AuthorizerConfig {
  const absolute = resolve(path);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    throw new ConfigError(
      path,
      `cannot read config file (${(error as NodeJS.ErrnoException).code ?? error})`,
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(path, `not valid JSON (${(error as Error).message})`);
  }
  try {
    return parseAuthorizerConfig(raw, { baseDir: dirname(absolute), defaultPoliciesDir });
  } catch (error) {
    if (error instanceof ConfigError)
      throw new ConfigError(`${path}: ${error.path}`, error.message.slice(error.path.length + 2));
    throw error;
  }
}

import { existsSync, statSync } from 'node:fs';
import type { AuthorizerConfig } from '../../functions/core/config/authorizer-config.ts';
import { type BuiltAuthorizer, buildAuthorizer } from '../../functions/runtime/build-authorizer.ts';
import { loadConfigFile } from '../../functions/runtime/config-file.ts';
import { REPO_POLICIES, UsageError } from './io.ts';

/** Reads `--config`; the CLI's only source of configuration. */
export function readConfig(path: string | undefined): AuthorizerConfig {
  const fix = 'give your authorizer config, e.g. --config zta.config.json, which zta init writes';
  if (path === undefined) throw new UsageError('--config <file> is required', fix);
  if (!existsSync(path)) throw new UsageError(`--config ${path}: no such file`, fix);
  if (!statSync(path).isFile()) throw new UsageError(`--config ${path}: not a file`, fix);
  return loadConfigFile(path, REPO_POLICIES);
}

/** Config, keys, policies and revocation store, all validated before anything is decided. */
export function loadAuthorizer(path: string | undefined): BuiltAuthorizer {
  return buildAuthorizer(readConfig(path));
}

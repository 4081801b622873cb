import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import type { LocalIssuerConfig } from '../../functions/core/config/authorizer-config.ts';
import { LocalKeyStore } from '../../functions/runtime/local-key-store.ts';
import { UsageError } from './io.ts';
import type { Command } from './main.ts';
import { readConfig } from './runtime.ts';

const options = {
  config: { type: 'string' },
  sub: { type: 'string' },
  role: { type: 'string', multiple: true },
  mfa: { type: 'boolean' },
  ttl: { type: 'string' },
  aud: { type: 'string' },
  jti: { type: 'string' },
} as const;

export const token: Command = {
  summary: 'mint a dev token signed by the local issuer key',
  help: `
Usage: zta token --config <file> --sub <subject> [--role <role>]... [--mfa] [--ttl <seconds>] [--aud <aud>] [--jti <id>]

Prints a JWT signed (ES256) by the config's localIssuer active key, creating the first key if
none exists. For local use only: the local issuer is trusted only where a config says so.
  --sub <subject>   the subject (required)
  --role <role>     a role; repeat for several (sent as the "roles" array)
  --mfa             mark MFA as verified (amr: ["pwd", "mfa"]); without it amr is ["pwd"]
  --ttl <seconds>   lifetime, default 900, at most localIssuer.maxTokenTtlSeconds
  --aud <audience>  default: localIssuer.audience
  --jti <id>        default: a random UUID`,
  options,

  async run(args) {
    const { values } = parseArgs({ args, options, strict: true });
    const local = localIssuerOf(values.config);
    if (!values.sub)
      throw new UsageError('--sub <subject> is required', 'name who the token is for, e.g. --sub alice');
    const ttl = values.ttl === undefined ? 900 : Number(values.ttl);
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > local.maxTokenTtlSeconds) {
      throw new UsageError(
        `--ttl expects whole seconds from 1 to ${local.maxTokenTtlSeconds}, got ${JSON.stringify(values.ttl)}`,
        'e.g. --ttl 900; localIssuer.maxTokenTtlSeconds in the config sets the upper bound',
      );
    }
    process.stdout.write(
      `${await mintLocalToken(new LocalKeyStore(local), {
        sub: values.sub,
        roles: values.role ?? [],
        mfa: values.mfa ?? false,
        ttlSeconds: ttl,
        ...(values.aud !== undefined ? { aud: values.aud } : {}),
        ...(values.jti !== undefined ? { jti: values.jti } : {}),
      })}\n`,
    );
    return 0;
  },
};

export function localIssuerOf(configPath: string | undefined): LocalIssuerConfig {
  const config = readConfig(configPath);
  if (!config.localIssuer)
    throw new UsageError(
      `${configPath} has no "localIssuer" section to sign with`,
      'add "localIssuer": { "issuer": …, "audience": …, "keysDir": "./keys" } to it',
    );
  return config.localIssuer;
}

export interface TokenRequest {
  readonly sub: string;
  readonly roles: readonly string[];
  readonly mfa: boolean;
  readonly ttlSeconds: number;
  readonly aud?: string;
  readonly jti?: string;
  readonly now?: number;
}

/** Claims of a local dev token, signed by the store's active key. */
export function mintLocalToken(store: LocalKeyStore, request: TokenRequest): Promise<string> {
  const now = request.now ?? Math.floor(Date.now() / 1000);
  return store.sign({
    iss: store.config.issuer,
    aud: request.aud ?? store.config.audience,
    sub: request.sub,
    iat: now,
    nbf: now,
    exp: now + request.ttlSeconds,
    auth_time: now,
    jti: request.jti ?? randomUUID(),
    amr: request.mfa ? ['pwd', 'mfa'] : ['pwd'],
    ...(request.roles.length > 0 ? { roles: [...request.roles] } : {}),
  });
}

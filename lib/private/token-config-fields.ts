import {
  ConfigError,
  type Json,
  join,
  objectAt,
  onlyKeys,
  show,
  stringOrStrings,
} from '../../functions/core/config/reader.ts';
import { integer, section } from './config-fields.ts';
import { checkTokenServiceSettings, type TokenServiceSettings } from './token-service-config.ts';

/**
 * The authorizer trusts the suite's own issuer: its `audience` list and how long it caches the
 * JWKS (which must stay below the rotation's propagation delay, or a verifier could meet a new
 * key's token before it has the key).
 */
export interface AuthorizerTrustConfig {
  readonly audience: readonly string[];
  readonly jwksCacheSeconds: number;
}

/** `tokenService` in `config/<env>.json`: the workload-token service and its key rotation. */
export interface DeployedTokenService {
  /** The runtime config without the deployment's members (docs/key-rotation.md). */
  readonly runtime: TokenServiceSettings;
  /** The tokens' `iss`. */
  readonly issuer: string;
  /** Token lifetime cap and the verifiers' clock tolerance, defaults applied. */
  readonly maxTtlSeconds: number;
  readonly clockToleranceSeconds: number;
  /** The IAM roles that may ask for tokens (the API's resource policy names them). */
  readonly workloadRoleArns: readonly string[];
  /** How often the rotator runs (EventBridge Scheduler `rate`). */
  readonly rotationCheckMinutes: number;
  /** Stage throttling of the token API. */
  readonly throttling: { readonly rateLimit: number; readonly burstLimit: number };
  /** `null`: the authorizer does not trust the suite's issuer (a visible choice). */
  readonly authorizerTrust: AuthorizerTrustConfig | null;
}

/** The parts of the environment config the token service's checks depend on. */
export interface TokenServiceContext {
  /** The environment name: the SPIFFE ids' environment segment. */
  readonly name: string;
  readonly natGateways: number;
  readonly endpointType: 'REGIONAL' | 'PRIVATE';
  /** Issuers the authorizer's runtime config already trusts. */
  readonly issuers: readonly string[];
}

const AT = 'tokenService';

/**
 * Reads and checks `tokenService`. `runtime` goes through the handlers' own parser; on top of
 * that the deployment refuses a schedule slower than the propagation delay (a next key would
 * wait longer than planned before it signs) and an authorizer trust the network cannot serve.
 */
export function tokenService(root: Json, context: TokenServiceContext): DeployedTokenService {
  const raw = section(root, AT, ['runtime', 'rotationCheckMinutes', 'throttling', 'authorizerTrust']);
  const runtimeAt = join(AT, 'runtime');
  const runtime = objectAt(raw.runtime, runtimeAt);
  let parsed: ReturnType<typeof checkTokenServiceSettings>;
  try {
    parsed = checkTokenServiceSettings(runtime, {
      environment: context.name,
      keyAlias: defaultKeyAlias(context.name),
      rotationId: defaultRotationId(context.name),
    });
  } catch (error) {
    if (error instanceof ConfigError) throw prefixed(error, `${runtimeAt}.`);
    throw error;
  }

  const delayMinutes = Math.floor(parsed.rotation.propagationDelaySeconds / 60);
  const rotationCheckMinutes = integer(raw, 'rotationCheckMinutes', AT, 1, delayMinutes);
  const throttlingRaw = section(raw, 'throttling', ['rateLimit', 'burstLimit'], AT);
  const throttling = {
    rateLimit: integer(throttlingRaw, 'rateLimit', join(AT, 'throttling'), 1, 10_000),
    burstLimit: integer(throttlingRaw, 'burstLimit', join(AT, 'throttling'), 1, 5_000),
  };

  return {
    runtime,
    issuer: parsed.issuer,
    maxTtlSeconds: parsed.tokens.maxTtlSeconds,
    clockToleranceSeconds: parsed.tokens.clockToleranceSeconds,
    workloadRoleArns: parsed.workloads.map((w) => w.roleArn),
    rotationCheckMinutes,
    throttling,
    authorizerTrust: authorizerTrust(raw.authorizerTrust, parsed, context),
  };
}

/** `alias/zta-token-<env>`: one alias per environment and account. */
export function defaultKeyAlias(environment: string): string {
  return `alias/zta-token-${environment}`;
}

/** `zta-token-<env>`, the runtime's own default. */
export function defaultRotationId(environment: string): string {
  return `zta-token-${environment}`;
}

function authorizerTrust(
  value: unknown,
  parsed: ReturnType<typeof checkTokenServiceSettings>,
  context: TokenServiceContext,
): AuthorizerTrustConfig | null {
  const at = join(AT, 'authorizerTrust');
  if (value === null) return null;
  if (value === undefined)
    throw new ConfigError(at, 'is required: { "audience": [...], "jwksCacheSeconds": 600 } or null');
  const obj = objectAt(value, at);
  onlyKeys(obj, at, ['audience', 'jwksCacheSeconds']);
  if (context.endpointType === 'REGIONAL' && context.natGateways === 0) {
    throw new ConfigError(
      at,
      'the authorizer cannot fetch the JWKS: a REGIONAL token API is reached over the internet and the ' +
        'subnets are isolated (network.natGateways is 0). Use api.endpointType PRIVATE (through the ' +
        'execute-api endpoint), add NAT, or set null',
    );
  }
  if (context.issuers.includes(parsed.issuer)) {
    throw new ConfigError(
      at,
      `the issuer ${show(parsed.issuer)} is already in authorizer.runtime.issuers: trust it in one place`,
    );
  }
  const delay = parsed.rotation.propagationDelaySeconds;
  return {
    audience: stringOrStrings(obj, 'audience', at),
    // A cache as long as the delay would let a verifier miss a next key when it starts signing.
    jwksCacheSeconds: integer(obj, 'jwksCacheSeconds', at, 1, delay - 1),
  };
}

function prefixed(error: ConfigError, prefix: string): ConfigError {
  const problem = error.message.startsWith(`${error.path}: `)
    ? error.message.slice(error.path.length + 2)
    : error.message;
  return new ConfigError(`${prefix}${error.path}`, problem);
}

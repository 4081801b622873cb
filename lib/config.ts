/**
 * Per-environment deployment configuration: `config/<env>.json`, read once when the CDK app
 * starts, validated, frozen and typed. A bad value stops the app with a `ConfigError` naming
 * the file and the key path (`config/prod.json: alarms.latencyP99Ms: ...`) and showing the value.
 *
 * This is the *deployment* config (network, API, alarms...). The authorizer's *runtime* config
 * (`authorizer.runtime`: issuers, policies, revocations) is validated here with the very parser
 * the Lambda runs at cold start, so a config that synthesizes is one the function accepts.
 */

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join as joinPath, relative, resolve } from 'node:path';
import { parseAuthorizerConfig } from '../functions/core/config/authorizer-config.ts';
import { deepFreeze } from '../functions/core/config/deep-freeze.ts';
import {
  ConfigError,
  type Json,
  join,
  objectAt,
  onlyKeys,
  requiredString,
  show,
} from '../functions/core/config/reader.ts';
import {
  type ApiGatewayAccountRole,
  apiGatewayAccountRole,
  type ReservedConcurrency,
  reservedConcurrency,
  type WebAclConfig,
  webAcl,
} from './private/account-config-fields.ts';
import { cidr, integer, oneOf, section } from './private/config-fields.ts';
import {
  autoRevocation,
  type DecisionEventsConfig,
  type DeployedAutoRevocation,
  type DeployedRevocations,
  decisionEvents,
  deployedRevocations,
} from './private/pipeline-config-fields.ts';
import { type DeployedTokenService, tokenService } from './private/token-config-fields.ts';

/** The repository root (this file lives in `lib/`). */
export const REPO_ROOT = resolve(import.meta.dirname, '..');
/** Where `config/<env>.json` files live. */
export const CONFIG_DIR = joinPath(REPO_ROOT, 'config');
/** The Cedar policies deployed when the runtime config names no `policies` folder. */
export const DEFAULT_POLICIES_DIR = joinPath(REPO_ROOT, 'policies');

/** CloudWatch Logs accepts only these retention periods (days). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;
export type LogRetentionDays = (typeof LOG_RETENTION_DAYS)[number];

export type EndpointType = 'REGIONAL' | 'PRIVATE';

/** The authorizer runtime config as it will be written into the bundle's `zta.config.json`. */
export type DeployedRuntimeConfig = {
  readonly issuers: ReadonlyArray<Record<string, unknown>>;
  /** Cedar policies folder, relative to `baseDir` (or absolute). */
  readonly policies: string;
  /** The revocation table the stack creates and the authorizer reads. */
  readonly revocations: DeployedRevocations;
  readonly maxTokenBytes?: number;
};

export interface EnvironmentConfig {
  /** File name without `.json`: `dev`, `staging`, `prod`. */
  readonly name: string;
  /**
   * What happens to data-bearing resources (key, tables, log groups, queues, the event archive)
   * when the stack or the resource goes: `retain` keeps them, except when the stack's own
   * creation rolls back (nothing served yet, and a retry must not meet leftovers).
   */
  readonly removalPolicy: 'destroy' | 'retain';
  /** Who provides API Gateway's account-level CloudWatch Logs role (one per account and region). */
  readonly apiGatewayAccountRole: ApiGatewayAccountRole;
  /** Lambda concurrency reserved per function; each reservation needs account quota. */
  readonly reservedConcurrency: ReservedConcurrency;
  readonly network: {
    /** Literal IPv4 CIDR of the VPC; security group rules use it verbatim (never a token). */
    readonly vpcCidr: string;
    readonly maxAzs: number;
    /** 0 keeps every subnet isolated; more adds public subnets and NAT for external JWKS. */
    readonly natGateways: number;
  };
  readonly logs: { readonly retentionDays: LogRetentionDays };
  readonly api: {
    readonly endpointType: EndpointType;
    readonly stageName: string;
    readonly throttling: { readonly rateLimit: number; readonly burstLimit: number };
    /** AWS WAF in front of the stages (REGIONAL only); `null`: none. */
    readonly webAcl: WebAclConfig | null;
  };
  readonly authorizer: {
    /** API Gateway authorizer result cache; 0 disables caching. */
    readonly cacheTtlSeconds: number;
    readonly memorySize: number;
    readonly timeoutSeconds: number;
    readonly runtime: DeployedRuntimeConfig;
    /** Folder that relative paths in `runtime` resolve against (the config folder). */
    readonly baseDir: string;
  };
  readonly alarms: {
    /** Authorizer invocation errors per period that raise the alarm. */
    readonly errorsPerPeriod: number;
    /** p99 authorizer duration (ms) that raises the alarm. */
    readonly latencyP99Ms: number;
    readonly periodSeconds: number;
    readonly evaluationPeriods: number;
    /** Share of decisions that are denials (percent) that raises the deny-rate alarm. */
    readonly denyRatePercent: number;
    /** Decisions a period needs before its deny rate counts. */
    readonly denyRateMinDecisions: number;
  };
  /** The suite's event bus. */
  readonly decisionEvents: DecisionEventsConfig;
  /** Per-principal denial-spike detection, which triggers revocation. */
  readonly autoRevocation: DeployedAutoRevocation;
  /** The workload-token service and its signing-key rotation (docs/key-rotation.md). */
  readonly tokenService: DeployedTokenService;
}

const TOP_KEYS = [
  'removalPolicy',
  'apiGatewayAccountRole',
  'reservedConcurrency',
  'network',
  'logs',
  'api',
  'authorizer',
  'alarms',
  'decisionEvents',
  'autoRevocation',
  'tokenService',
];
const ENV_NAME = /^[a-z][a-z0-9-]{0,31}$/;

/** Names of the environments that have a `config/<env>.json`. */
export function listEnvironments(configDir: string = CONFIG_DIR): string[] {
  return readdirSync(configDir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .filter((name) => ENV_NAME.test(name))
    .sort();
}

/**
 * Reads and validates `config/<name>.json`. Throws `ConfigError` whose message starts with
 * the file (relative to the repository) and the key path.
 */
export function loadEnvironmentConfig(name: unknown, configDir: string = CONFIG_DIR): EnvironmentConfig {
  const available = listEnvironments(configDir);
  if (typeof name !== 'string' || !available.includes(name)) {
    const hint = `pass -c env=<${available.join('|')}>`;
    throw new ConfigError(
      'env',
      `${name === undefined ? 'is required' : `unknown environment ${show(name)}`}: ${hint}`,
    );
  }
  const file = joinPath(configDir, `${name}.json`);
  const source = relative(REPO_ROOT, file) || file;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(source, `not valid JSON (${(error as Error).message})`);
  }
  try {
    return parseEnvironmentConfig(raw, { name, baseDir: configDir });
  } catch (error) {
    if (error instanceof ConfigError) throw withPathPrefix(error, `${source}: `);
    throw error;
  }
}

/** Validates an already-parsed config object (exported for tests). */
export function parseEnvironmentConfig(
  raw: unknown,
  options: { name: string; baseDir: string },
): EnvironmentConfig {
  const root = objectAt(raw, '(config)');
  onlyKeys(root, '', TOP_KEYS);
  for (const key of TOP_KEYS) if (root[key] === undefined) throw new ConfigError(key, 'is required');

  const removalPolicy = oneOf(root, 'removalPolicy', '', ['destroy', 'retain'] as const);

  const networkRaw = section(root, 'network', ['vpcCidr', 'maxAzs', 'natGateways']);
  const network = {
    vpcCidr: cidr(networkRaw, 'vpcCidr', 'network'),
    maxAzs: integer(networkRaw, 'maxAzs', 'network', 2, 3),
    natGateways: integer(networkRaw, 'natGateways', 'network', 0, 3),
  };

  const logsRaw = section(root, 'logs', ['retentionDays']);
  const retentionDays = logsRaw.retentionDays;
  if (!LOG_RETENTION_DAYS.includes(retentionDays as LogRetentionDays)) {
    throw new ConfigError(
      'logs.retentionDays',
      `expected one of ${LOG_RETENTION_DAYS.join(', ')}, got ${show(retentionDays)}`,
    );
  }

  const apiRaw = section(root, 'api', ['endpointType', 'stageName', 'throttling'], '', ['webAcl']);
  const throttlingRaw = section(apiRaw, 'throttling', ['rateLimit', 'burstLimit'], 'api');
  const stageName = requiredString(apiRaw, 'stageName', 'api');
  if (!/^[A-Za-z0-9_]{1,64}$/.test(stageName)) {
    throw new ConfigError(
      'api.stageName',
      `expected letters, digits or _ (API Gateway stage name), got ${show(stageName)}`,
    );
  }
  const endpointType = oneOf(apiRaw, 'endpointType', 'api', ['REGIONAL', 'PRIVATE'] as const);
  const api = {
    endpointType,
    stageName,
    throttling: {
      rateLimit: integer(throttlingRaw, 'rateLimit', 'api.throttling', 1, 10_000),
      burstLimit: integer(throttlingRaw, 'burstLimit', 'api.throttling', 1, 5_000),
    },
    webAcl: webAcl(apiRaw, endpointType),
  };

  const authorizerRaw = section(root, 'authorizer', [
    'cacheTtlSeconds',
    'memorySize',
    'timeoutSeconds',
    'runtime',
  ]);
  const runtime = parseRuntime(authorizerRaw.runtime, options.baseDir, network.natGateways);
  const authorizer = {
    cacheTtlSeconds: integer(authorizerRaw, 'cacheTtlSeconds', 'authorizer', 0, 3600),
    memorySize: integer(authorizerRaw, 'memorySize', 'authorizer', 128, 10_240),
    // API Gateway stops waiting for a Lambda authorizer after about 10 s.
    timeoutSeconds: integer(authorizerRaw, 'timeoutSeconds', 'authorizer', 1, 10),
    runtime,
    baseDir: options.baseDir,
  };

  const alarmsRaw = section(root, 'alarms', [
    'errorsPerPeriod',
    'latencyP99Ms',
    'periodSeconds',
    'evaluationPeriods',
    'denyRatePercent',
    'denyRateMinDecisions',
  ]);
  const alarms = {
    errorsPerPeriod: integer(alarmsRaw, 'errorsPerPeriod', 'alarms', 1, 1_000_000),
    latencyP99Ms: integer(alarmsRaw, 'latencyP99Ms', 'alarms', 1, authorizer.timeoutSeconds * 1000),
    periodSeconds: oneOf(alarmsRaw, 'periodSeconds', 'alarms', [60, 300, 900, 3600] as const),
    evaluationPeriods: integer(alarmsRaw, 'evaluationPeriods', 'alarms', 1, 24),
    denyRatePercent: integer(alarmsRaw, 'denyRatePercent', 'alarms', 1, 100),
    denyRateMinDecisions: integer(alarmsRaw, 'denyRateMinDecisions', 'alarms', 1, 1_000_000),
  };

  return deepFreeze({
    name: options.name,
    removalPolicy,
    apiGatewayAccountRole: apiGatewayAccountRole(root),
    reservedConcurrency: reservedConcurrency(root),
    network,
    logs: { retentionDays: retentionDays as LogRetentionDays },
    api,
    authorizer,
    alarms,
    decisionEvents: decisionEvents(root),
    autoRevocation: autoRevocation(root),
    tokenService: tokenService(root, {
      name: options.name,
      natGateways: network.natGateways,
      endpointType: api.endpointType,
      issuers: runtime.issuers.map((issuer) => String(issuer.issuer)),
    }),
  });
}

/**
 * The runtime section goes through the Lambda's own parser; on top of that, the deployment
 * refuses what cannot work (or must not ship) in the Lambda: local-only keys, anything but the
 * stack's DynamoDB revocation table, JWKS files that do not exist, and JWKS URIs in a VPC with
 * no route to the internet.
 */
function parseRuntime(raw: unknown, baseDir: string, natGateways: number): DeployedRuntimeConfig {
  const at = 'authorizer.runtime';
  const obj = objectAt(raw, at);
  onlyKeys(obj, at, ['issuers', 'policies', 'revocations', 'maxTokenBytes']);
  const revocations = deployedRevocations(obj.revocations, join(at, 'revocations'));
  try {
    parseAuthorizerConfig(obj, { baseDir, defaultPoliciesDir: DEFAULT_POLICIES_DIR });
  } catch (error) {
    if (error instanceof ConfigError) throw withPathPrefix(error, `${at}.`);
    throw error;
  }
  const issuers = obj.issuers as Json[];
  issuers.forEach((issuer, i) => {
    const where = join(join(at, 'issuers'), i);
    if (typeof issuer.jwksFile === 'string') {
      const file = isAbsolute(issuer.jwksFile) ? issuer.jwksFile : resolve(baseDir, issuer.jwksFile);
      if (!existsSync(file)) throw new ConfigError(join(where, 'jwksFile'), `no such file: ${show(file)}`);
    }
    const remote =
      typeof issuer.jwksUri === 'string' ? 'jwksUri' : issuer.discovery === true ? 'discovery' : undefined;
    if (remote && natGateways === 0) {
      throw new ConfigError(
        join(where, remote),
        'the subnets are isolated (network.natGateways is 0): fetching keys needs NAT, or ship them with jwksFile',
      );
    }
  });
  const policies = typeof obj.policies === 'string' ? obj.policies : relative(baseDir, DEFAULT_POLICIES_DIR);
  const policiesDir = isAbsolute(policies) ? policies : resolve(baseDir, policies);
  if (!existsSync(policiesDir))
    throw new ConfigError(join(at, 'policies'), `no such folder: ${show(policiesDir)}`);
  return {
    issuers: issuers as DeployedRuntimeConfig['issuers'],
    policies,
    revocations,
    ...(typeof obj.maxTokenBytes === 'number' ? { maxTokenBytes: obj.maxTokenBytes } : {}),
  };
}

/** The same refusal with `prefix` in front of its key path (a file, a parent key, a construct). */
export function withPathPrefix(error: ConfigError, prefix: string): ConfigError {
  const problem = error.message.startsWith(`${error.path}: `)
    ? error.message.slice(error.path.length + 2)
    : error.message;
  return new ConfigError(`${prefix}${error.path}`, problem);
}

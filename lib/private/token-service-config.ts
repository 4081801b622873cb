/**
 * The token service's runtime config (docs/key-rotation.md, "Configuration reference") as the
 * deployment writes it: the operator's settings from `config/<env>.json` plus the members only
 * the deployment knows (the environment, the KMS alias, the rotation id, and the key policy's
 * role ARNs, which are CloudFormation references). The handlers read it as `ZTA_TOKEN_CONFIG`.
 */
import { ConfigError, type Json, join, objectAt } from '../../functions/core/config/reader.ts';
import { parseTokenServiceConfig, type TokenServiceConfig } from '../../functions/workload-keys/config.ts';

/**
 * The operator's part of the token service config: the runtime document without
 * `environment`, `signing.keyAlias`, `signing.keyPolicy` and `rotation.id`.
 */
export type TokenServiceSettings = Readonly<Record<string, unknown>>;

/** What the deployment adds to the operator's settings. */
export interface TokenServiceDeployment {
  /** The SPIFFE ids' environment segment (`spiffe://<trustDomain>/<environment>/<service>`). */
  readonly environment: string;
  /** `alias/<name>`: what the rotator moves and the signer follows. */
  readonly keyAlias: string;
  /** The state item's key and the signing keys' `zta:rotation-id` tag. */
  readonly rotationId: string;
  /** Role ARNs (CloudFormation references) for the key policy of every new signing key. */
  readonly keyPolicy: { readonly signerRoleArns: readonly string[]; readonly rotatorRoleArn: string };
}

/** Members of the runtime document the deployment owns, by path. */
const DEPLOYMENT_OWNED: ReadonlyArray<readonly [section: string | null, key: string, why: string]> = [
  [null, 'environment', 'the environment name'],
  ['signing', 'keyAlias', 'alias/zta-token-<environment>'],
  ['signing', 'keyPolicy', "the token service's and the rotator's roles"],
  ['rotation', 'id', 'zta-token-<environment>'],
];

/** A role ARN the parser accepts, standing in for a CloudFormation reference at synth time. */
const PLACEHOLDER_ROLE_ARN = 'arn:aws:iam::123456789012:role/zta-deploy-time-placeholder';

/** The runtime document: the settings with the deployment's members added. */
export function composeTokenServiceConfig(
  settings: TokenServiceSettings,
  deployment: TokenServiceDeployment,
): Json {
  refuseDeploymentOwned(settings);
  const section = (key: string): Json => (settings[key] === undefined ? {} : (settings[key] as Json));
  return {
    ...settings,
    environment: deployment.environment,
    signing: {
      ...section('signing'),
      keyAlias: deployment.keyAlias,
      keyPolicy: {
        signerRoleArns: [...deployment.keyPolicy.signerRoleArns],
        rotatorRoleArn: deployment.keyPolicy.rotatorRoleArn,
      },
    },
    rotation: { ...section('rotation'), id: deployment.rotationId },
  };
}

/**
 * Validates the settings with the handlers' own parser (the role ARNs replaced by a
 * placeholder), so a config that synthesizes is one the functions accept at cold start.
 * Returns the parsed config, defaults applied. Throws `ConfigError` with the runtime's paths.
 */
export function checkTokenServiceSettings(
  settings: TokenServiceSettings,
  deployment: Omit<TokenServiceDeployment, 'keyPolicy'>,
): TokenServiceConfig {
  return parseTokenServiceConfig(
    composeTokenServiceConfig(settings, {
      ...deployment,
      keyPolicy: { signerRoleArns: [PLACEHOLDER_ROLE_ARN], rotatorRoleArn: PLACEHOLDER_ROLE_ARN },
    }),
  );
}

function refuseDeploymentOwned(settings: TokenServiceSettings): void {
  const root = objectAt(settings, '(config)');
  for (const [section, key, why] of DEPLOYMENT_OWNED) {
    const holder = section === null ? root : root[section];
    if (holder !== null && typeof holder === 'object' && key in holder) {
      throw new ConfigError(
        section === null ? key : join(section, key),
        `is set by the deployment (${why}); remove it`,
      );
    }
  }
}

import { type Authorizer, createAuthorizer } from '../core/authorizer.ts';
import type { AuthorizerConfig, IssuerConfig } from '../core/config/authorizer-config.ts';
import { ConfigError } from '../core/config/reader.ts';
import type { TrustedIssuer } from '../core/jwt/verify-token.ts';
import type { KeySource } from '../core/keys.ts';
import { typedClaimMismatch } from '../core/policy/context-schema.ts';
import { createPolicyEngine, revisionOf } from '../core/policy/engine.ts';
import { PolicyLoadError } from '../core/policy/errors.ts';
import type { PolicySource } from '../core/policy/load.ts';
import type { RevocationStore } from '../core/revocation.ts';
import type { StaticCredentials } from './aws/client-config.ts';
import { lazyDynamoRevocationStore } from './dynamodb/lazy-revocation-store.ts';
import { fileKeySource, fileStamp, readJwksFile } from './jwks-file.ts';
import { remoteKeySource } from './jwks-remote.ts';
import { LocalKeyStore } from './local-key-store.ts';
import { readPolicySource } from './policy-dir.ts';
import { RevocationFileStore } from './revocation-file-store.ts';
import { type SwappablePolicyEngine, swappablePolicyEngine } from './swappable-policy.ts';

export interface BuiltAuthorizer {
  readonly authorize: Authorizer;
  readonly config: AuthorizerConfig;
  /** The policy set deciding now; `reloadPolicies` replaces it. */
  readonly policy: SwappablePolicyEngine;
  readonly revocations: RevocationStore | null;
  readonly localKeys: LocalKeyStore | undefined;
  /** Every trusted issuer with its key source (configured ones first, then the local issuer). */
  readonly issuers: readonly TrustedIssuer[];
  /**
   * Changes whenever a cached answer may have become wrong: a key source's key set, the
   * revocation file, or the policy revision. The local gateway flushes its cache on a change.
   */
  stamp(): string;
  /**
   * Reads the policy folder again and, if the whole set loads exactly as at startup, makes it
   * the deciding set. A set that does not load changes nothing. Synchronous: call it from a
   * timer or watch callback, never between the steps of a decision (see swappable-policy.ts).
   */
  reloadPolicies(): PolicyReload;
}

/** What `reloadPolicies` did. */
export type PolicyReload =
  | { readonly outcome: 'applied'; readonly revision: string; readonly previousRevision: string }
  | { readonly outcome: 'unchanged'; readonly revision: string }
  | {
      readonly outcome: 'refused';
      /** The refused texts' revision, when the folder could be read. */
      readonly candidateRevision?: string;
      /** The revision still deciding. */
      readonly revision: string;
      /** One line per problem, each naming its file (and line, when Cedar gives one). */
      readonly problems: readonly string[];
    };

export interface BuildOptions {
  /**
   * Re-read JWKS files when they change. On for the CLI and local gateway (rotation by another
   * process applies at once); off in Lambda, where the bundled files never change.
   * @default true
   */
  readonly watchFiles?: boolean;
  readonly fetch?: typeof fetch;
  /** Clock of remote JWKS caches (epoch ms); @default Date.now */
  readonly clock?: () => number;
  /**
   * The parsed `compiled-policies.json` shipped with a Lambda package; used only when it matches
   * the policy files exactly (see `core/policy/compiled.ts`).
   * @default - none: the policy files are loaded and validated in full
   */
  readonly compiledPolicies?: unknown;
  /** For a DynamoDB revocation store in tests; @default the SDK's credential chain */
  readonly awsCredentials?: StaticCredentials;
}

/**
 * Wires a parsed configuration to the decision core: key sources per issuer, the policy set
 * (loaded and validated here, so a bad policy fails at startup), the revocation store. Every
 * file problem throws with the file named; nothing is loaded lazily on the request path
 * except remote JWKS.
 */
export function buildAuthorizer(config: AuthorizerConfig, options: BuildOptions = {}): BuiltAuthorizer {
  const watch = options.watchFiles ?? true;
  const localKeys = config.localIssuer ? new LocalKeyStore(config.localIssuer) : undefined;
  // One way to load a set, at startup and on every reload: a reload is checked exactly as a
  // cold start would check it.
  const loadPolicies = (source: PolicySource = readPolicySource(config.policiesDir)) => {
    const mismatch = typedClaimMismatch(
      source.schema,
      config.issuers.flatMap((issuer, i) =>
        issuer.claims.typed.map((typed) => ({
          at: `issuers[${i}].claims.typed.${typed.name}.type`,
          ...typed,
        })),
      ),
    );
    // Before the engine: a typed claim the schema declares required also makes the engine refuse
    // the schema, and the config key is the better thing to name.
    if (mismatch) throw new ConfigError(...mismatch);
    return createPolicyEngine(source, {
      compiled: options.compiledPolicies,
      decisionCacheSize: config.caches.decisions,
    });
  };
  const policy = swappablePolicyEngine(loadPolicies());
  // Key sources after the policy engine: a remote source starts its first fetch when built, and
  // the engine's synchronous load (Cedar's wasm) would otherwise eat that fetch's timeout.
  // Entries with the same key source (several entries of one iss, say) share one cache and fetch.
  const sources = new Map<string, KeySource>();
  const issuers: TrustedIssuer[] = config.issuers.map((issuer, i) => {
    const id = JSON.stringify(issuer.jwks);
    const keys =
      sources.get(id) ?? namingTheKey(issuer, i, () => keySourceFor(issuer, watch, localKeys, options));
    sources.set(id, keys);
    return { config: issuer, keys };
  });
  const revocations = revocationStoreFor(config.revocations, options);
  const authorize = createAuthorizer({
    issuers,
    policy,
    revocations,
    maxTokenBytes: config.maxTokenBytes,
    verifiedTokenCacheSize: config.caches.verifiedTokens,
  });
  const stamp = () =>
    [
      policy.revision,
      config.revocations?.kind === 'file' ? fileStamp(config.revocations.path) : '',
      ...[...sources.values()].map((keys) => keys.stamp?.() ?? ''),
    ].join('\n');
  const reloadPolicies = (): PolicyReload => {
    const serving = policy.revision;
    let candidateRevision: string | undefined;
    try {
      const source = readPolicySource(config.policiesDir);
      candidateRevision = revisionOf(source);
      if (candidateRevision === serving) return { outcome: 'unchanged', revision: serving };
      policy.swap(loadPolicies(source));
      return { outcome: 'applied', revision: policy.revision, previousRevision: serving };
    } catch (error) {
      const problems =
        error instanceof PolicyLoadError
          ? error.problems
          : [error instanceof Error ? error.message : String(error)];
      return {
        outcome: 'refused',
        revision: serving,
        problems,
        ...(candidateRevision === undefined ? {} : { candidateRevision }),
      };
    }
  };
  return { authorize, config, policy, revocations, localKeys, issuers, stamp, reloadPolicies };
}

function revocationStoreFor(
  config: AuthorizerConfig['revocations'],
  options: BuildOptions,
): RevocationStore | null {
  if (config === null) return null;
  switch (config.kind) {
    case 'file':
      return new RevocationFileStore(config.path);
    case 'dynamodb':
      return lazyDynamoRevocationStore(
        config,
        options.awsCredentials ? { credentials: options.awsCredentials } : {},
      );
  }
}

/**
 * An unusable JWKS is a config error like any other: the message names the key that points at
 * it (`issuers[1].jwksFile`), so the operator knows which entry to fix. The local issuer comes
 * after the configured ones in `config.issuers`, so indexes of configured issuers match the file.
 */
function namingTheKey(issuer: IssuerConfig, index: number, build: () => KeySource): KeySource {
  try {
    return build();
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const where = issuer.jwks.kind === 'local-issuer' ? 'localIssuer.keysDir' : `issuers[${index}].jwksFile`;
    throw new ConfigError(where, error instanceof Error ? error.message : String(error));
  }
}

function keySourceFor(
  issuer: IssuerConfig,
  watch: boolean,
  localKeys: LocalKeyStore | undefined,
  options: BuildOptions,
): KeySource {
  const jwks = issuer.jwks;
  switch (jwks.kind) {
    case 'file':
      return fileKeySource(jwks.path, { watch });
    case 'uri':
    case 'discovery':
      return remoteKeySource({
        ...(jwks.kind === 'uri' ? { uri: jwks.uri } : { discoveryIssuer: jwks.issuer }),
        maxAgeSeconds: jwks.maxAgeSeconds,
        cooldownSeconds: jwks.cooldownSeconds,
        timeoutMs: jwks.timeoutMs,
        maxStaleSeconds: jwks.maxStaleSeconds,
        ...(jwks.snapshotFile === undefined ? {} : { snapshot: readJwksFile(jwks.snapshotFile) }),
        ...(options.fetch ? { fetch: options.fetch } : {}),
        ...(options.clock ? { clock: options.clock } : {}),
      });
    case 'local-issuer':
      if (!localKeys) throw new TypeError('local-issuer key source without a localIssuer config');
      // No key yet (a first run) is an empty key set: tokens deny until `zta token` creates one.
      return localKeys.keySource();
  }
}

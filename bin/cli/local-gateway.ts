import { appendFileSync } from 'node:fs';
import type { AuthorizerConfig } from '../../functions/core/config/authorizer-config.ts';
import { subjectRetentionSeconds } from '../../functions/core/revocation-writer.ts';
import { createLocalConsole } from '../../functions/local/console/local-console.ts';
import { type RunningGateway, startGateway } from '../../functions/local/gateway.ts';
import { createLocalPipeline } from '../../functions/local/pipeline.ts';
import { startPolicyHotReload } from '../../functions/local/policy-hot-reload.ts';
import type { BuiltAuthorizer } from '../../functions/runtime/build-authorizer.ts';
import { revocationWriterFor } from '../../functions/runtime/revocation-writers.ts';
import { recordSink, UsageError } from './io.ts';

/*
 * The local gateway's wiring, shared by `zta serve` and `zta start` (which only differ in where
 * their config comes from and what they print).
 */

/** How long SIGTERM waits for requests in flight before closing their connections. */
export const DEFAULT_DRAIN_SECONDS = 10;

export function parseDrainSeconds(value: string): number {
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds < 0 || seconds > 3600) {
    throw new UsageError(
      `--drain-seconds expects a number of seconds from 0 to 3600, got ${JSON.stringify(value)}`,
    );
  }
  return seconds;
}

export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new UsageError(`--port expects 0-65535, got ${JSON.stringify(value)}`);
  }
  return port;
}

/**
 * How long the gateway may reuse an answer. An answer holds a revocation lookup: a file store is
 * watched (its change flushes the cache), but a table's writes (`zta revoke --env`, the AWS
 * revoker) are invisible here, so with a table an answer lives no longer than the table store's
 * own reuse window (`revocations.dynamodb.cacheSeconds`).
 */
export function gatewayCacheSeconds(config: AuthorizerConfig): number {
  const ttl = config.gateway.cacheTtlSeconds;
  return config.revocations?.kind === 'dynamodb' ? Math.min(ttl, config.revocations.cacheSeconds) : ttl;
}

export interface RunGatewayOptions {
  readonly port: number;
  readonly upstream?: string | undefined;
  readonly log?: string | undefined;
  readonly events?: string | undefined;
  /** Serve the read-only console at `/_zta/`. @default false */
  readonly console?: boolean;
  /** Lines for the operator. @default stdout (info) and stderr (warn) */
  readonly info?: (line: string) => void;
  readonly warn?: (line: string) => void;
}

/**
 * Starts the gateway for a built authorizer: cache flushing, JWKS route, record sink, the
 * local decision pipeline (event bus, `--events` file, auto-revocation), policy hot reload and,
 * when asked, the console.
 */
export async function runGateway(
  built: BuiltAuthorizer,
  options: RunGatewayOptions,
): Promise<RunningGateway> {
  const upstream = options.upstream === undefined ? undefined : parseUpstream(options.upstream);
  const { config, localKeys } = built;
  const localConsole = options.console ? await createLocalConsole(built) : undefined;
  const logSink = recordSink(options.log);
  const sink = localConsole
    ? (record: object) => {
        localConsole.onRecord(record);
        logSink(record);
      }
    : logSink;
  const eventsFile = options.events;
  let gateway: RunningGateway | undefined;
  const pipeline = createLocalPipeline({
    autoRevocation: config.autoRevocation,
    revocations: config.autoRevocation ? await revocationWriterFor(config.revocations) : null,
    subjectRetentionSeconds: subjectRetentionSeconds(config.issuers),
    flushCache: () => gateway?.flushCache(),
    onRecord: sink,
    ...(eventsFile
      ? { onEvent: (envelope: object) => appendFileSync(eventsFile, `${JSON.stringify(envelope)}\n`) }
      : {}),
  });
  gateway = await startGateway({
    authorize: built.authorize,
    port: options.port,
    cacheTtlSeconds: gatewayCacheSeconds(config),
    cacheDenials: config.autoRevocation === undefined,
    onRecord: (record) => {
      sink(record);
      pipeline.onRecord(record);
    },
    // Anything that can turn a cached answer wrong: every issuer's key set (files, jwksUri,
    // the local issuer), the revocation file and the policy revision.
    invalidationStamp: () => built.stamp(),
    ...(upstream ? { upstream } : {}),
    ...(localKeys ? { jwks: () => localKeys.publicJwks() } : {}),
    ...(localConsole ? { console: localConsole.routes } : {}),
  });
  const reload = startPolicyHotReload({
    dir: config.policiesDir,
    reload: built.reloadPolicies,
    onRecord: sink,
    info: options.info ?? ((line) => process.stdout.write(`${line}\n`)),
    warn: options.warn ?? ((line) => process.stderr.write(`${line}\n`)),
  });
  const running = gateway;
  const stopWatching = () => {
    reload.close();
    localConsole?.close();
  };
  return {
    ...running,
    drain: async (graceMs) => {
      stopWatching();
      await running.drain(graceMs);
      await pipeline.idle();
    },
    close: async () => {
      stopWatching();
      await running.close();
      await pipeline.idle();
    },
  };
}

/**
 * `--upstream` names where allowed requests go: an http(s) origin. A path would be ignored
 * (the client's decided path is appended to the origin), so one is refused rather than dropped.
 */
function parseUpstream(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--upstream is not a URL: ${JSON.stringify(value)}`);
  }
  if (
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    url.username !== '' ||
    url.password !== '' ||
    url.pathname !== '/' ||
    url.search !== '' ||
    url.hash !== ''
  ) {
    throw new UsageError(
      `--upstream expects an origin such as http://127.0.0.1:3000 (no path, query or credentials), got ${JSON.stringify(value)}`,
    );
  }
  return url;
}

/**
 * Resolves when the gateway has closed after SIGINT or SIGTERM. The first signal drains: no
 * new connections, idle ones closed at once, requests in flight answered for up to
 * `drainSeconds`; a second signal closes every connection at once.
 */
export function untilSignal(gateway: RunningGateway, drainSeconds = DEFAULT_DRAIN_SECONDS): Promise<void> {
  return new Promise((resolve) => {
    let draining = false;
    const stop = () => {
      if (draining) {
        void gateway.close();
        return;
      }
      draining = true;
      process.stdout.write(
        `zta gateway draining: up to ${drainSeconds} s for requests in flight (signal again to stop now)\n`,
      );
      const done = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      gateway.drain(drainSeconds * 1000).then(done, done);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

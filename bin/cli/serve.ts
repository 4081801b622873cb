import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { subjectRetentionSeconds } from '../../functions/core/revocation-writer.ts';
import { type RunningGateway, startGateway } from '../../functions/local/gateway.ts';
import { createLocalPipeline } from '../../functions/local/pipeline.ts';
import type { BuiltAuthorizer } from '../../functions/runtime/build-authorizer.ts';
import { fileStamp } from '../../functions/runtime/jwks-file.ts';
import { revocationWriterFor } from '../../functions/runtime/revocation-writers.ts';
import { recordSink, UsageError } from './io.ts';
import type { Command } from './main.ts';
import { loadAuthorizer } from './runtime.ts';

export const serve: Command = {
  summary: 'run the local zero-trust gateway (API Gateway + the authorizer) on 127.0.0.1',
  help: `
Usage: zta serve --config <file> [--port <n>] [--upstream <url>] [--log <file>] [--events <file>]

Listens on 127.0.0.1. Each request becomes an API Gateway REST REQUEST event for a greedy proxy
resource, is decided by the same core as the Lambda, and is answered as API Gateway would:
401 {"message":"Unauthorized"}, 403 explicit deny, or forwarded. Results are cached per identity
source (Authorization, method, path) for gateway.cacheTtlSeconds (default 300); the cache is
flushed when the revocation store or a key file changes.
  --config <file>   authorizer config
  --port <n>        port (default 8080; 0 picks a free one)
  --upstream <url>  forward allowed requests here (default: a JSON echo of method, path and
                    the authorizer context)
  --log <file>      append decision and access records here (default: stderr)
  --events <file>   append every event of the local bus here as JSON Lines, in EventBridge's
                    envelope (Authorization Decision, Principal Suspected Compromise,
                    Credential Revoked; schema in docs/events.md)
With a localIssuer, GET /.well-known/jwks.json serves its public keys without authorization.
With "autoRevocation": { "denyThreshold": n, "windowSeconds": s } in the config, n policy
denials (403) of one verified principal within s seconds revoke every token of it issued up to
then, in the config's revocation store; policy denials are then not cached, so each counts.`,

  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        config: { type: 'string' },
        port: { type: 'string' },
        upstream: { type: 'string' },
        log: { type: 'string' },
        events: { type: 'string' },
      },
      strict: true,
    });
    const built = loadAuthorizer(values.config);
    const gateway = await runGateway(built, {
      port: parsePort(values.port ?? '8080'),
      upstream: values.upstream,
      log: values.log,
      events: values.events,
    });
    process.stdout.write(`zta gateway listening on ${gateway.url}\n`);
    await untilSignal(gateway);
    return 0;
  },
};

export function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new UsageError(`--port expects 0-65535, got ${JSON.stringify(value)}`);
  }
  return port;
}

/**
 * Starts the gateway for a built authorizer: cache flushing, JWKS route, record sink, and the
 * local decision pipeline (event bus, `--events` file, auto-revocation).
 */
export async function runGateway(
  built: BuiltAuthorizer,
  options: {
    port: number;
    upstream?: string | undefined;
    log?: string | undefined;
    events?: string | undefined;
  },
): Promise<RunningGateway> {
  let upstream: URL | undefined;
  if (options.upstream !== undefined) {
    try {
      upstream = new URL(options.upstream);
    } catch {
      throw new UsageError(`--upstream is not a URL: ${JSON.stringify(options.upstream)}`);
    }
  }
  const { config, localKeys } = built;
  // Anything that can turn a cached ALLOW into a DENY: revocations and key files.
  const watched = [
    ...(config.revocations?.kind === 'file' ? [config.revocations.path] : []),
    ...(config.localIssuer ? [join(config.localIssuer.keysDir, 'keys.json')] : []),
    ...config.issuers.flatMap((i) => (i.jwks.kind === 'file' ? [i.jwks.path] : [])),
  ];
  const sink = recordSink(options.log);
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
    cacheTtlSeconds: config.gateway.cacheTtlSeconds,
    cacheDenials: config.autoRevocation === undefined,
    onRecord: (record) => {
      sink(record);
      pipeline.onRecord(record);
    },
    invalidationStamp: () => watched.map(fileStamp).join('|'),
    ...(upstream ? { upstream } : {}),
    ...(localKeys ? { jwks: () => localKeys.publicJwks() } : {}),
  });
  const running = gateway;
  return {
    ...running,
    close: async () => {
      await running.close();
      await pipeline.idle();
    },
  };
}

/** Resolves when SIGINT or SIGTERM arrives, after the gateway has closed. */
export function untilSignal(gateway: RunningGateway): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      gateway.close().then(resolve, resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

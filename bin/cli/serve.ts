import { appendFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { subjectRetentionSeconds } from '../../functions/core/revocation-writer.ts';
import { createLocalConsole } from '../../functions/local/console/local-console.ts';
import { type RunningGateway, startGateway } from '../../functions/local/gateway.ts';
import { createLocalPipeline } from '../../functions/local/pipeline.ts';
import { startPolicyHotReload } from '../../functions/local/policy-hot-reload.ts';
import type { BuiltAuthorizer } from '../../functions/runtime/build-authorizer.ts';
import { revocationWriterFor } from '../../functions/runtime/revocation-writers.ts';
import { recordSink, UsageError } from './io.ts';
import type { Command } from './main.ts';
import { loadAuthorizer } from './runtime.ts';

const options = {
  config: { type: 'string' },
  port: { type: 'string' },
  upstream: { type: 'string' },
  log: { type: 'string' },
  events: { type: 'string' },
  'drain-seconds': { type: 'string' },
  console: { type: 'boolean' },
} as const;

export const serve: Command = {
  summary: 'run the local zero-trust gateway (API Gateway + the authorizer) on 127.0.0.1',
  help: `
Usage: zta serve --config <file> [--port <n>] [--upstream <origin>] [--log <file>]
                 [--events <file>] [--drain-seconds <n>] [--console]

Listens on 127.0.0.1. Each request becomes an API Gateway REST REQUEST event for a greedy proxy
resource, is decided by the same core as the Lambda, and is answered as API Gateway would:
401 {"message":"Unauthorized"}, 403 explicit deny, or forwarded.
Request targets: only origin-form paths with one spelling are decided. An absolute URL, "//host",
"*", "." or ".." segments, "//", a backslash, an encoded "/", "" or control byte, or an escape
of a character that needs none (%2e, %41, lower-case hex) gets 400. An allowed request goes to
the upstream origin with exactly the path that was decided and the query as sent.
Headers: X-HTTP-Method-Override, X-HTTP-Method, X-Method-Override, X-Original-URL, X-Rewrite-URL,
X-Forwarded-Prefix, hop-by-hop headers (and those named in Connection), the client's Forwarded /
X-Forwarded-* / X-Real-IP and any X-Zta-* are not forwarded; the gateway sets X-Forwarded-For,
X-Forwarded-Proto and X-Zta-Authorizer (the authorizer context as JSON).
Upstream failures: refused or reset before its answer 502, silent for 30 s 504; once its answer
has started, the client connection is cut. A client that leaves abandons the upstream request.
Cache: results are cached per identity source (one Authorization value, method, path) for
gateway.cacheTtlSeconds (default 300), never past the token's exp + clock tolerance, and flushed
when any key set (files, jwksUri, local issuer), the revocation file or the policy revision
changes. A request with several Authorization values is 401, never answered from the cache.
Policies reload while it runs: a change to a .cedar file or the schema is validated as at
startup and, if the whole set loads, decides from then on (a new policyRevision; the cache is
flushed); if not, the previous set keeps deciding and one line on stderr names the file and line.
Stopping: SIGTERM or SIGINT drains (no new connections, idle ones closed, requests in flight
answered for up to --drain-seconds); a second signal closes every connection at once.

  --config <file>   authorizer config
  --port <n>        port (default 8080; 0 picks a free one)
  --upstream <origin>  forward allowed requests to this http(s) origin, e.g.
                    http://127.0.0.1:3000 (default: a JSON echo of method, path and the
                    authorizer context)
  --log <file>      append decision and access records here (default: stderr)
  --events <file>   append every event of the local bus here as JSON Lines, in EventBridge's
                    envelope (Authorization Decision, Principal Suspected Compromise,
                    Credential Revoked; schema in docs/events.md)
  --drain-seconds <n>  grace period for requests in flight on SIGTERM (default 10)
  --console         serve a read-only console at /_zta/ (decisions live, deny reasons,
                    revocations, keys); /_zta/... is then never forwarded to the upstream
With a localIssuer, GET /.well-known/jwks.json serves its public keys without authorization.
With "autoRevocation": { "denyThreshold": n, "windowSeconds": s } in the config, n policy
denials (403) of one verified principal within s seconds revoke every token of it issued up to
then, in the config's revocation store; policy denials are then not cached, so each counts.`,
  options,

  async run(args) {
    const { values } = parseArgs({ args, options, strict: true });
    const drainSeconds = parseDrainSeconds(values['drain-seconds'] ?? String(DEFAULT_DRAIN_SECONDS));
    const port = parsePort(values.port ?? '8080');
    const built = loadAuthorizer(values.config);
    const gateway = await runGateway(built, {
      port,
      upstream: values.upstream,
      log: values.log,
      events: values.events,
      console: values.console === true,
    });
    process.stdout.write(`zta gateway listening on ${gateway.url}\n`);
    if (values.console) process.stdout.write(`zta console on ${gateway.url}/_zta/\n`);
    await untilSignal(gateway, drainSeconds);
    return 0;
  },
};

/** How long SIGTERM waits for requests in flight before closing their connections. */
export const DEFAULT_DRAIN_SECONDS = 10;

function parseDrainSeconds(value: string): number {
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
    cacheTtlSeconds: config.gateway.cacheTtlSeconds,
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

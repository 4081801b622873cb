import { parseArgs } from 'node:util';
import {
  DEFAULT_DRAIN_SECONDS,
  parseDrainSeconds,
  parsePort,
  runGateway,
  untilSignal,
} from './local-gateway.ts';
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
Cache: results are cached per identity source (one Authorization value, method, path, caller
address) for gateway.cacheTtlSeconds (default 300), never past the token's exp + clock tolerance
nor, with a DynamoDB revocation table, its cacheSeconds; flushed when any key set (files,
jwksUri, local issuer), the revocation file or the policy revision changes. A request with
several Authorization values is 401, never answered from the cache.
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

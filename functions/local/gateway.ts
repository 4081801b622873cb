import { randomUUID } from 'node:crypto';
import { Agent, createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AuthorizerResponse, toApiGatewayResponse, UNAUTHORIZED } from '../core/api-gateway-response.ts';
import type { Authorizer } from '../core/authorizer.ts';
import { answerClientError, type ClientErrorFields, refuseConnect } from './client-error.ts';
import { type ConsoleRoutes, isConsolePath } from './console/routes.ts';
import { forward } from './forward.ts';
import { clientIp, type LocalStage, restRequestEvent } from './request-event.ts';
import { parseRequestTarget } from './request-target.ts';
import { ResultCache } from './result-cache.ts';

export interface GatewayOptions {
  readonly authorize: Authorizer;
  /** @default 0 (any free port) */
  readonly port?: number;
  /** Authorizer result cache TTL, as API Gateway's `authorizerResultTtlInSeconds`. 0 disables. */
  readonly cacheTtlSeconds: number;
  /**
   * Forward allowed requests to this origin (its path, if any, is not used).
   * @default the built-in JSON echo upstream
   */
  readonly upstream?: URL;
  /** Receives every decision record and one access record per request. */
  readonly onRecord: (record: object) => void;
  /**
   * A value that changes whenever a cached answer may have become wrong (keys, revocations,
   * policy revision): a change flushes the cache — locally what `FlushStageAuthorizersCache` does.
   * @default - the cache is flushed only by `flushCache()`
   */
  readonly invalidationStamp?: () => string;
  /** Public JWKS served at /.well-known/jwks.json, when there is a local issuer. */
  readonly jwks?: () => object;
  readonly stage?: LocalStage;
  /**
   * Cache explicit denials (403) like ALLOWs, as API Gateway does. Off with auto-revocation:
   * each policy denial must reach the authorizer to be counted, not be replayed from cache.
   * @default true
   */
  readonly cacheDenials?: boolean;
  /** Epoch milliseconds, for decisions and cache expiry. @default Date.now */
  readonly clock?: () => number;
  /**
   * Longest silence from the upstream, before or during its answer: then 504 (before the
   * response headers) or a cut connection (after).
   * @default 30_000
   */
  readonly upstreamTimeoutMs?: number;
  /**
   * The read-only console, answered by the gateway itself for every path `/_zta` and under
   * `/_zta/` (a backend path there is shadowed: never decided, never forwarded).
   * @default - no console: `/_zta/...` is decided and forwarded like any path
   */
  readonly console?: ConsoleRoutes;
}

export interface RunningGateway {
  readonly url: string;
  readonly server: Server;
  /** Drops every cached authorizer result: the local `FlushStageAuthorizersCache`. */
  flushCache(): void;
  /**
   * Stops accepting connections and closes idle ones at once; requests in flight get their
   * whole answer (on a connection then closed) for up to `graceMs`, then every connection is
   * closed. Resolves when the last one is.
   */
  drain(graceMs: number): Promise<void>;
  /** Closes every connection at once, in flight or not (also ends a drain early). */
  close(): Promise<void>;
}

/** One per request, written when its response is closed; `error` says what went wrong. */
interface AccessRecord {
  schema: 'zta.access/v1';
  time: string;
  requestId: string;
  method: string;
  path: string;
  status?: number | null;
  decisionId?: string;
  authorizerCache?: 'hit' | 'miss';
  error?: string;
  detail?: string;
}

const DEFAULT_STAGE: LocalStage = {
  apiId: 'local',
  stage: 'local',
  region: 'local',
  accountId: '000000000000',
};
const MAX_LOGGED_TARGET = 256;

/**
 * A local stand-in for API Gateway with a REQUEST authorizer on a greedy proxy resource:
 * every request becomes a real REST REQUEST event, is decided by the same core as the Lambda,
 * and the answer is enforced the way API Gateway enforces it (401 for `Unauthorized`, the IAM
 * policy for everything else). Only origin-form targets with one spelling are accepted (see
 * request-target.ts); an allowed request goes to the upstream's origin with the exact path
 * that was decided. Results are cached per identity source (one Authorization value, method,
 * path, caller address) — see result-cache.ts; 401s are not cached, as API Gateway does not
 * cache errors.
 */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const stage = options.stage ?? DEFAULT_STAGE;
  const clock = options.clock ?? Date.now;
  const cache = new ResultCache({
    ttlSeconds: options.cacheTtlSeconds,
    ...(options.invalidationStamp ? { stamp: options.invalidationStamp } : {}),
  });
  const agent = new Agent({ keepAlive: true });
  const inFlight = new Set<ServerResponse>();
  let draining = false;

  const handle = async (req: IncomingMessage, res: ServerResponse, access: AccessRecord): Promise<void> => {
    const target = parseRequestTarget(req.url ?? '');
    const trace = { 'x-amzn-requestid': access.requestId };
    if (!target.ok) {
      access.error = 'bad_request_target';
      access.detail = target.problem;
      req.resume();
      return send(
        res,
        400,
        { message: target.problem },
        { ...trace, 'x-amzn-errortype': 'BadRequestException' },
      );
    }
    const { path, query } = target;
    access.path = path;
    // Matched on the checked path, which has one spelling (`%5F`, `..`, `//` were refused
    // above): no other spelling of `/_zta/` reaches the upstream, and nothing else reaches here.
    if (options.console && isConsolePath(path)) return options.console.handle(req, res, path);
    if (options.jwks && req.method === 'GET' && path === '/.well-known/jwks.json') {
      // Public keys are public: served without authorization, cacheable briefly.
      req.resume();
      return send(res, 200, options.jwks(), { 'cache-control': 'public, max-age=60' });
    }
    const now = clock();
    const method = access.method;
    const event = restRequestEvent(
      req,
      { method, path, query, requestId: access.requestId, nowMs: now },
      stage,
    );
    // Only a request with exactly one Authorization value has an identity source: several
    // values are refused by the authorizer (401), and must never be answered from the cache.
    // The caller's address is part of it, as policies may read `context.sourceIp`: an ALLOW
    // decided for one address must never answer the same token sent from another.
    const authorizations = authorizationValues(req.rawHeaders);
    const cacheKey =
      authorizations.length === 1
        ? JSON.stringify([authorizations[0], method, path, clientIp(req)])
        : undefined;
    const cached = cacheKey === undefined ? undefined : cache.get(cacheKey, now);
    let response: AuthorizerResponse | typeof UNAUTHORIZED;
    let decisionId: string;
    if (cached) {
      ({ response, decisionId } = cached);
    } else {
      const generation = cache.generation();
      const outcome = await options.authorize(event, now);
      options.onRecord(outcome.record);
      response = toApiGatewayResponse(outcome);
      decisionId = outcome.record.decisionId;
      const cacheable = options.cacheDenials !== false || outcome.decision.effect === 'allow';
      if (cacheKey !== undefined && response !== UNAUTHORIZED && cacheable) {
        cache.set(cacheKey, { response, decisionId }, now, outcome.cacheUntilMs, generation);
      }
    }
    access.decisionId = decisionId;
    access.authorizerCache = cached ? 'hit' : 'miss';
    const decided = { ...trace, 'x-zta-decision-id': decisionId };
    if (response === UNAUTHORIZED) {
      req.resume();
      const headers = { ...decided, 'x-amzn-errortype': 'UnauthorizedException' };
      return send(res, 401, { message: 'Unauthorized' }, headers);
    }
    if (!isAllowed(response, event.methodArn as string)) {
      req.resume();
      const body = { Message: 'User is not authorized to access this resource with an explicit deny' };
      return send(res, 403, body, { ...decided, 'x-amzn-errortype': 'AccessDeniedException' });
    }
    const authorizer = {
      principalId: 'principalId' in response ? response.principalId : undefined,
      ...response.context,
    };
    if (!options.upstream) {
      req.resume();
      return send(res, 200, { method, path, authorizer }, decided);
    }
    const failure = await forward(req, res, {
      upstream: options.upstream,
      path,
      query,
      authorizer,
      trace: decided,
      timeoutMs: options.upstreamTimeoutMs ?? 30_000,
      agent,
    });
    if (failure) access.error = failure;
  };

  const server = createServer((req, res) => {
    const access: AccessRecord = {
      schema: 'zta.access/v1',
      time: new Date(clock()).toISOString(),
      requestId: randomUUID(),
      method: (req.method ?? 'GET').toUpperCase(),
      // Replaced by the checked path; until then what the client sent, clipped and without
      // the query, which may carry a token (`?access_token=`) and is never logged.
      path: loggedTarget(req.url ?? ''),
    };
    inFlight.add(res);
    // While draining, every answer closes its connection, so no request can follow it.
    if (draining) res.shouldKeepAlive = false;
    const closed = new Promise((resolve) => res.once('close', resolve));
    const handled = handle(req, res, access).catch(() => {
      access.error = 'internal_error';
      if (res.headersSent) res.destroy();
      else send(res, 500, { message: 'Internal server error' }, { 'x-amzn-requestid': access.requestId });
    });
    void Promise.all([handled, closed]).then(() => {
      inFlight.delete(res);
      if (draining) setImmediate(() => server.closeIdleConnections());
      access.status = res.headersSent ? res.statusCode : null;
      if (!res.writableFinished) access.error ??= 'client_aborted';
      record(options.onRecord, access);
    });
  });
  const recordRefusal = (fields: ClientErrorFields) =>
    record(options.onRecord, { schema: 'zta.access/v1', time: new Date(clock()).toISOString(), ...fields });
  server.on('clientError', (error: NodeJS.ErrnoException, socket) =>
    answerClientError(error, socket, recordRefusal),
  );
  server.on('connect', (req: IncomingMessage, socket) => refuseConnect(req, socket, recordRefusal));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  let closing: Promise<void> | undefined;
  const stopAccepting = () => {
    draining = true;
    closing ??= new Promise<void>((resolve) => server.close(() => resolve())).then(() => agent.destroy());
    return closing;
  };
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    flushCache: () => cache.clear(),
    drain: async (graceMs) => {
      const closed = stopAccepting();
      // Event streams never finish by themselves: end them rather than wait out the grace.
      options.console?.close();
      for (const res of inFlight) if (!res.headersSent) res.shouldKeepAlive = false;
      server.closeIdleConnections();
      const timer = setTimeout(() => server.closeAllConnections(), graceMs);
      await closed;
      clearTimeout(timer);
    },
    close: () => {
      const closed = stopAccepting();
      options.console?.close();
      server.closeAllConnections();
      return closed;
    },
  };
}

function loggedTarget(target: string): string {
  const question = target.indexOf('?');
  return (question < 0 ? target : target.slice(0, question)).slice(0, MAX_LOGGED_TARGET);
}

/** Every value of a header named Authorization, in any case, in the order sent. */
function authorizationValues(rawHeaders: readonly string[]): string[] {
  const values: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i] as string;
    if (name.length === 13 && name.toLowerCase() === 'authorization')
      values.push(rawHeaders[i + 1] as string);
  }
  return values;
}

/** A record sink that fails must not take the gateway down; the response is already sent. */
function record(onRecord: (record: object) => void, access: object): void {
  try {
    onRecord(access);
  } catch {
    // Nothing left to tell the client; the sink's own error reporting is the sink's job.
  }
}

/** IAM evaluation of an authorizer policy for one methodArn: an explicit Deny wins. */
function isAllowed(response: AuthorizerResponse, methodArn: string): boolean {
  if ('isAuthorized' in response) return response.isAuthorized;
  const matching = response.policyDocument.Statement.filter((s) => arnMatches(s.Resource, methodArn));
  return matching.some((s) => s.Effect === 'Allow') && !matching.some((s) => s.Effect === 'Deny');
}

function arnMatches(pattern: string, arn: string): boolean {
  if (!pattern.includes('*')) return pattern === arn;
  const escaped = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`).test(arn);
}

function send(res: ServerResponse, status: number, body: object, headers: Record<string, string>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

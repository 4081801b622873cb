import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AuthorizerResponse, toApiGatewayResponse, UNAUTHORIZED } from '../authorizer/response.ts';
import type { Authorizer } from '../core/authorizer.ts';
import { type LocalStage, restRequestEvent } from './request-event.ts';

export interface GatewayOptions {
  readonly authorize: Authorizer;
  /** @default 0 (any free port) */
  readonly port?: number;
  /** Authorizer result cache TTL, as API Gateway's `authorizerResultTtlInSeconds`. 0 disables. */
  readonly cacheTtlSeconds: number;
  /** Forward allowed requests here; @default the built-in JSON echo upstream. */
  readonly upstream?: URL;
  /** Receives every decision record and one access record per request. */
  readonly onRecord: (record: object) => void;
  /**
   * A value that changes whenever a cached ALLOW may have become wrong (revocations, keys).
   * When it changes the cache is flushed — locally what `FlushStageAuthorizersCache` does.
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
}

export interface RunningGateway {
  readonly url: string;
  readonly server: Server;
  /** Drops every cached authorizer result: the local `FlushStageAuthorizersCache`. */
  flushCache(): void;
  close(): Promise<void>;
}

interface CacheEntry {
  readonly expiresAt: number;
  readonly response: AuthorizerResponse;
  readonly decisionId: string;
}

const MAX_CACHE_ENTRIES = 10_000;
const DEFAULT_STAGE: LocalStage = {
  apiId: 'local',
  stage: 'local',
  region: 'local',
  accountId: '000000000000',
};

/**
 * A local stand-in for API Gateway with a REQUEST authorizer on a greedy proxy resource:
 * every request becomes a real REST REQUEST event, is decided by the same core as the Lambda,
 * and the answer is enforced the way API Gateway enforces it (401 for `Unauthorized`, the IAM
 * policy for everything else). Results are cached per identity source (Authorization header,
 * method, path) for the TTL; 401s are not cached, as API Gateway does not cache errors.
 */
export async function startGateway(options: GatewayOptions): Promise<RunningGateway> {
  const stage = options.stage ?? DEFAULT_STAGE;
  const cache = new Map<string, CacheEntry>();
  let stamp = options.invalidationStamp?.();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (options.jwks && req.method === 'GET' && path === '/.well-known/jwks.json') {
      // Public keys are public: served without authorization, cacheable briefly.
      return send(res, 200, options.jwks(), { 'cache-control': 'public, max-age=60' });
    }
    const event = restRequestEvent(req, stage);
    const requestId = (event.requestContext as { requestId: string }).requestId;
    const now = Date.now();
    const current = options.invalidationStamp?.();
    if (current !== stamp) {
      cache.clear();
      stamp = current;
    }
    const cacheKey = JSON.stringify([req.headers.authorization ?? null, event.httpMethod, path]);
    let entry = cache.get(cacheKey);
    if (entry && entry.expiresAt <= now) {
      cache.delete(cacheKey);
      entry = undefined;
    }
    let response: AuthorizerResponse | typeof UNAUTHORIZED;
    let decisionId: string;
    if (entry) {
      ({ response, decisionId } = entry);
    } else {
      const outcome = await options.authorize(event, now);
      options.onRecord(outcome.record);
      response = toApiGatewayResponse(outcome);
      decisionId = outcome.record.decisionId;
      const cacheable = options.cacheDenials !== false || outcome.decision.effect === 'allow';
      if (response !== UNAUTHORIZED && cacheable && options.cacheTtlSeconds > 0) {
        if (cache.size >= MAX_CACHE_ENTRIES) cache.clear();
        cache.set(cacheKey, { expiresAt: now + options.cacheTtlSeconds * 1000, response, decisionId });
      }
    }
    const allowed = response !== UNAUTHORIZED && isAllowed(response, event.methodArn as string);
    const status = response === UNAUTHORIZED ? 401 : allowed ? 200 : 403;
    options.onRecord({
      schema: 'zta.access/v1',
      time: new Date(now).toISOString(),
      requestId,
      method: event.httpMethod,
      path,
      status,
      decisionId,
      authorizerCache: entry ? 'hit' : 'miss',
    });
    const trace = { 'x-amzn-requestid': requestId, 'x-zta-decision-id': decisionId };
    if (response === UNAUTHORIZED) {
      req.resume();
      return send(
        res,
        401,
        { message: 'Unauthorized' },
        { ...trace, 'x-amzn-errortype': 'UnauthorizedException' },
      );
    }
    if (!allowed) {
      req.resume();
      return send(
        res,
        403,
        { Message: 'User is not authorized to access this resource with an explicit deny' },
        { ...trace, 'x-amzn-errortype': 'AccessDeniedException' },
      );
    }
    const authorizer = {
      principalId: 'principalId' in response ? response.principalId : undefined,
      ...response.context,
    };
    if (options.upstream) return forward(req, res, options.upstream, authorizer, trace);
    req.resume();
    return send(res, 200, { method: event.httpMethod, path, authorizer }, trace);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, { message: 'Internal server error' }, {});
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    flushCache: () => cache.clear(),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
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

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
  'host',
  'proxy-authorization',
]);

function forward(
  req: IncomingMessage,
  res: ServerResponse,
  upstream: URL,
  authorizer: Record<string, unknown>,
  trace: Record<string, string>,
): void {
  const target = new URL(req.url ?? '/', upstream);
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name) && !name.startsWith('x-zta-')) headers[name] = value;
  }
  headers['x-zta-authorizer'] = JSON.stringify(authorizer);
  const proxied = httpRequest(target, { method: req.method, headers }, (upstreamRes) => {
    res.writeHead(upstreamRes.statusCode ?? 502, { ...upstreamRes.headers, ...trace });
    upstreamRes.pipe(res);
  });
  proxied.on('error', () => {
    if (!res.headersSent) send(res, 502, { message: 'Bad Gateway' }, trace);
    else res.destroy();
  });
  req.pipe(proxied);
}

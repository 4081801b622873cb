/**
 * `POST /token`: a short-lived JWT for the calling workload.
 *
 * Request (REST API, AWS_IAM authorization, SigV4-signed by the caller):
 *   `{ "audience": "<aud>", "ttlSeconds"?: <60..tokens.maxTtlSeconds> }`
 * Response 200: `{ "token", "tokenType": "Bearer", "expiresAt": <epoch seconds> }`, no-store.
 * Claims: `iss`, `aud` (the requested audience), `sub` (the workload's SPIFFE id), `iat`, `exp`,
 * `jti`; header `alg: ES256`, `typ: JWT`, `kid`.
 *
 * Error semantics: every refusal is a 4xx `{ error, message }` from `http.ts` and issues nothing;
 * a signing failure is 503 `signing_unavailable`; anything unexpected is 500 `internal_error`.
 * The token is never logged — only its `jti`, `sub`, `aud`, `kid` and `exp`.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { TokenSigner } from '../signing/types.ts';
import type { TokenServiceConfig } from '../workload-keys/config.ts';
import { workloadOfCaller } from './caller.ts';
import { errorResponse, json } from './http.ts';

/** The few logger methods the endpoints use (Powertools' `Logger` fits). */
export interface EndpointLogger {
  info(message: string, fields: Record<string, unknown>): void;
  warn(message: string, fields: Record<string, unknown>): void;
}

export interface TokenEndpointDeps {
  readonly config: TokenServiceConfig;
  readonly signer: TokenSigner;
  readonly logger: EndpointLogger;
  /** @default crypto.randomUUID */
  readonly newJti?: () => string;
}

/** Handles one API Gateway proxy event at `now` (epoch seconds). Never throws. */
export type TokenEndpoint = (event: APIGatewayProxyEvent, now: number) => Promise<APIGatewayProxyResult>;

const MAX_BODY_BYTES = 4096;
const MIN_TTL_SECONDS = 60;

export function createTokenEndpoint(deps: TokenEndpointDeps): TokenEndpoint {
  const { config, signer, logger } = deps;
  const newJti = deps.newJti ?? randomUUID;

  return async (event, now) => {
    try {
      if (event?.httpMethod !== 'POST')
        return errorResponse('method_not_allowed', 'use POST', { allow: 'POST' });
      const caller = workloadOfCaller(event.requestContext?.identity?.userArn, config.workloads);
      if (!caller.ok) {
        logger.warn('token refused', {
          code: caller.code,
          callerArn: event.requestContext?.identity?.userArn ?? null,
        });
        return errorResponse(caller.code, caller.message);
      }
      const { workload } = caller;
      const body = parseBody(event, config.tokens.maxTtlSeconds);
      if (!body.ok) return errorResponse(body.code, body.message);
      if (!workload.audiences.includes(body.audience)) {
        logger.warn('token refused', {
          code: 'audience_not_allowed',
          sub: workload.spiffeId,
          aud: body.audience,
        });
        return errorResponse(
          'audience_not_allowed',
          `${workload.spiffeId} may not obtain tokens for this audience`,
        );
      }
      const claims = {
        iss: config.issuer,
        sub: workload.spiffeId,
        aud: body.audience,
        iat: now,
        exp: now + body.ttlSeconds,
        jti: newJti(),
      };
      let token: string;
      try {
        token = await signer.sign(claims);
      } catch (error) {
        logger.warn('token signing failed', {
          sub: claims.sub,
          error: (error as Error)?.message ?? String(error),
        });
        return errorResponse('signing_unavailable', 'no signing key is usable right now; retry with backoff');
      }
      logger.info('token issued', {
        sub: claims.sub,
        aud: claims.aud,
        jti: claims.jti,
        kid: kidOf(token),
        exp: claims.exp,
      });
      return json(
        200,
        { token, tokenType: 'Bearer', expiresAt: claims.exp },
        { 'cache-control': 'no-store', pragma: 'no-cache' },
      );
    } catch (error) {
      logger.warn('token endpoint error', { error: (error as Error)?.name ?? 'unknown' });
      return errorResponse('internal_error', 'unexpected error');
    }
  };
}

type BodyResult =
  | { ok: true; audience: string; ttlSeconds: number }
  | { ok: false; code: 'invalid_request' | 'payload_too_large'; message: string };

function parseBody(event: APIGatewayProxyEvent, maxTtl: number): BodyResult {
  const invalid = (message: string): BodyResult => ({ ok: false, code: 'invalid_request', message });
  if (typeof event.body !== 'string' || event.body === '')
    return invalid('expected a JSON body {"audience": "..."}');
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  if (Buffer.byteLength(text) > MAX_BODY_BYTES)
    return { ok: false, code: 'payload_too_large', message: `body over ${MAX_BODY_BYTES} bytes` };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return invalid('the body is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return invalid('the body must be a JSON object');
  const body = parsed as Record<string, unknown>;
  const unknown = Object.keys(body).find((k) => k !== 'audience' && k !== 'ttlSeconds');
  if (unknown !== undefined) return invalid(`unknown member ${JSON.stringify(unknown.slice(0, 40))}`);
  if (typeof body.audience !== 'string' || body.audience === '' || body.audience.length > 256) {
    return invalid('audience must be a non-empty string');
  }
  const ttl = body.ttlSeconds ?? maxTtl;
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < MIN_TTL_SECONDS || ttl > maxTtl) {
    return invalid(`ttlSeconds must be an integer from ${MIN_TTL_SECONDS} to ${maxTtl}`);
  }
  return { ok: true, audience: body.audience, ttlSeconds: ttl };
}

/** The header's `kid`, for the log line (the header is ours: no need for the strict parser). */
function kidOf(token: string): string | undefined {
  try {
    const header = JSON.parse(Buffer.from(token.slice(0, token.indexOf('.')), 'base64url').toString('utf8'));
    return typeof header.kid === 'string' ? header.kid : undefined;
  } catch {
    return undefined;
  }
}

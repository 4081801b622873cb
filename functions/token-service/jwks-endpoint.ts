/**
 * `GET /.well-known/jwks.json`: the public keys of the issuer's next, active and in-grace retired
 * keys, from any `SigningKeyStore` (the KMS rotation state, or the local store).
 *
 * `Cache-Control: public, max-age=<jwks.maxAgeSeconds>`; the config guarantees that is shorter
 * than the rotation's propagation delay, so every cache holds a next key before it signs. A
 * failure, or an empty key set (before the first rotation), is a 503 with `no-store`: caching
 * "no keys" would make verifiers reject the first key's tokens for a whole max-age.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import type { SigningKeyStore } from '../signing/types.ts';
import { errorResponse, json } from './http.ts';
import type { EndpointLogger } from './token-endpoint.ts';

export interface JwksEndpointDeps {
  readonly keys: SigningKeyStore;
  readonly maxAgeSeconds: number;
  readonly logger: EndpointLogger;
}

/** Answers one API Gateway proxy event. Never throws. */
export type JwksEndpoint = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

export function createJwksEndpoint(deps: JwksEndpointDeps): JwksEndpoint {
  return async (event) => {
    const method = event?.httpMethod;
    if (method !== 'GET' && method !== 'HEAD')
      return errorResponse('method_not_allowed', 'use GET', { allow: 'GET, HEAD' });
    try {
      const document = await deps.keys.publicJwks();
      if (document.keys.length === 0)
        return errorResponse('jwks_unavailable', 'no signing key is published yet');
      const response = json(200, document, { 'cache-control': `public, max-age=${deps.maxAgeSeconds}` });
      return method === 'HEAD' ? { ...response, body: '' } : response;
    } catch (error) {
      deps.logger.warn('jwks unavailable', { error: (error as Error)?.message ?? String(error) });
      return errorResponse('jwks_unavailable', 'the key set cannot be read right now');
    }
  };
}

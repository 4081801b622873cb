/**
 * The token service's Lambda handlers, wired from their environment (the entry files
 * `token-handler.ts` and `jwks-handler.ts` only call these with `process.env`):
 * - `POST /token`: the config (`config-source.ts`). Needs `kms:Sign`, `kms:DescribeKey` and
 *   `kms:GetPublicKey` on the signing keys, nothing else.
 * - `GET /.well-known/jwks.json`: `ZTA_ROTATION_TABLE` (required) and the config. Needs
 *   `dynamodb:GetItem` on the rotation table only — public keys live in the state.
 * Both take the Powertools variables (`runtime/aws/observability.ts`); a missing or bad value
 * fails the cold start.
 *
 * A caller waits for both, so their clients retry on the `request` profile (`SDK_RETRIES`).
 * Metrics: `TokensIssued`, `TokenRefusals` by `Reason` (the error code: `signing_unavailable`
 * when KMS could not sign) for `zta-token-service`; `JwksServed`, `JwksUnavailable` for
 * `zta-token-jwks`. The token is in no log, metric or trace: KMS calls are traced by operation
 * only (the X-Ray SDK records no KMS parameter), and responses are never added to a trace.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { type AwsWiring, clientConfig, placementFor, SDK_RETRIES } from '../runtime/aws/client-config.ts';
import type { TOKEN_REFUSAL_REASONS } from '../runtime/aws/metric-catalogue.ts';
import { type ObservabilityWiring, observabilityFor } from '../runtime/aws/observability.ts';
import { type Env, requiredEnv } from '../runtime/env.ts';
import { KmsTokenSigner } from '../signing/kms-signer.ts';
import { rotationTimingOf } from '../workload-keys/config.ts';
import { tokenServiceConfigFromEnv } from '../workload-keys/config-source.ts';
import { DynamoRotationStateStore } from '../workload-keys/state-store.ts';
import type { ErrorCode } from './http.ts';
import { createJwksEndpoint } from './jwks-endpoint.ts';
import { StateKeyStore } from './state-key-store.ts';
import { createTokenEndpoint } from './token-endpoint.ts';

export type ProxyHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;
export type TokenServiceWiring = AwsWiring &
  ObservabilityWiring & {
    /** Epoch seconds. @default Date.now / 1000 */
    readonly clock?: () => number;
  };

// The metric's closed `Reason` set is exactly the token endpoint's error codes (checked both ways).
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const reasonsMatchErrorCodes: Same<
  (typeof TOKEN_REFUSAL_REASONS)[number],
  Exclude<ErrorCode, 'jwks_unavailable'>
> = true;
void reasonsMatchErrorCodes;

export function createTokenHandler(env: Env, wiring: TokenServiceWiring = {}): ProxyHandler {
  const o = observabilityFor('zta-token-service', env, wiring);
  const config = tokenServiceConfigFromEnv(env);
  const kms = o.traced(
    new KMSClient(clientConfig(placementFor('kms', wiring), { retry: SDK_RETRIES.request })),
  );
  const endpoint = createTokenEndpoint({
    config,
    signer: new KmsTokenSigner({
      client: kms,
      keyAlias: config.signing.keyAlias,
      aliasCacheSeconds: config.signing.aliasCacheSeconds,
    }),
    logger: o.logger,
  });
  const clock = wiring.clock ?? (() => Math.floor(Date.now() / 1000));
  return o.handler(async (event, counter) => {
    const response = await endpoint(event, clock());
    if (response.statusCode === 200) counter.count('TokensIssued');
    else counter.count('TokenRefusals', 1, errorCodeOf(response));
    return response;
  });
}

export function createJwksHandler(env: Env, wiring: TokenServiceWiring = {}): ProxyHandler {
  const o = observabilityFor('zta-token-jwks', env, wiring);
  const config = tokenServiceConfigFromEnv(env);
  const dynamo = o.traced(
    new DynamoDBClient(clientConfig(placementFor('dynamodb', wiring), { retry: SDK_RETRIES.request })),
  );
  const store = new DynamoRotationStateStore({
    client: dynamo,
    tableName: requiredEnv(env, 'ZTA_ROTATION_TABLE'),
    ...(wiring.clock ? { clock: wiring.clock } : {}),
  });
  const endpoint = createJwksEndpoint({
    keys: new StateKeyStore({ store, rotationId: config.rotation.id, timing: rotationTimingOf(config) }),
    maxAgeSeconds: config.jwks.maxAgeSeconds,
    logger: o.logger,
  });
  return o.handler(async (event, counter) => {
    const response = await endpoint(event);
    if (response.statusCode === 200) counter.count('JwksServed');
    else if (errorCodeOf(response) === 'jwks_unavailable') counter.count('JwksUnavailable');
    return response;
  });
}

/** The `error` code of one of our own error responses (`http.ts`). */
function errorCodeOf(response: APIGatewayProxyResult): string {
  try {
    const code = (JSON.parse(response.body) as { error?: unknown }).error;
    return typeof code === 'string' ? code : 'internal_error';
  } catch {
    return 'internal_error';
  }
}

/**
 * The token service wired end to end on one machine, on one injected clock: the rotator
 * (real executor, KMS double over HTTP, DynamoDB state in dynalite), `POST /token` signing with
 * the KMS signer, the JWKS handler served over real HTTP on 127.0.0.1, and an authorizer core
 * that trusts the issuer through `remoteKeySource` on that loopback URI — the way a deployed
 * authorizer trusts the token service.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import type { Authorizer } from '../../functions/core/authorizer.ts';
import {
  type RotationDeps,
  type RotationReport,
  type RunRequest,
  runRotation,
} from '../../functions/key-rotation/executor.ts';
import { rotationDeps } from '../../functions/key-rotation/wiring.ts';
import { remoteKeySource } from '../../functions/runtime/jwks-remote.ts';
import { KmsTokenSigner } from '../../functions/signing/kms-signer.ts';
import { createJwksEndpoint } from '../../functions/token-service/jwks-endpoint.ts';
import { StateKeyStore } from '../../functions/token-service/state-key-store.ts';
import { createTokenEndpoint, type EndpointLogger } from '../../functions/token-service/token-endpoint.ts';
import { rotationTimingOf, type TokenServiceConfig } from '../../functions/workload-keys/config.ts';
import type { RotationState } from '../../functions/workload-keys/state.ts';
import { proxyEvent, type ServedApi, serveProxyHandler } from '../support/apigw-http.ts';
import { testAuthorizer } from '../support/authorizer.ts';
import { type LocalDynamo, startDynalite } from '../support/dynalite.ts';
import { restRequestEvent } from '../support/events.ts';
import { type KmsDouble, startKmsDouble } from '../support/kms-double.ts';
import { assumedRole, createRotationTable, TOKEN_ISSUER, tokenConfig } from '../support/token-service.ts';
import { T0 } from './helpers.ts';

/** Short timing so a whole cycle fits in hours: grace 990 s, delay 3 600 s, period 4 h. */
export const CYCLE_CONFIG = {
  tokens: { maxTtlSeconds: 900, clockToleranceSeconds: 30 },
  rotation: { rotationPeriodSeconds: 14_400, propagationDelaySeconds: 3600, pendingWindowDays: 7 },
  jwks: { maxAgeSeconds: 300 },
};

export interface World {
  readonly config: TokenServiceConfig;
  readonly kms: KmsDouble;
  readonly jwksApi: ServedApi;
  readonly deps: RotationDeps;
  /** Epoch seconds, moved by the test. */
  now: number;
  rotate(request?: RunRequest, wrap?: (deps: RotationDeps) => RotationDeps): Promise<RotationReport>;
  state(): Promise<RotationState>;
  /** `POST /token` as the orders service. */
  requestToken(audience?: string): Promise<APIGatewayProxyResult>;
  /** A fresh verifier (cold JWKS cache), as a newly started authorizer. */
  newVerifier(): Authorizer;
  /** Decides a token with `verifier` at the world's time: `200 allowed`, `401 unknown_key`, … */
  verify(verifier: Authorizer, token: string): Promise<string>;
  close(): Promise<void>;
}

const quiet: EndpointLogger = { info: () => undefined, warn: () => undefined };

export async function startWorld(overrides: Record<string, unknown> = CYCLE_CONFIG): Promise<World> {
  const kms = await startKmsDouble({ clock: () => world.now * 1000 });
  const dynamo: LocalDynamo = await startDynalite();
  const tableName = await createRotationTable(dynamo.client);
  const config = tokenConfig(overrides);
  const clock = () => world.now;
  const deps = rotationDeps(config, { kms: kms.client(), dynamo: dynamo.client, tableName, clock });
  const keys = new StateKeyStore({
    store: deps.store,
    rotationId: config.rotation.id,
    timing: rotationTimingOf(config),
    clock,
  });
  const jwksApi = await serveProxyHandler(
    { method: 'GET', path: '/.well-known/jwks.json' },
    createJwksEndpoint({ keys, maxAgeSeconds: config.jwks.maxAgeSeconds, logger: quiet }),
  );
  const signer = new KmsTokenSigner({
    client: kms.client(),
    keyAlias: config.signing.keyAlias,
    aliasCacheSeconds: config.signing.aliasCacheSeconds,
    clock: () => world.now * 1000,
  });
  const tokens = createTokenEndpoint({ config, signer, logger: quiet });

  const world: World = {
    config,
    kms,
    jwksApi,
    deps,
    now: T0,
    rotate: (request = { kind: 'scheduled' }, wrap = (d) => d) => runRotation(wrap(deps), request),
    state: () => deps.store.load(config.rotation.id),
    requestToken: (audience = 'zt-api') =>
      tokens(
        proxyEvent({
          method: 'POST',
          path: '/token',
          userArn: assumedRole('orders-service'),
          body: JSON.stringify({ audience }),
        }),
        world.now,
      ),
    newVerifier: () =>
      testAuthorizer({
        issuers: [
          {
            issuer: TOKEN_ISSUER,
            audience: 'zt-api',
            algorithms: ['ES256'],
            // The authorizer's defaults for a jwksUri issuer, with the JWKS max-age of this service.
            keys: remoteKeySource({
              uri: `${jwksApi.url}/.well-known/jwks.json`,
              maxAgeSeconds: config.jwks.maxAgeSeconds,
              cooldownSeconds: 30,
              timeoutMs: 3000,
              maxStaleSeconds: 3600,
              clock: () => world.now * 1000,
            }),
          },
        ],
      }).authorize,
    verify: async (verifier, token) => {
      const outcome = await verifier(restRequestEvent(`Bearer ${token}`), world.now * 1000);
      return `${outcome.decision.status} ${outcome.decision.reason}`;
    },
    close: async () => {
      await jwksApi.close();
      await kms.close();
      await dynamo.close();
    },
  };
  return world;
}

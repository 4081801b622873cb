/**
 * The authorizer against a real OpenID Provider (`oidc-provider` on 127.0.0.1): JWT access tokens
 * (resource indicators, `typ: at+jwt`) and ID tokens (authorization code + PKCE) from one issuer,
 * told apart by two entries; keys through discovery; rotation, outage and a hanging JWKS
 * endpoint. Token times are the provider's (real time); the key cache runs on an injected clock,
 * moved by hand. No assertion is about time: "no request waits" is shown by requests decided
 * while the provider still holds the JWKS fetch open.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildAuthorizer } from '../../functions/runtime/build-authorizer.ts';
import { loadConfigFile } from '../../functions/runtime/config-file.ts';
import { POLICY_DIR } from '../policy/helpers.ts';
import { restRequestEvent } from '../support/events.ts';
import { eventually } from '../support/eventually.ts';
import {
  newSigningKey,
  type OpenIdProvider,
  RESOURCE,
  startOpenIdProvider,
  WEB_CLIENT,
} from '../support/openid-provider.ts';
import { tempDirs } from '../unit/helpers.ts';

const MAX_AGE = 600;
const COOLDOWN = 30;
const MAX_STALE = 120;
const k1 = newSigningKey('k1');
const k2 = newSigningKey('k2');
const dirs = tempDirs('zta-op-');
let op: OpenIdProvider;

beforeAll(async () => {
  op = await startOpenIdProvider([k1]);
});
afterAll(async () => {
  await op.close();
  dirs.cleanup();
});
beforeEach(() => {
  op.rotate([k1]);
  op.jwks('serve');
});

/** An authorizer trusting the provider's access and ID tokens, its key cache on a hand clock. */
async function authorizerFor(issuer = op.issuer) {
  const dir = dirs.make();
  const cache = {
    maxAgeSeconds: MAX_AGE,
    cooldownSeconds: COOLDOWN,
    // Far longer than any test: a hanging refresh stays open while it is asserted.
    timeoutMs: 25_000,
    maxStaleSeconds: MAX_STALE,
  };
  mkdirSync(join(dir, 'conf'));
  const path = join(dir, 'conf', 'zta.config.json');
  writeFileSync(
    path,
    JSON.stringify({
      issuers: [
        {
          issuer,
          audience: RESOURCE,
          typ: 'at+jwt',
          algorithms: ['ES256'],
          discovery: true,
          jwksCache: cache,
        },
        { issuer, audience: WEB_CLIENT, algorithms: ['ES256'], discovery: true, jwksCache: cache },
      ],
      policies: POLICY_DIR,
      revocations: null,
    }),
  );
  const clock = { ms: Date.now() };
  // The first decision waits for the prefetch (nothing is cached yet); later ones never wait.
  const built = buildAuthorizer(loadConfigFile(path, POLICY_DIR), { clock: () => clock.ms });
  const decide = async (token: string, method = 'GET', route = '/api/orders') => {
    const { decision } = await built.authorize(
      restRequestEvent(`Bearer ${token}`, { method, resource: route }),
      Date.now(),
    );
    return decision.effect === 'allow' ? 'allow' : `${decision.status} ${decision.reason}`;
  };
  return { decide, advance: (seconds: number) => (clock.ms += seconds * 1000), stamp: built.stamp };
}

describe('tokens of a real OpenID Provider, keys through discovery', () => {
  it('decides JWT access tokens by their scope', async () => {
    // Prepare
    const { decide } = await authorizerFor();
    const read = await op.accessToken('orders:read');
    const write = await op.accessToken('orders:write');

    // Act
    const outcomes = [
      await decide(read),
      await decide(write),
      await decide(write, 'POST'),
      await decide(read, 'POST'),
    ];

    // Assess
    expect(outcomes).toEqual(['allow', '403 policy_denied', 'allow', '403 policy_denied']);
  });

  it('takes ID tokens from the code flow through the ID-token entry of the same issuer', async () => {
    // Prepare
    const { decide } = await authorizerFor();
    const idToken = await op.idToken('alice');

    // Act
    const outcomes = [await decide(idToken, 'GET', '/api/profile'), await decide(idToken)];

    // Assess: a valid principal everywhere, but an ID token carries no scopes
    expect(outcomes).toEqual(['allow', '403 policy_denied']);
  });
});

describe('key rotation at the provider', () => {
  it('accepts a new key once the cooldown allows a refresh, and drops a removed key at the next refresh', async () => {
    // Prepare
    const { decide, advance, stamp } = await authorizerFor();
    const oldToken = await op.accessToken('orders:read');
    expect(await decide(oldToken)).toBe('allow');

    // Act: k2 appears and signs
    op.rotate([k2, k1]);
    const newToken = await op.accessToken('orders:read');
    const withinCooldown = await decide(newToken);
    advance(COOLDOWN);
    const afterCooldown = await decide(newToken);
    // k1 is removed; the cached set still has it until the next refresh
    op.rotate([k2]);
    const beforeRefresh = await decide(oldToken);
    advance(MAX_AGE + 1);
    const before = stamp();
    await decide(newToken); // stale keys serve it, and start one background refresh
    await eventually(() => stamp() !== before, 'the refreshed key set to land');
    const afterRefresh = [await decide(oldToken), await decide(newToken)];

    // Assess
    expect([withinCooldown, afterCooldown, beforeRefresh]).toEqual(['401 unknown_key', 'allow', 'allow']);
    expect(afterRefresh).toEqual(['401 unknown_key', 'allow']);
  });
});

describe('a provider whose JWKS endpoint fails or hangs', () => {
  it('serves cached keys for maxAge + maxStale, then fails closed, then recovers', async () => {
    // Prepare
    const { decide, advance } = await authorizerFor();
    const token = await op.accessToken('orders:read');
    expect(await decide(token)).toBe('allow');
    op.jwks('fail');

    // Act
    advance(MAX_AGE + MAX_STALE);
    const lastStaleSecond = await decide(token);
    advance(1);
    const beyond = await decide(token);
    op.jwks('serve');
    advance(COOLDOWN);
    const recovered = await decide(token);

    // Assess
    expect([lastStaleSecond, beyond, recovered]).toEqual(['allow', '401 keys_unavailable', 'allow']);
  });

  it('decides every request on cached keys while the refresh it started still hangs', async () => {
    // Prepare
    const { decide, advance } = await authorizerFor();
    const token = await op.accessToken('orders:read');
    expect(await decide(token)).toBe('allow');
    op.jwks('hang');
    advance(MAX_AGE + 1);

    // Act
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => decide(token)));
    await eventually(() => op.jwksRequests().pending === 1, 'the refresh to reach the provider');

    // Assess
    expect(new Set(outcomes)).toEqual(new Set(['allow']));
    expect(op.jwksRequests().pending).toBe(1);
  });
});

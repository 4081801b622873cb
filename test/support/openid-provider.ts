/**
 * A real OpenID Provider (`oidc-provider`) on 127.0.0.1 for the tests: JWT access tokens through
 * resource indicators and client_credentials (`typ: at+jwt`, `aud` = the resource), ID tokens
 * through a real authorization-code flow with PKCE driven over HTTP (its development login and
 * consent pages), discovery, and its JWKS endpoint. Keys are generated at test time; `rotate`
 * swaps in a provider with another key set behind the same address, and `jwks` makes the JWKS
 * endpoint (only) fail or hang, for outage tests.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { generateKey, type TestKey } from './keys.ts';

export const RESOURCE = 'https://orders.example.test';
export const SERVICE_CLIENT = 'orders-service';
export const WEB_CLIENT = 'orders-web';
const SERVICE_SECRET = 'a-test-secret-of-enough-length-0123456789';
const REDIRECT = 'http://127.0.0.1/callback';

export type JwksMode = 'serve' | 'fail' | 'hang';

export interface OpenIdProvider {
  /** The issuer: `http://127.0.0.1:<port>`. */
  readonly issuer: string;
  /** A client_credentials access token for `RESOURCE` with `scope`. */
  accessToken(scope: string): Promise<string>;
  /** An ID token for `accountId` (login and consent through the provider's own pages). */
  idToken(accountId: string): Promise<string>;
  /** Serves from now on with these keys (the first one signs). */
  rotate(keys: readonly TestKey[]): void;
  /** How the JWKS endpoint answers from now on. */
  jwks(mode: JwksMode): void;
  /** JWKS requests received, and those not answered yet. */
  jwksRequests(): { received: number; pending: number };
  close(): Promise<void>;
}

export function newSigningKey(kid: string): TestKey {
  return generateKey('ES256', kid);
}

export async function startOpenIdProvider(keys: readonly TestKey[]): Promise<OpenIdProvider> {
  let mode: JwksMode = 'serve';
  let received = 0;
  let pending = 0;
  let provider: ReturnType<typeof providerFor> | undefined;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith('/jwks')) {
      received++;
      pending++;
      res.on('close', () => pending--);
      if (mode === 'hang') return;
      if (mode === 'fail') {
        res.writeHead(503).end();
        return;
      }
    }
    provider?.callback()(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  provider = providerFor(issuer, keys);

  return {
    issuer,
    accessToken: async (scope) => {
      const response = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${SERVICE_CLIENT}:${SERVICE_SECRET}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: new URLSearchParams({ grant_type: 'client_credentials', scope, resource: RESOURCE }),
      });
      const body = (await response.json()) as { access_token?: string };
      if (!body.access_token) throw new Error(`no access token: ${JSON.stringify(body)}`);
      return body.access_token;
    },
    idToken: (accountId) => codeFlow(issuer, accountId),
    rotate: (next) => {
      provider = providerFor(issuer, next);
    },
    jwks: (next) => {
      mode = next;
    },
    jwksRequests: () => ({ received, pending }),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function providerFor(issuer: string, keys: readonly TestKey[]) {
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: SERVICE_CLIENT,
        client_secret: SERVICE_SECRET,
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
      },
      {
        client_id: WEB_CLIENT,
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code'],
        redirect_uris: [REDIRECT],
        response_types: ['code'],
      },
    ],
    clientDefaults: { id_token_signed_response_alg: 'ES256' },
    jwks: {
      keys: keys.map((key) => ({
        ...key.privateKey.export({ format: 'jwk' }),
        kid: key.kid,
        alg: 'ES256',
        use: 'sig',
      })),
    },
    scopes: ['openid', 'orders:read', 'orders:write'],
    findAccount: (_ctx: unknown, id: string) => ({ accountId: id, claims: () => ({ sub: id }) }),
    pkce: { required: () => true },
    ttl: {
      ClientCredentials: 600,
      AccessToken: 600,
      IdToken: 600,
      Interaction: 600,
      Session: 600,
      Grant: 600,
    },
    features: {
      clientCredentials: { enabled: true },
      devInteractions: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'orders:read orders:write',
          audience: RESOURCE,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'ES256' } },
        }),
      },
    },
  });
  return provider;
}

/** The authorization-code flow with PKCE, as a browser would walk it: redirects and cookies. */
async function codeFlow(issuer: string, accountId: string): Promise<string> {
  const cookies = new Map<string, string>();
  const go = async (url: string, init: RequestInit = {}): Promise<Response> => {
    const response = await fetch(new URL(url, issuer), {
      ...init,
      redirect: 'manual',
      headers: {
        ...(init.headers as Record<string, string>),
        cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      },
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ''] = cookie.split(';');
      const at = pair.indexOf('=');
      cookies.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return response;
  };
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const query = new URLSearchParams({
    client_id: WEB_CLIENT,
    response_type: 'code',
    scope: 'openid',
    redirect_uri: REDIRECT,
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: 'state-1',
    nonce: 'nonce-1',
  });
  let location = `/auth?${query}`;
  for (let step = 0; step < 12; step++) {
    if (location.startsWith(REDIRECT)) {
      const code = new URL(location).searchParams.get('code');
      if (!code) throw new Error(`no code in ${location}`);
      const response = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code,
          redirect_uri: REDIRECT,
          client_id: WEB_CLIENT,
          code_verifier: verifier,
        }),
      });
      const body = (await response.json()) as { id_token?: string };
      if (!body.id_token) throw new Error(`no ID token: ${JSON.stringify(body)}`);
      return body.id_token;
    }
    const interaction = /^\/interaction\/([^/?]+)$/.exec(new URL(location, issuer).pathname);
    const response = interaction
      ? await go(`/interaction/${interaction[1]}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(await promptOf(go, location, accountId)),
        })
      : await go(location);
    const next = response.headers.get('location');
    if (!next) throw new Error(`the flow stopped at ${location} with HTTP ${response.status}`);
    location = next;
  }
  throw new Error('the authorization-code flow did not finish');
}

/** Reads which prompt an interaction page shows and answers it. */
async function promptOf(
  go: (url: string) => Promise<Response>,
  location: string,
  accountId: string,
): Promise<Record<string, string>> {
  const page = await (await go(location)).text();
  return page.includes('name="login"')
    ? { prompt: 'login', login: accountId, password: 'any' }
    : { prompt: 'consent' };
}

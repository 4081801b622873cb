/**
 * `zta jwks fetch`: snapshot an issuer's JWKS (through discovery or a direct URL) from a real
 * HTTP endpoint on 127.0.0.1, then use the snapshot beside a jwksUri while that endpoint is down.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateKey, jwksOf } from '../support/keys.ts';
import { startIdp, type TestIdp } from '../unit/runtime/jwks-server.ts';
import { jsonLines, restEvent, runCli, type Workspace, workspace } from './harness.ts';

let idp: TestIdp | undefined;
let ws: Workspace | undefined;
afterEach(async () => {
  await idp?.close();
  idp = undefined;
  ws?.cleanup();
  ws = undefined;
});

async function served(document: unknown, discovery?: (origin: string) => unknown) {
  idp = await startIdp({ kind: 'jwks', document });
  idp.discovery(discovery ? discovery(idp.origin) : { issuer: idp.origin, jwks_uri: idp.uri });
  ws = workspace();
  return { idp, ws, out: join(ws.dir, 'snapshot.json') };
}

describe('zta jwks fetch', () => {
  it('writes the JWKS found through discovery and says what it wrote', async () => {
    // Prepare
    const { idp, ws, out } = await served(jwksOf(generateKey('ES256', 'a'), generateKey('RS256', 'b')));

    // Act
    const result = await runCli(['jwks', 'fetch', '--issuer', idp.origin, '--out', out], { cwd: ws.dir });

    // Assess
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(jsonLines(result.stdout)).toEqual([{ out, jwksUri: idp.uri, kids: ['a', 'b'] }]);
    expect(JSON.parse(readFileSync(out, 'utf8')).keys.map((k: { kid: string }) => k.kid)).toEqual(['a', 'b']);
  });

  it.each([
    {
      name: 'a discovery document naming another issuer',
      document: jwksOf(generateKey('ES256', 'a')),
      discovery: (origin: string) => ({
        issuer: 'https://elsewhere.example',
        jwks_uri: `${origin}/jwks.json`,
      }),
      error: /names issuer "https:\/\/elsewhere\.example"/,
    },
    {
      name: 'a discovery document with an http jwks_uri off loopback',
      document: jwksOf(generateKey('ES256', 'a')),
      discovery: (origin: string) => ({ issuer: origin, jwks_uri: 'http://idp.example.test/jwks' }),
      error: /jwks_uri must be https/,
    },
    {
      name: 'a JWKS holding a private key',
      document: { keys: [{ ...generateKey('ES256', 'a').jwk, d: 'AA' }] },
      discovery: undefined,
      error: /private/,
    },
    {
      name: 'a JWKS with no usable key',
      document: { keys: [{ kty: 'oct', k: 'AA' }] },
      discovery: undefined,
      error: /private|no usable/,
    },
  ])('refuses $name and writes nothing', async ({ document, discovery, error }) => {
    // Prepare
    const { idp, ws, out } = await served(document, discovery);

    // Act
    const result = await runCli(['jwks', 'fetch', '--issuer', idp.origin, '--out', out], { cwd: ws.dir });

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(error);
    expect(existsSync(out)).toBe(false);
  });

  it.each([
    [['jwks', 'fetch', '--out', 'x.json'], /exactly one of --issuer/],
    [
      ['jwks', 'fetch', '--issuer', 'https://a', '--jwks-uri', 'https://a/j', '--out', 'x.json'],
      /exactly one/,
    ],
    [['jwks', 'fetch', '--issuer', 'http://idp.example.test', '--out', 'x.json'], /--issuer must be https/],
    [['jwks', 'fetch', '--jwks-uri', 'https://idp.example.test/j'], /--out <file> is required/],
    [['jwks', 'list'], /unknown sub-command "list" \(zta jwks takes fetch\)/],
  ])('refuses usage %j with exit 2', async (args, error) => {
    const result = await runCli(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(error);
  });

  it('makes a snapshot that serves at cold start while the JWKS URI is down', async () => {
    // Prepare: the IdP publishes the workspace's signing key; snapshot it, then take the IdP away
    ws = workspace();
    const out = join(ws.dir, 'snapshot.json');
    const down = await startIdp({ kind: 'jwks', document: jwksOf(ws.key) });
    const fetched = await runCli(['jwks', 'fetch', '--jwks-uri', down.uri, '--out', out]);
    const uri = down.uri;
    await down.close();
    const config = ws.write('snapshot-config.json', {
      issuers: [
        {
          issuer: 'https://idp.example.test',
          audience: 'zt-api',
          algorithms: ['ES256'],
          jwksFile: out,
          jwksUri: uri,
        },
      ],
      policies: join(import.meta.dirname, '../../policies'),
      revocations: null,
    });
    const token = await ws.sign({ sub: 'alice' });
    const now = Math.floor(Date.now() / 1000);

    // Act
    const result = await runCli(['decide', '--config', config, '--now', String(now)], {
      stdin: JSON.stringify(restEvent('GET', '/api/profile', `Bearer ${token}`)),
    });

    // Assess
    expect(fetched.code).toBe(0);
    expect(jsonLines(result.stdout)).toMatchObject([{ decision: 'ALLOW', status: 200 }]);
  });
});

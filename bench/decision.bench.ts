/**
 * Decision latency: the authorizer core end to end (event -> decision record) and its parts,
 * against `jose` `jwtVerify` measured in the same run as the baseline. Not a test: run with
 *   npx tsx bench/decision.bench.ts
 * Prints p50/p99 in microseconds and ratios to the baseline.
 */
import type { KeyObject } from 'node:crypto';
import { resolve } from 'node:path';
import { importJWK, jwtVerify, SignJWT } from 'jose';
import { createAuthorizer } from '../functions/core/authorizer.ts';
import { DEFAULT_CLAIMS, type IssuerConfig } from '../functions/core/config/authorizer-config.ts';
import { parseJwks } from '../functions/core/jwt/key-set.ts';
import { verifyToken } from '../functions/core/jwt/verify-token.ts';
import { staticKeySource } from '../functions/core/keys.ts';
import { createPolicyEngine } from '../functions/core/policy/engine.ts';
import { indexRevocations } from '../functions/core/revocation.ts';
import { readPolicySource } from '../functions/runtime/policy-dir.ts';
import { keyPair } from '../test/support/keys.ts';

const ISS = 'https://idp.example.test';
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 5000);

async function measure(
  name: string,
  fn: () => unknown | Promise<unknown>,
): Promise<{ name: string; p50: number; p99: number }> {
  for (let i = 0; i < 500; i++) await fn();
  const samples = new Float64Array(ITERATIONS);
  for (let i = 0; i < ITERATIONS; i++) {
    const t = performance.now();
    await fn();
    samples[i] = (performance.now() - t) * 1000;
  }
  samples.sort();
  return {
    name,
    p50: samples[Math.floor(ITERATIONS / 2)] ?? 0,
    p99: samples[Math.floor(ITERATIONS * 0.99)] ?? 0,
  };
}

function signingPair(alg: 'ES256' | 'RS256'): { privateKey: KeyObject; jwk: Record<string, unknown> } {
  const { privateKey, publicKey } =
    alg === 'ES256'
      ? keyPair({ type: 'ec', namedCurve: 'P-256' })
      : keyPair({ type: 'rsa', modulusLength: 2048 });
  return { privateKey, jwk: { ...publicKey.export({ format: 'jwk' }), kid: alg, alg, use: 'sig' } };
}

const policy = createPolicyEngine(readPolicySource(resolve(import.meta.dirname, '../policies')));
const rows: Array<{ name: string; p50: number; p99: number }> = [];
for (const alg of ['ES256', 'RS256'] as const) {
  const { privateKey, jwk } = signingPair(alg);
  const keySet = parseJwks({ keys: [jwk] }).keySet;
  const issuer: IssuerConfig = {
    issuer: ISS,
    audiences: ['zt-api'],
    algorithms: [alg],
    jwks: { kind: 'file', path: '(bench)' },
    typ: undefined,
    clockToleranceSeconds: 30,
    maxLifetimeSeconds: 86_400,
    claims: DEFAULT_CLAIMS,
  };
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({
    iss: ISS,
    aud: 'zt-api',
    sub: 'alice',
    iat: now,
    exp: now + 600,
    jti: 'j1',
    role: 'admin',
    amr: ['mfa'],
  })
    .setProtectedHeader({ alg, kid: alg, typ: 'JWT' })
    .sign(privateKey);
  const joseKey = await importJWK(jwk, alg);
  const issuers = new Map([[ISS, { config: issuer, keys: staticKeySource(keySet) }]]);
  const authorize = createAuthorizer({
    issuers: [{ config: issuer, keys: staticKeySource(keySet) }],
    policy,
    revocations: indexRevocations([{ kind: 'jti', jti: 'other', revokedAt: now }]),
    maxTokenBytes: 8192,
  });
  const event = {
    type: 'REQUEST',
    methodArn: 'arn:aws:execute-api:us-east-1:123456789012:abc/prod/GET/api/sensitive',
    resource: '/api/sensitive',
    path: '/api/sensitive',
    httpMethod: 'GET',
    headers: { Authorization: `Bearer ${token}` },
    requestContext: { requestId: 'r', apiId: 'abc', stage: 'prod', identity: { sourceIp: '203.0.113.7' } },
  };
  const check = await authorize(event, Date.now());
  if (check.decision.effect !== 'allow')
    throw new Error(`bench setup: expected ALLOW, got ${check.decision.reason}`);

  rows.push(
    await measure(`${alg} baseline: jose jwtVerify (signature + claims only)`, () =>
      jwtVerify(token, joseKey, { algorithms: [alg], issuer: ISS, audience: 'zt-api' }),
    ),
  );
  rows.push(
    await measure(`${alg} verifyToken (parse + signature + claims)`, () =>
      verifyToken(token, issuers, 8192, now),
    ),
  );
  rows.push(
    await measure(`${alg} full decision (event -> record, Cedar, revocation)`, () =>
      authorize(event, Date.now()),
    ),
  );
}
rows.push(
  await measure('Cedar evaluate alone (default policies)', () =>
    policy.evaluate({
      principal: { issuer: ISS, subject: 'alice', roles: ['admin'], mfa: true },
      request: { method: 'GET', route: '/api/sensitive', path: '/api/sensitive', sourceIp: '203.0.113.7' },
      now: 0,
    }),
  ),
);

console.log(`node ${process.version}, ${ITERATIONS} iterations each (after 500 warm-up)\n`);
console.log('| measurement | p50 µs | p99 µs | p50 vs jose |');
console.log('|---|---:|---:|---:|');
let baseline = 0;
for (const row of rows) {
  if (row.name.includes('baseline')) baseline = row.p50;
  const ratio = row.name.includes('Cedar') ? '' : `${(row.p50 / baseline).toFixed(2)}×`;
  console.log(`| ${row.name} | ${row.p50.toFixed(0)} | ${row.p99.toFixed(0)} | ${ratio} |`);
}

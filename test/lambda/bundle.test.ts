/**
 * Proves the Lambda package works on its own: the handler bundled by esbuild, loaded by plain
 * `node` in a child process from the package folder (no tsx, no repository on the path), and
 * invoked on REST REQUEST events. One bundle build and one cold start serve every case.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleAuthorizer } from '../../functions/authorizer/bundle.ts';
import { es256Key, signEs256, tempDirs } from '../unit/helpers.ts';

const ISS = 'https://idp.example.test';
const AUD = 'zt-api';
const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/api/sensitive';
const REVOKED_JTI = 'revoked-before-bundling';

const dirs = tempDirs('zta-bundle-');
afterAll(dirs.cleanup);

const key = es256Key('k1');
const now = Math.floor(Date.now() / 1000);
const claims = (extra: Record<string, unknown>) => ({
  iss: ISS,
  aud: AUD,
  sub: 'alice',
  iat: now,
  exp: now + 300,
  ...extra,
});
const TOKENS = {
  adminMfa: signEs256(claims({ role: 'admin', amr: ['pwd', 'mfa'], jti: 'j-1' }), key),
  adminNoMfa: signEs256(claims({ role: 'admin', amr: ['pwd'], jti: 'j-2' }), key),
  badSignature: signEs256(claims({ role: 'admin', amr: ['mfa'] }), es256Key('k1')),
  revoked: signEs256(claims({ role: 'admin', amr: ['mfa'], jti: REVOKED_JTI }), key),
};

/** A REST API REQUEST authorizer event, as API Gateway sends it, for GET /api/sensitive. */
const restRequest = (authorization: string) => ({
  type: 'REQUEST',
  methodArn: METHOD_ARN,
  resource: '/api/sensitive',
  path: '/api/sensitive',
  httpMethod: 'GET',
  headers: { Authorization: authorization, Host: 'abc123.execute-api.eu-west-1.amazonaws.com' },
  multiValueHeaders: { Authorization: [authorization] },
  queryStringParameters: null,
  pathParameters: null,
  stageVariables: null,
  requestContext: {
    resourcePath: '/api/sensitive',
    httpMethod: 'GET',
    path: '/prod/api/sensitive',
    stage: 'prod',
    apiId: 'abc123',
    requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    identity: { sourceIp: '203.0.113.9' },
  },
});

const CASES = [
  { name: 'an admin with MFA', event: restRequest(`Bearer ${TOKENS.adminMfa}`) },
  { name: 'an admin without MFA', event: restRequest(`Bearer ${TOKENS.adminNoMfa}`) },
  { name: 'a bad signature', event: restRequest(`Bearer ${TOKENS.badSignature}`) },
  { name: 'a token revoked before bundling', event: restRequest(`Bearer ${TOKENS.revoked}`) },
  { name: 'a malformed header', event: restRequest(`Basic ${TOKENS.adminMfa}`) },
] as const;

type Outcome = {
  value?: Record<string, unknown>;
  error?: { isError: boolean; name: string; message: string };
};
let outDir = '';
let outcomes: Outcome[] = [];
let logLines: Record<string, unknown>[] = [];
let stdout = '';

beforeAll(async () => {
  // Prepare: a config folder as a user would write it, with files the package must carry.
  const configDir = dirs.make();
  mkdirSync(join(configDir, 'keys'));
  mkdirSync(join(configDir, 'state'));
  writeFileSync(join(configDir, 'keys', 'jwks.json'), JSON.stringify({ keys: [key.publicJwk] }));
  writeFileSync(
    join(configDir, 'state', 'revocations.json'),
    JSON.stringify({ version: 1, revocations: [{ kind: 'jti', jti: REVOKED_JTI, revokedAt: now }] }),
  );
  outDir = join(dirs.make(), 'package');
  bundleAuthorizer({
    outDir,
    configBaseDir: configDir,
    config: {
      issuers: [{ issuer: ISS, audience: AUD, jwksFile: './keys/jwks.json', algorithms: ['ES256'] }],
      revocations: { file: './state/revocations.json' },
    },
  });

  // Act: one cold start in plain node, from the package folder, every case invoked in order.
  const driver = join(import.meta.dirname, 'invoke-bundle.cjs');
  const run = await promisify(execFile)(
    process.execPath,
    [driver, JSON.stringify(CASES.map((c) => c.event))],
    {
      cwd: outDir,
      env: { PATH: process.env.PATH ?? '', LAMBDA_TASK_ROOT: outDir, TZ: 'UTC' },
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  stdout = run.stdout;
  const lines = stdout.split('\n').filter((line) => line.trim() !== '');
  outcomes = lines.filter((l) => l.startsWith('RESULT ')).map((l) => JSON.parse(l.slice('RESULT '.length)));
  logLines = lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
}, 120_000);

describe('the bundled authorizer', () => {
  it('is a self-contained package: code, Cedar wasm, policies, JWKS, config with inside paths', () => {
    // Prepare
    const config = JSON.parse(readFileSync(join(outDir, 'zta.config.json'), 'utf8'));
    const paths = [
      config.policies,
      config.revocations.file,
      ...config.issuers.map((i: { jwksFile: string }) => i.jwksFile),
    ];
    const inside = (p: string) => {
      const rel = relative(outDir, resolve(outDir, p));
      return !isAbsolute(p) && !rel.startsWith('..') && !isAbsolute(rel);
    };

    // Act
    const files = readdirSync(outDir);
    const policies = readdirSync(join(outDir, 'policies'));

    // Assess
    expect(files).toEqual(
      expect.arrayContaining(['index.js', 'cedar_wasm_bg.wasm', 'policies', 'zta.config.json']),
    );
    expect(policies).toEqual(
      expect.arrayContaining(['profile.cedar', 'sensitive.cedar', 'schema.cedarschema']),
    );
    expect(paths.filter((p) => !inside(p))).toEqual([]);
    expect(config.issuers.every((i: { jwksFile: string }) => existsSync(resolve(outDir, i.jwksFile)))).toBe(
      true,
    );
    expect(existsSync(resolve(outDir, config.revocations.file))).toBe(true);
  });

  it('ships the build-time validated policy set, and the cold start uses it', () => {
    // Act
    const compiled = JSON.parse(readFileSync(join(outDir, 'compiled-policies.json'), 'utf8'));
    const loaded = logLines.find((l) => l.message === 'policy set loaded');

    // Assess
    expect(compiled).toMatchObject({ format: 'zta.compiled-policies/v1', policies: expect.any(Array) });
    expect(loaded).toMatchObject({
      fromCompiled: true,
      policyRevision: compiled.revision,
      policies: compiled.policies.length,
    });
  });

  it('answered every event', () => {
    // Assess
    expect(outcomes).toHaveLength(CASES.length);
  });

  it('allows an admin with MFA, with a policy on exactly the methodArn', () => {
    // Act
    const answer = outcomes[0]?.value;

    // Assess
    expect(answer?.policyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: METHOD_ARN }],
    });
    expect(answer).toMatchObject({
      principalId: `${ISS}|alice`,
      context: { reason: 'allowed', subject: 'alice', mfa: true },
    });
  });

  it('denies an admin without MFA with a Deny policy and reason mfa_required', () => {
    // Act
    const outcome = outcomes[1];

    // Assess
    expect(outcome?.value).toMatchObject({
      policyDocument: { Statement: [{ Effect: 'Deny', Resource: METHOD_ARN }] },
      context: { reason: 'mfa_required', mfa: false },
    });
    const context = outcome?.value?.context as Record<string, unknown>;
    expect(Object.values(context).every((v) => ['string', 'number', 'boolean'].includes(typeof v))).toBe(
      true,
    );
  });

  it.each([
    { name: 'a bad signature', index: 2, reason: 'invalid_signature' },
    { name: 'a token revoked before bundling', index: 3, reason: 'token_revoked' },
    { name: 'a malformed header', index: 4, reason: 'malformed_authorization' },
  ])('rejects $name with exactly Unauthorized', ({ index, reason }) => {
    // Act
    const outcome = outcomes[index];
    const log = logLines.filter((l) => 'decision' in l)[index];

    // Assess
    expect(outcome).toEqual({ error: { isError: true, name: 'Error', message: 'Unauthorized' } });
    expect(log).toMatchObject({ decision: 'DENY', status: 401, reason });
  });

  it('logs one JSON decision record per invocation, without any token material', () => {
    // Prepare
    const decisions = logLines.filter((l) => 'decision' in l);
    const segments = Object.values(TOKENS).flatMap((t) => [t, ...t.split('.')]);

    // Act
    const leaked = segments.filter((s) => stdout.includes(s));

    // Assess
    expect(decisions.map((d) => [d.decision, d.status, d.reason])).toEqual([
      ['ALLOW', 200, 'allowed'],
      ['DENY', 403, 'mfa_required'],
      ['DENY', 401, 'invalid_signature'],
      ['DENY', 401, 'token_revoked'],
      ['DENY', 401, 'malformed_authorization'],
    ]);
    expect(decisions[0]).toMatchObject({
      schema: 'zta.decision/v1',
      issuer: ISS,
      subject: 'alice',
      jti: 'j-1',
      kid: 'k1',
      alg: 'ES256',
      method: 'GET',
      route: '/api/sensitive',
      apiId: 'abc123',
      stage: 'prod',
      sourceIp: '203.0.113.9',
      requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    });
    expect(leaked).toEqual([]);
  });
});

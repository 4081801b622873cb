import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEnvironmentConfig } from '../../lib/config.ts';
import {
  bundleTokenServiceEntry,
  TOKEN_SERVICE_ENTRIES,
  type TokenServiceEntry,
} from '../../lib/private/token-bundles.ts';
import { composeTokenServiceConfig } from '../../lib/private/token-service-config.ts';

// The token service's deployment packages, as CDK bundles them: each loads in plain Node with
// the config the stack writes (role ARNs resolved), answers what needs no AWS call, and fails
// its cold start naming a missing variable. No network: nothing here reaches KMS or DynamoDB.

const config = composeTokenServiceConfig(loadEnvironmentConfig('dev').tokenService.runtime, {
  environment: 'dev',
  keyAlias: 'alias/zta-token-dev',
  rotationId: 'zta-token-dev',
  keyPolicy: {
    signerRoleArns: ['arn:aws:iam::123456789012:role/signer'],
    rotatorRoleArn: 'arn:aws:iam::123456789012:role/rotator',
  },
});
const REQUIRED: Record<TokenServiceEntry, Record<string, string>> = {
  token: { ZTA_TOKEN_CONFIG: JSON.stringify(config) },
  jwks: { ZTA_TOKEN_CONFIG: JSON.stringify(config), ZTA_ROTATION_TABLE: 'rotation-state' },
  scheduledRotation: { ZTA_TOKEN_CONFIG: JSON.stringify(config), ZTA_ROTATION_TABLE: 'rotation-state' },
  onDemandRotation: { ZTA_TOKEN_CONFIG: JSON.stringify(config), ZTA_ROTATION_TABLE: 'rotation-state' },
};
const ENTRIES = Object.keys(TOKEN_SERVICE_ENTRIES) as TokenServiceEntry[];
type Handler = (event: unknown) => Promise<{ statusCode?: number; body?: string }>;

const root = mkdtempSync(join(tmpdir(), 'zta-token-bundles-'));
beforeAll(() => {
  for (const entry of ENTRIES) bundleTokenServiceEntry(entry, join(root, entry));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A fresh copy of the bundle, loaded with exactly `env` added to the process environment. */
function load(entry: TokenServiceEntry, env: Record<string, string>): { handler: Handler } {
  const file = join(root, entry, 'index.js');
  const require = createRequire(file);
  delete require.cache[require.resolve(file)];
  const saved = { ...process.env };
  // A package must not find its config next to the test run by accident.
  Object.assign(process.env, { AWS_REGION: 'eu-west-1', LAMBDA_TASK_ROOT: join(root, entry) }, env);
  try {
    return require(file) as { handler: Handler };
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

describe.each(ENTRIES)('functions/%s bundle', (entry) => {
  it('is one self-contained index.js that loads with the stack config and exports a handler', () => {
    expect(existsSync(join(root, entry, 'index.js'))).toBe(true);
    expect(typeof load(entry, REQUIRED[entry]).handler).toBe('function');
  });

  it.each(Object.keys(REQUIRED[entry]))('fails its cold start without %s', (variable) => {
    const env = { ...REQUIRED[entry] };
    delete env[variable];
    // Without the inline config the handler looks for the packaged file, which is not there.
    expect(() => load(entry, env)).toThrow(
      variable === 'ZTA_TOKEN_CONFIG' ? /zta-token\.config\.json/ : variable,
    );
  });
});

describe('the bundled handlers answer without AWS what needs no AWS', () => {
  it('POST /token refuses a caller API Gateway did not authenticate (the route must be AWS_IAM)', async () => {
    const { handler } = load('token', REQUIRED.token);
    const answer = await handler({ httpMethod: 'POST', body: '{"audience":"zt-api"}', requestContext: {} });
    expect(answer.statusCode).toBe(403);
    expect(JSON.parse(answer.body ?? '{}')).toMatchObject({ error: 'missing_caller_identity' });
  });

  it('the JWKS route refuses anything but GET and HEAD', async () => {
    const { handler } = load('jwks', REQUIRED.jwks);
    const answer = await handler({ httpMethod: 'POST' });
    expect(answer.statusCode).toBe(405);
  });

  it('the on-demand rotator refuses a malformed request before touching anything', async () => {
    const { handler } = load('onDemandRotation', REQUIRED.onDemandRotation);
    await expect(handler({ action: 'delete-everything' })).rejects.toThrow(/action must be "rotate"/);
  });
});

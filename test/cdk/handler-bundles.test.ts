import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleHandler, type PipelineHandler } from '../../lib/private/bundled-handler.ts';

// The pipeline's deployment packages, as CDK bundles them: each loads in plain Node with the
// variables the stack sets, and fails its cold start naming a variable that is missing.

const REQUIRED: Record<PipelineHandler, Record<string, string>> = {
  'decision-forwarder': {
    EVENT_BUS_NAME: 'zta-test-decisions',
    DEAD_LETTER_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/dead-letters',
    PUBLISHED_TABLE_NAME: 'published',
  },
  'spike-detector': {
    EVENT_BUS_NAME: 'zta-test-decisions',
    COUNTER_TABLE_NAME: 'counters',
    DENY_THRESHOLD: '5',
    WINDOW_SECONDS: '60',
  },
  revoker: {
    REVOCATIONS_TABLE_NAME: 'zta-test-revocations',
    EVENT_BUS_NAME: 'zta-test-decisions',
    ALERT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:alerts',
    PROTECTED_STAGES: 'a1b2c3d4e5/dev',
  },
  'revocation-admin': {
    REVOCATIONS_TABLE_NAME: 'zta-test-revocations',
    EVENT_BUS_NAME: 'zta-test-decisions',
    ALERT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:alerts',
    PROTECTED_STAGES: 'a1b2c3d4e5/dev',
  },
};
const HANDLERS = Object.keys(REQUIRED) as PipelineHandler[];

const root = mkdtempSync(join(tmpdir(), 'zta-bundles-'));
beforeAll(() => {
  for (const name of HANDLERS) bundleHandler(name, join(root, name));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Loads a fresh copy of the bundle with exactly `env` added to the process environment. */
function load(name: PipelineHandler, env: Record<string, string>): { handler: unknown } {
  const file = join(root, name, 'index.js');
  const require = createRequire(file);
  delete require.cache[require.resolve(file)];
  const saved = { ...process.env };
  Object.assign(process.env, { AWS_REGION: 'eu-west-1' }, env);
  try {
    return require(file) as { handler: unknown };
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

describe.each(HANDLERS)('functions/%s bundle', (name) => {
  it('is one self-contained index.js that loads and exports a handler', () => {
    expect(existsSync(join(root, name, 'index.js'))).toBe(true);
    expect(typeof load(name, REQUIRED[name]).handler).toBe('function');
  });

  it.each(Object.keys(REQUIRED[name]))('fails its cold start without %s, naming it', (variable) => {
    const env = { ...REQUIRED[name] };
    delete env[variable];
    expect(() => load(name, env)).toThrow(variable);
  });
});

/**
 * The real Lambda handler, cold-started on a config file written at test time (JWKS file,
 * revocation file, the repository's policies): for random events and mutated tokens it resolves
 * with an answer or rejects with exactly `Error('Unauthorized')` — never anything else.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { httpV2Event, rawFixture, restRequestEvent, restTokenEvent } from '../support/events.ts';
import { jwksOf } from '../support/keys.ts';
import { AUDIENCE, adminClaims, createWorld, ISSUER, NOW } from '../support/world.ts';

const PARAMS = { seed: 20_261_104, numRuns: 200 } as const;
const w = createWorld();
const dir = mkdtempSync(join(tmpdir(), 'zta-handler-'));
type Handler = (event: unknown) => Promise<unknown>;
let handler: Handler;

beforeAll(async () => {
  writeFileSync(join(dir, 'jwks.json'), JSON.stringify(jwksOf(w.keys.es1, w.keys.rs1)));
  writeFileSync(
    join(dir, 'zta.config.json'),
    JSON.stringify({
      issuers: [
        { issuer: ISSUER, audience: AUDIENCE, jwksFile: './jwks.json', algorithms: ['ES256', 'RS256'] },
      ],
      revocations: { file: './revocations.json' },
    }),
  );
  writeFileSync(join(dir, 'revocations.json'), JSON.stringify({ version: 1, revocations: [] }));
  process.env.ZTA_CONFIG_PATH = join(dir, 'zta.config.json');
  process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
  // The handler reads the clock itself: pin Date (only) to the world's NOW.
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(NOW * 1000);
  ({ handler } = (await import('../../functions/authorizer/index.ts')) as { handler: Handler });
});

afterAll(() => {
  vi.useRealTimers();
  delete process.env.ZTA_CONFIG_PATH;
  delete process.env.POWERTOOLS_LOG_LEVEL;
  rmSync(dir, { recursive: true, force: true });
});

/** `'answer'`, or `'Unauthorized'`; anything else fails the test. */
async function invoke(event: unknown): Promise<'answer' | 'Unauthorized'> {
  try {
    await handler(event);
    return 'answer';
  } catch (error) {
    expect(error).toEqual(new Error('Unauthorized'));
    return 'Unauthorized';
  }
}

describe('Lambda handler', () => {
  const admin = w.token({ claims: adminClaims() });

  it.each([
    ['REST REQUEST', restRequestEvent(`Bearer ${admin}`, { resource: '/api/sensitive' })],
    ['REST TOKEN', restTokenEvent(`Bearer ${admin}`, { path: '/api/sensitive' })],
    ['HTTP API 2.0', httpV2Event(`Bearer ${admin}`, { path: '/api/sensitive' })],
  ])('%s: answers a good token', async (_, event) => {
    const response = await handler(event);
    expect(JSON.stringify(response)).toMatch(/"Effect":"Allow"|"isAuthorized":true/);
  });

  it('throws exactly Unauthorized for a bad token', async () => {
    expect(await invoke(restRequestEvent(`Bearer ${admin.slice(0, -2)}`))).toBe('Unauthorized');
  });

  it('random events and mutated tokens: an answer or exactly Unauthorized', async () => {
    const event = fc.oneof(
      fc.anything(),
      fc.constantFrom('restRequest', 'restToken', 'httpV2').map((name) => rawFixture(name as 'restRequest')),
      fc
        .tuple(fc.nat(admin.length - 1), fc.constantFrom('A', '.', ' ', '\n', '', '==', '\u00e9'))
        .map(([at, text]) => restRequestEvent(`Bearer ${admin.slice(0, at)}${text}${admin.slice(at + 1)}`)),
    );
    await fc.assert(
      fc.asyncProperty(event, async (e) => {
        await invoke(e);
      }),
      PARAMS,
    );
  });
});

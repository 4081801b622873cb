/**
 * Invariants over random inputs (fast-check, seeded): no mutation of a valid token is ever
 * allowed unless it is the original token; no event, wherever it hides a good token, is allowed
 * without the token in the Authorization header; no clock value makes `authorize` reject or
 * allow outside the token's lifetime; and the Lambda answer is a response or the thrown
 * `Unauthorized`, nothing else.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toApiGatewayResponse, UNAUTHORIZED } from '../../functions/core/api-gateway-response.ts';
import type { DecisionOutcome } from '../../functions/core/authorizer.ts';
import { isCredentialReason, isPolicyReason } from '../../functions/core/reasons.ts';
import { httpV2Event, rawFixture, restRequestEvent, restTokenEvent } from '../support/events.ts';
import { b64u, fromB64u, segments, withSegment } from '../support/forge.ts';
import { bearerEvent, createWorld, NOW } from '../support/world.ts';

const PARAMS = { seed: 20_261_101, numRuns: 300 } as const;
const w = createWorld();
const original = w.token();

/** The handler's contract: an answer, or exactly `Error('Unauthorized')` for a 401. */
function checkAnswer(outcome: DecisionOutcome): void {
  const { decision } = outcome;
  if (decision.effect === 'allow') expect([decision.status, decision.reason]).toEqual([200, 'allowed']);
  else if (decision.status === 401) expect(isCredentialReason(decision.reason)).toBe(true);
  else expect([decision.status, isPolicyReason(decision.reason)]).toEqual([403, true]);
  let thrown: unknown;
  try {
    const response = toApiGatewayResponse(outcome);
    if (response === UNAUTHORIZED) throw new Error(UNAUTHORIZED);
    expect(decision.status).not.toBe(401);
  } catch (error) {
    thrown = error;
  }
  if (thrown !== undefined) expect(thrown).toEqual(new Error(UNAUTHORIZED));
  expect(thrown !== undefined).toBe(decision.status === 401);
}

async function decide(event: unknown, nowMs = NOW * 1000): Promise<DecisionOutcome> {
  const outcome = await w.default.authorize(event, nowMs);
  checkAnswer(outcome);
  return outcome;
}

const edit = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('replace', 'insert', 'delete'),
  char: fc.oneof(
    fc.constantFrom(...'AQgw_-.=+/ \t\n0'),
    fc.string({ minLength: 1, maxLength: 1, unit: 'binary' }),
  ),
});

function applyEdit(text: string, e: { at: number; kind: string; char: string }): string {
  const at = e.at % (text.length + 1);
  if (e.kind === 'insert') return text.slice(0, at) + e.char + text.slice(at);
  if (e.kind === 'delete') return text.slice(0, at) + text.slice(at + 1);
  return text.slice(0, at) + e.char + text.slice(at + 1);
}

const byteEdit = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('flip', 'insert', 'delete'),
  value: fc.nat(255),
});

function applyByteEdit(bytes: Buffer, e: { at: number; kind: string; value: number }): Buffer {
  const at = e.at % (bytes.length + 1);
  const out = [...bytes];
  if (e.kind === 'insert') out.splice(at, 0, e.value);
  else if (at < out.length && e.kind === 'delete') out.splice(at, 1);
  else if (at < out.length) out[at] = (out[at] as number) ^ (e.value || 1);
  return Buffer.from(out);
}

describe('mutations of a valid token', () => {
  it('the original is allowed (the premise)', async () => {
    expect((await decide(bearerEvent(original))).decision.effect).toBe('allow');
  });

  it('character edits anywhere: ALLOW only for the original token', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 4 }), async (edits) => {
        const mutated = edits.reduce(applyEdit, original);
        const { decision } = await decide(bearerEvent(mutated));
        // Spaces around the value are part of the header syntax, not of the token.
        const same = mutated.replace(/^ +| +$/g, '') === original;
        expect(decision.effect).toBe(same ? 'allow' : 'deny');
        if (!same) expect(decision.status).toBe(401);
      }),
      PARAMS,
    );
  });

  it('byte edits inside the header, claims or signature, re-encoded canonically: ALLOW only if unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(0, 1, 2),
        fc.array(byteEdit, { minLength: 1, maxLength: 3 }),
        async (index, edits) => {
          const before = fromB64u(segments(original)[index as 0 | 1 | 2]);
          const after = edits.reduce(applyByteEdit, before);
          const mutated = withSegment(original, index as 0 | 1 | 2, b64u(after));
          const { decision } = await decide(bearerEvent(mutated));
          expect(decision.effect).toBe(after.equals(before) ? 'allow' : 'deny');
        },
      ),
      PARAMS,
    );
  });
});

/** Places a good token can hide that are not the Authorization header. */
const hiding = (token: string) =>
  fc.constantFrom(
    restRequestEvent(undefined, { queryStringParameters: { access_token: token, token } }),
    restRequestEvent(undefined, {
      headers: { Cookie: `token=${token}`, 'X-Authorization': `Bearer ${token}` },
    }),
    restRequestEvent(undefined, {
      headers: { 'Authorization ': `Bearer ${token}`, Authorisation: `Bearer ${token}` },
    }),
    { ...restRequestEvent(undefined), authorizationToken: `Bearer ${token}` },
    { ...restTokenEvent(undefined), headers: { Authorization: `Bearer ${token}` } },
    httpV2Event(undefined, { cookies: [`token=${token}`], rawQueryString: `access_token=${token}` }),
    { ...httpV2Event(undefined), identitySource: [`Bearer ${token}`] },
  );

const FIXTURES = ['restRequest', 'restToken', 'httpV2'] as const;
/** Members of the fixtures a random value may replace (dotted paths). */
const PATHS = [
  'type',
  'version',
  'methodArn',
  'routeArn',
  'routeKey',
  'resource',
  'path',
  'httpMethod',
  'authorizationToken',
  'headers',
  'multiValueHeaders',
  'headers.Authorization',
  'headers.authorization',
  'multiValueHeaders.Authorization',
  'requestContext',
  'requestContext.http',
  'requestContext.http.method',
  'requestContext.http.path',
  'requestContext.identity',
  'requestContext.stage',
];

function setPath(event: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let target: unknown = event;
  for (const key of keys.slice(0, -1)) {
    target = (target as Record<string, unknown> | null)?.[key];
    if (typeof target !== 'object' || target === null) return;
  }
  (target as Record<string, unknown>)[keys.at(-1) as string] = value;
}

describe('random events', () => {
  it('a good token anywhere but the Authorization header is never allowed', async () => {
    await fc.assert(
      fc.asyncProperty(hiding(original), async (event) => {
        expect((await decide(event)).decision).toMatchObject({ effect: 'deny', status: 401 });
      }),
      { ...PARAMS, numRuns: 50 },
    );
  });

  it('arbitrary values: authorize never rejects, never allows', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.anything({ withBoxedValues: true, withMap: true, withSet: true, withNullPrototype: true }),
        async (event) => {
          expect((await decide(event)).decision.effect).toBe('deny');
        },
      ),
      PARAMS,
    );
  });

  it('fixtures with random members replaced: authorize never rejects, answers stay in contract', async () => {
    const bearer = `Bearer ${original}`;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...FIXTURES),
        fc.array(
          fc.tuple(
            fc.constantFrom(...PATHS),
            fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(bearer), fc.constant([bearer, bearer])),
          ),
          { minLength: 1, maxLength: 3 },
        ),
        async (name, replacements) => {
          const event = rawFixture(name);
          for (const [path, value] of replacements) setPath(event, path, value);
          await decide(event);
        },
      ),
      PARAMS,
    );
  });
});

describe('clock values', () => {
  it('any clock value: authorize never rejects, and allows only inside the token lifetime', async () => {
    const event = bearerEvent(original);
    const clock = fc.oneof(
      fc.double(),
      fc.integer({ min: (NOW - 200) * 1000, max: (NOW + 800) * 1000 }),
      fc.constantFrom(
        Number.NaN,
        Number.POSITIVE_INFINITY,
        Number.NEGATIVE_INFINITY,
        8.64e15 + 1,
        -8.64e15 - 1,
        0,
        -1,
      ),
    );
    await fc.assert(
      fc.asyncProperty(clock, async (nowMs) => {
        const { decision } = await decide(event, nowMs);
        const now = Math.floor(nowMs / 1000);
        // The token: iat NOW - 60, exp NOW + 600; tolerance 30 s both ways.
        const inside = Number.isFinite(now) && now >= NOW - 90 && now <= NOW + 630;
        expect(decision.effect).toBe(inside ? 'allow' : 'deny');
      }),
      PARAMS,
    );
  });
});

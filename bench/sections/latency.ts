/**
 * Sections 1–3 of the benchmark: a warm decision on a fresh token and on a repeated token, next
 * to the peers doing the same work on the same tokens in the same process (`support/peers.ts`).
 */
import { createPeers } from '../support/peers.ts';
import { type Summary, sideBySide } from '../support/stats.ts';
import {
  type BenchEvent,
  type BenchKey,
  benchAuthorizer,
  decideToNullSink,
  defaultPolicySource,
  mintToken,
  restEvent,
  withBearer,
} from '../support/world.ts';

export interface LatencyResult {
  readonly fresh: Record<string, Summary>;
  readonly repeated: Record<string, Summary>;
  /** Decision-cache hit rate of the default authorizer over the fresh-token run. */
  readonly freshPolicyCacheHitRate: number;
}

export const FRESH = {
  ours: 'ours: full decision, fresh token',
  oursUncached: 'ours: full decision, fresh token, decision cache off',
  bare: '(a) node:crypto ES256 verify (floor)',
  jose: '(b) jose jwtVerify',
  awsJwtVerify: '(c) aws-jwt-verify JwtVerifier',
  composed: '(d) aws-jwt-verify + Cedar statefulIsAuthorized',
  naive: '(e) jose + Cedar isAuthorized, policy text per call',
} as const;

export const REPEATED = {
  ours: 'ours: full decision, repeated token',
  oursInMemory: 'ours: same, revocations from memory instead of the file',
  bare: '(a) node:crypto ES256 verify, same token',
  composed: '(d) aws-jwt-verify + Cedar, same token',
} as const;

/** Same token, other routes: two the default policies allow, two they deny with 403. */
const ROUTES: ReadonlyArray<[method: string, path: string]> = [
  ['GET', '/api/sensitive'],
  ['GET', '/api/profile'],
  ['GET', '/api/reports'],
  ['DELETE', '/api/sensitive'],
];

export async function measureLatency(
  key: BenchKey,
  options: { iterations: number; warmup: number },
): Promise<LatencyResult> {
  const total = options.iterations + options.warmup;
  const now = Math.floor(Date.now() / 1000);
  // A distinct subject per token: nothing about one token is cached when the next is decided.
  const tokens = Array.from({ length: total }, (_, i) => mintToken(key, `user-${i}`, now));
  const peers = await createPeers(key, defaultPolicySource());
  const ours = benchAuthorizer(key);
  const uncached = benchAuthorizer(key, { decisionCacheSize: 0 });
  const inMemory = benchAuthorizer(key, { revocationsInMemory: true });
  try {
    const event = restEvent(tokens[0] as string);
    const withToken = (i: number) => withBearer(event, tokens[i] as string);
    await expectAllowed('ours', await decideToNullSink(ours.authorize, withToken(0)));
    await expectAllowed('(d)', peers.composed(withToken(0)));
    await expectAllowed('(e)', await peers.naive(withToken(0)));
    if (!peers.bareVerify(tokens[0] as string)) throw new Error('bench setup: (a) rejected a valid token');

    const token = (i: number) => tokens[i] as string;
    const fresh = await sideBySide(
      [
        { name: FRESH.ours, run: (i) => decideToNullSink(ours.authorize, withToken(i)) },
        { name: FRESH.oursUncached, run: (i) => decideToNullSink(uncached.authorize, withToken(i)) },
        { name: FRESH.bare, run: (i) => peers.bareVerify(token(i)) },
        { name: FRESH.jose, run: (i) => peers.jose(token(i)) },
        { name: FRESH.awsJwtVerify, run: (i) => peers.awsJwtVerify(token(i)) },
        { name: FRESH.composed, run: (i) => peers.composed(withToken(i)) },
        { name: FRESH.naive, run: (i) => peers.naive(withToken(i)) },
      ],
      options,
    );
    const stats = ours.policy.cacheStats();
    const freshPolicyCacheHitRate = stats.hits / (stats.hits + stats.misses);

    const same = token(0);
    const events = ROUTES.map(([method, path]) => restEvent(same, method, path));
    const route = (i: number) => events[i % events.length] as BenchEvent;
    const repeated = await sideBySide(
      [
        { name: REPEATED.ours, run: (i) => decideToNullSink(ours.authorize, route(i)) },
        { name: REPEATED.oursInMemory, run: (i) => decideToNullSink(inMemory.authorize, route(i)) },
        { name: REPEATED.bare, run: () => peers.bareVerify(same) },
        { name: REPEATED.composed, run: (i) => peers.composed(route(i)) },
      ],
      options,
    );
    return { fresh, repeated, freshPolicyCacheHitRate };
  } finally {
    for (const authorizer of [ours, uncached, inMemory]) authorizer.close();
  }
}

async function expectAllowed(who: string, effect: unknown): Promise<void> {
  if (effect !== 'allow' && effect !== true) {
    throw new Error(`bench setup: ${who} did not allow a valid admin+MFA token on GET /api/sensitive`);
  }
}

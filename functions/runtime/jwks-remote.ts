/**
 * An issuer's JWKS fetched over HTTPS (from `jwksUri`, or from the `jwks_uri` of its OpenID
 * discovery document) and cached so that keys never stall a request:
 *
 * - **Fresh** (fetched ≤ maxAgeSeconds ago): served.
 * - **Stale** (up to maxStaleSeconds more): served at once, and one background refresh is
 *   started — never awaited by a request. After a failed refresh the IdP is asked again once
 *   per cooldown, so an IdP in trouble is not flooded.
 * - **Nothing usable** (cold start, or stale for too long): the request waits for the one fetch
 *   in flight (bounded by timeoutMs) or fails at once while the last failure is recent. Retries
 *   back off from 1 s, doubling up to the cooldown, so a slow first fetch costs seconds of
 *   failures, not a whole cooldown.
 * - **Unknown kid** (`refresh()`): joins a fetch in flight, else starts one at most once per
 *   cooldown (counted from the last fetch started): tokens with invented kids cannot make us
 *   flood the IdP. Only such a token waits, for at most timeoutMs.
 * - A fetch starts when the source is built (prefetch at cold start). A failure is recorded
 *   when it happens, not when the fetch started (a timeout longer than the cooldown would
 *   otherwise be "in the past" already); the config refuses timeoutMs ≥ cooldownSeconds.
 *
 * With a snapshot (`jwksFile` beside `jwksUri` / discovery, written by `zta jwks fetch`): the
 * snapshot is the key set at cold start, as if fetched at that moment, so no request waits for
 * the network. The first successful fetch replaces it entirely — a key the IdP no longer
 * publishes stops verifying even if the snapshot has it, and a new key starts — and it never
 * comes back. If no fetch succeeds it ages like any fetched set: served for maxAgeSeconds +
 * maxStaleSeconds after cold start, then requests fail closed (`keys_unavailable`).
 *
 * Documents are read through `http-json.ts` (512 KiB cap, no redirects, one deadline).
 */
import type { KeySet } from '../core/jwt/key-set.ts';
import { parseJwks } from '../core/jwt/key-set.ts';
import type { KeySource } from '../core/keys.ts';
import { fetchJson } from './http-json.ts';
import { discoverJwksUri } from './oidc-discovery.ts';

export interface RemoteJwksOptions {
  /** The JWKS URL; or give `discoveryIssuer`. */
  readonly uri?: string;
  /** Find the JWKS URL in this issuer's discovery document instead. */
  readonly discoveryIssuer?: string;
  /** Keys younger than this are used without asking the IdP again. */
  readonly maxAgeSeconds: number;
  /** Minimum time between two fetches triggered by unknown kids, and between retries while stale. */
  readonly cooldownSeconds: number;
  /** Deadline of one load (discovery document and JWKS together). */
  readonly timeoutMs: number;
  /** How long past maxAge the last good keys serve while the IdP cannot be reached. */
  readonly maxStaleSeconds: number;
  /** Keys to serve from cold start until a fetch succeeds (`zta jwks fetch`). @default - none */
  readonly snapshot?: KeySet;
  /** Start a fetch now rather than on the first request. @default true */
  readonly prefetch?: boolean;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** @default Date.now */
  readonly clock?: () => number;
}

/** First retry delay after a failure with nothing usable cached; doubles up to the cooldown. */
const FIRST_RETRY_MS = 1000;

export function remoteKeySource(options: RemoteJwksOptions): KeySource {
  if ((options.uri === undefined) === (options.discoveryIssuer === undefined))
    throw new TypeError('remoteKeySource: give exactly one of uri and discoveryIssuer');
  const clock = options.clock ?? Date.now;
  const maxAgeMs = options.maxAgeSeconds * 1000;
  const usableMs = maxAgeMs + options.maxStaleSeconds * 1000;
  const cooldownMs = options.cooldownSeconds * 1000;
  let cached: { keySet: KeySet; fetchedAt: number } | undefined = options.snapshot
    ? { keySet: options.snapshot, fetchedAt: clock() }
    : undefined;
  let inFlight: Promise<KeySet> | undefined;
  let lastStart = Number.NEGATIVE_INFINITY;
  let failure: { at: number; error: unknown; count: number } | undefined;
  let discovered: { uri: string; at: number } | undefined;
  // Bumped whenever a fetch brings a document different from the last one (see KeySource.stamp).
  let generation = 0;
  let lastDocument: string | undefined;

  const ageMs = (now: number) => (cached ? now - cached.fetchedAt : Number.POSITIVE_INFINITY);

  const jwksUri = async (signal: AbortSignal): Promise<string> => {
    if (options.uri !== undefined) return options.uri;
    const now = clock();
    if (discovered && now - discovered.at <= maxAgeMs) return discovered.uri;
    const uri = await discoverJwksUri(options.discoveryIssuer as string, { signal, ...fetchOption() });
    discovered = { uri, at: now };
    return uri;
  };
  const fetchOption = () => (options.fetch ? { fetch: options.fetch } : {});

  const start = (): Promise<KeySet> => {
    inFlight ??= (async () => {
      lastStart = clock();
      try {
        const signal = AbortSignal.timeout(options.timeoutMs);
        const uri = await jwksUri(signal);
        const { value, text } = await fetchJson(uri, { signal, ...fetchOption() });
        const keySet = checkedKeySet(value, uri);
        if (text !== lastDocument) {
          lastDocument = text;
          generation += 1;
        }
        cached = { keySet, fetchedAt: clock() };
        failure = undefined;
        return keySet;
      } catch (error) {
        failure = { at: clock(), error, count: (failure?.count ?? 0) + 1 };
        throw error;
      } finally {
        inFlight = undefined;
      }
    })();
    return inFlight;
  };

  /** Whether a new fetch may start now, after a failure: `waitMs` since it happened. */
  const mayRetry = (now: number, waitMs: number) => failure === undefined || now - failure.at >= waitMs;
  const backoffMs = () => Math.min(cooldownMs, FIRST_RETRY_MS * 2 ** ((failure?.count ?? 1) - 1));

  if (options.prefetch ?? true) start().catch(() => undefined);

  return {
    async current() {
      const now = clock();
      const age = ageMs(now);
      if (cached && age <= maxAgeMs) return cached.keySet;
      if (cached && age <= usableMs) {
        if (!inFlight && mayRetry(now, cooldownMs)) start().catch(() => undefined);
        return cached.keySet;
      }
      if (inFlight) return inFlight;
      if (!mayRetry(now, backoffMs())) throw failure?.error;
      return start();
    },
    async refresh() {
      if (inFlight) return inFlight.catch(() => undefined);
      if (clock() - lastStart < cooldownMs) return undefined;
      return start().catch(() => undefined);
    },
    stamp: () => `${generation}${ageMs(clock()) <= usableMs ? '' : ':none'}`,
  };
}

/** A fetched JWKS, refused whole when it leaks private material or has no usable key. */
function checkedKeySet(document: unknown, uri: string): KeySet {
  const { keySet, problems } = parseJwks(document);
  // As for a JWKS file: published private material means the issuer is compromised.
  const leak = problems.find((p) => p.includes('private'));
  if (leak) throw new Error(`JWKS ${uri}: ${leak}`);
  if (keySet.keys.length === 0) throw new Error(`JWKS ${uri} has no usable key (${problems.join('; ')})`);
  return keySet;
}

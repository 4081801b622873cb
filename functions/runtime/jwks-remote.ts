import type { KeySet } from '../core/jwt/key-set.ts';
import { parseJwks } from '../core/jwt/key-set.ts';
import type { KeySource } from '../core/keys.ts';

export interface RemoteJwksOptions {
  readonly uri: string;
  /** Keys younger than this are used without asking the IdP again. */
  readonly maxAgeSeconds: number;
  /** Minimum time between two fetches triggered by unknown kids. */
  readonly cooldownSeconds: number;
  readonly timeoutMs: number;
  /** How long past maxAge the last good keys serve while the IdP cannot be reached. */
  readonly maxStaleSeconds: number;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** @default Date.now */
  readonly clock?: () => number;
}

const MAX_JWKS_BYTES = 512 * 1024;

/**
 * A JWKS fetched over HTTPS and cached. At most one fetch is in flight at a time (concurrent
 * callers share it), and a refresh asked for because of an unknown `kid` happens at most once
 * per cooldown: someone sending tokens with invented kids must not make us flood the IdP, nor
 * slow every request down waiting for it.
 */
export function remoteKeySource(options: RemoteJwksOptions): KeySource {
  const doFetch = options.fetch ?? globalThis.fetch;
  const clock = options.clock ?? Date.now;
  let cached: { keySet: KeySet; fetchedAt: number } | undefined;
  let lastAttempt = Number.NEGATIVE_INFINITY;
  let lastFailure: { at: number; error: unknown } | undefined;
  let inFlight: Promise<KeySet> | undefined;
  // Bumped whenever a fetch brings a document different from the last one (see KeySource.stamp).
  let generation = 0;
  let lastDocument: string | undefined;

  const load = (): Promise<KeySet> => {
    inFlight ??= (async () => {
      lastAttempt = clock();
      try {
        const { keySet, text } = await fetchJwks(doFetch, options.uri, options.timeoutMs);
        if (text !== lastDocument) {
          lastDocument = text;
          generation += 1;
        }
        cached = { keySet, fetchedAt: clock() };
        lastFailure = undefined;
        return keySet;
      } catch (error) {
        lastFailure = { at: lastAttempt, error };
        throw error;
      } finally {
        inFlight = undefined;
      }
    })();
    return inFlight;
  };

  return {
    async current() {
      const age = cached ? (clock() - cached.fetchedAt) / 1000 : Number.POSITIVE_INFINITY;
      if (cached && age <= options.maxAgeSeconds) return cached.keySet;
      // After a failed fetch, the IdP is not asked again before the cooldown: every request
      // retrying would flood an IdP in trouble and, when it hangs, make every request wait
      // for the timeout. Meanwhile the stale keys serve (within maxStale) or the request fails.
      if (lastFailure && !inFlight && clock() - lastFailure.at < options.cooldownSeconds * 1000) {
        if (cached && age <= options.maxAgeSeconds + options.maxStaleSeconds) return cached.keySet;
        throw lastFailure.error;
      }
      try {
        return await load();
      } catch (error) {
        // The IdP is down: the last keys it published stay good for a bounded time.
        if (cached && age <= options.maxAgeSeconds + options.maxStaleSeconds) return cached.keySet;
        throw error;
      }
    },
    async refresh() {
      if (inFlight) return inFlight.catch(() => undefined);
      if (clock() - lastAttempt < options.cooldownSeconds * 1000) return undefined;
      return load().catch(() => undefined);
    },
    stamp: () => String(generation),
  };
}

async function fetchJwks(
  doFetch: typeof fetch,
  uri: string,
  timeoutMs: number,
): Promise<{ keySet: KeySet; text: string }> {
  const response = await doFetch(uri, {
    signal: AbortSignal.timeout(timeoutMs),
    redirect: 'error',
    headers: { accept: 'application/json' },
  });
  if (!response.ok) throw new Error(`JWKS ${uri} answered HTTP ${response.status}`);
  const text = await response.text();
  if (text.length > MAX_JWKS_BYTES) throw new Error(`JWKS ${uri} is larger than ${MAX_JWKS_BYTES} bytes`);
  const { keySet, problems } = parseJwks(JSON.parse(text));
  // As for a JWKS file: published private material means the issuer is compromised.
  const leak = problems.find((p) => p.includes('private'));
  if (leak) throw new Error(`JWKS ${uri}: ${leak}`);
  if (keySet.keys.length === 0) throw new Error(`JWKS ${uri} has no usable key (${problems.join('; ')})`);
  return { keySet, text };
}

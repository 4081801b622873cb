import type { KeySet } from './jwt/key-set.ts';

/**
 * Where the verification keys of one issuer come from (a JWKS file, an HTTPS JWKS URI, the local
 * key store). Implementations live in `functions/runtime/`; the core only asks.
 */
export interface KeySource {
  /** The keys to verify with now. Throws when no usable key set can be had: the caller denies. */
  current(): KeySet | Promise<KeySet>;
  /**
   * Asked when no key fits a token (an unknown `kid`, say): a chance to pick up keys published
   * since the last load. Implementations bound how often this really reloads, so a flood of
   * tokens with invented kids cannot turn into a flood of fetches. Returns the new set, or
   * undefined when nothing was reloaded.
   */
  refresh(): Promise<KeySet | undefined>;
  /**
   * A value that changes whenever the key set `current()` serves may have changed (a file
   * rewritten, a JWKS fetched with different keys, a key aged out). Caches of answers that
   * depend on the keys (the local gateway's result cache) are dropped when it changes.
   * @default - the key set never changes
   */
  stamp?(): string;
}

/** A fixed key set (tests, benchmarks, a JWKS bundled with a Lambda). */
export function staticKeySource(keySet: KeySet): KeySource {
  return { current: () => keySet, refresh: async () => undefined, stamp: () => 'static' };
}

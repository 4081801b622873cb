import type { BuiltAuthorizer } from '../../runtime/build-authorizer.ts';
import { ConsoleFeed } from './feed.ts';
import { type ConsoleRoutes, consoleRoutes } from './routes.ts';
import { type ConsoleSources, consoleSources } from './sources.ts';

export interface LocalConsole {
  readonly routes: ConsoleRoutes;
  /** Feed every gateway record here (decisions, policy reloads). */
  onRecord(record: object): void;
  /** Ends the event streams and the refresh timer. */
  close(): void;
}

export interface LocalConsoleOptions {
  /**
   * How often revocations and keys are compared while a page is open. A store change made by
   * another process (`zta revoke`, `zta keys rotate`) shows up within about this long.
   * @default 1000
   */
  readonly refreshMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/** A DynamoDB table changes without any local stamp moving: list it this often regardless. */
const FORCED_REFRESH_MS = 10_000;
const HEARTBEAT_MS = 15_000;

/**
 * The `/_zta/` console of `zta serve`: a feed of the gateway's records, plus the revocation store
 * and key sources of the authorizer it serves, read again when `BuiltAuthorizer.stamp` moves
 * (a revocation file or key set written by anyone) and at least every 10 s.
 */
export async function createLocalConsole(
  built: BuiltAuthorizer,
  options: LocalConsoleOptions = {},
): Promise<LocalConsole> {
  const now = options.now ?? Date.now;
  const sources: ConsoleSources = await consoleSources(built);
  const feed = new ConsoleFeed({
    policyRevision: built.policy.revision,
    policyDir: built.config.policiesDir,
    now: now(),
  });
  let refreshing: Promise<void> | undefined;
  let lastStamp: string | undefined;
  let lastRefresh = 0;
  const refresh = (): Promise<void> => {
    refreshing ??= (async () => {
      lastStamp = built.stamp();
      lastRefresh = now();
      const [revocations, keys] = await Promise.all([
        sources.revocations(Math.floor(now() / 1000)),
        sources.keys(),
      ]);
      feed.setRevocations(revocations);
      feed.setKeys(keys);
    })().finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  };
  const tick = setInterval(() => {
    if (feed.clientCount === 0) return;
    if (built.stamp() !== lastStamp || now() - lastRefresh >= FORCED_REFRESH_MS)
      void refresh().catch(() => {});
  }, options.refreshMs ?? 1000);
  const heartbeat = setInterval(() => feed.heartbeat(), HEARTBEAT_MS);
  tick.unref();
  heartbeat.unref();
  return {
    routes: consoleRoutes(feed, refresh),
    onRecord: (record) => feed.onRecord(record),
    close() {
      clearInterval(tick);
      clearInterval(heartbeat);
      feed.close();
    },
  };
}

/**
 * Section 6: resident memory after 100,000 distinct tokens decided, in a fresh process (so
 * nothing else measured shares its heap). Every cache on the decision path must be bounded,
 * so growth stays flat however many callers come. Run by `bench/run.ts` as
 *   node --expose-gc --import tsx bench/sections/memory.ts <tokens>
 * and prints one JSON line.
 */
import { pathToFileURL } from 'node:url';
import {
  benchAuthorizer,
  benchKey,
  decideToNullSink,
  mintToken,
  restEvent,
  withBearer,
} from '../support/world.ts';

export interface MemoryResult {
  readonly tokens: number;
  readonly rssBeforeMiB: number;
  readonly rssAfterMiB: number;
  readonly rssGrowthMiB: number;
  readonly heapUsedGrowthMiB: number;
}

const MiB = 1024 * 1024;

async function main(count: number): Promise<MemoryResult> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  const key = benchKey();
  const now = Math.floor(Date.now() / 1000);
  const { authorize, close } = benchAuthorizer(key);
  const event = restEvent(mintToken(key, 'warm', now));
  const decide = async (subject: string) => {
    withBearer(event, mintToken(key, subject, now));
    if ((await decideToNullSink(authorize, event)) !== 'allow')
      throw new Error('memory bench: expected ALLOW');
  };
  try {
    // Warm-up fills the code caches and JIT, so what follows is data, not code.
    for (let i = 0; i < 2000; i++) await decide(`warm-${i}`);
    gc();
    const before = process.memoryUsage();
    for (let i = 0; i < count; i++) await decide(`user-${i}`);
    gc();
    const after = process.memoryUsage();
    return {
      tokens: count,
      rssBeforeMiB: before.rss / MiB,
      rssAfterMiB: after.rss / MiB,
      rssGrowthMiB: (after.rss - before.rss) / MiB,
      heapUsedGrowthMiB: (after.heapUsed - before.heapUsed) / MiB,
    };
  } finally {
    close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const count = Number(process.argv[2] ?? 100_000);
  console.log(JSON.stringify(await main(count)));
}

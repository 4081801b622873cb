/**
 * vitest global setup: compiles dist/ from the sources before any test runs, so the CLI tests
 * spawn `bin/zta.mjs` exactly as users run it (plain node, compiled JavaScript) and never a
 * stale build. Type-checking is `npm run typecheck`'s job, so the emit skips it.
 */
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

export default function setup(): void {
  execFileSync(process.execPath, [resolve(import.meta.dirname, '../../scripts/build.mjs'), '--no-check'], {
    stdio: 'inherit',
  });
}

#!/usr/bin/env node
// Builds dist/: the compiled JavaScript and .d.ts that the package ships and that `zta` runs
// with plain node. Run by `npm run build`, by `prepare` (after `npm ci`, before `npm pack`) and
// by the test suite's global setup, so tests always run the CLI compiled from the sources.
//   --no-check  emit without type-checking (`npm run typecheck` does that separately)
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const root = join(import.meta.dirname, '..');
const dist = join(root, 'dist');

// A clean build: a file whose source was deleted must not ship.
rmSync(dist, { recursive: true, force: true });
const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin', 'tsc');
const args = [tsc, '-p', join(root, 'tsconfig.build.json')];
if (process.argv.includes('--no-check')) args.push('--noCheck');
const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  process.stderr.write(`build: tsc failed (exit ${result.status ?? result.signal})\n`);
  process.exit(1);
}

// tsc rewrites `.ts` import paths to `.js` in the JavaScript but keeps them in the .d.ts files.
// TypeScript 5.x resolves those too, but other tools and older compilers do not: say `.js`.
const TS_SPECIFIER = /((?:from|import)\s*\(?\s*)(['"])(\.{1,2}\/[^'"]*)\.ts\2/g;
for (const entry of readdirSync(dist, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.d.ts')) continue;
  const file = join(entry.parentPath, entry.name);
  const text = readFileSync(file, 'utf8');
  const fixed = text.replace(TS_SPECIFIER, '$1$2$3.js$2');
  if (fixed !== text) writeFileSync(file, fixed);
}

// Files the compiled code reads from beside itself: tsc emits only what it compiles.
const ASSETS = ['functions/local/console/page.html'];
for (const asset of ASSETS) cpSync(join(root, asset), join(dist, asset));

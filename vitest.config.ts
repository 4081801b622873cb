import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The CLI tests run the compiled CLI (bin/zta.mjs → dist/), built once per run here.
    globalSetup: ['test/support/build-dist.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // CDK synth and the esbuild bundle test are CPU-heavy; two cores here.
    maxWorkers: 2,
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // CDK synth and the esbuild bundle test are CPU-heavy; two cores here.
    maxWorkers: 2,
  },
});

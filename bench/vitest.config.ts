import { defineConfig } from 'vitest/config';

/** Benchmarks print their figures; run with `npm run bench` (not part of `npm test`). */
export default defineConfig({
  test: {
    include: ['bench/**/*.bench.ts'],
    testTimeout: 1_800_000,
    hookTimeout: 600_000,
    pool: 'forks',
    fileParallelism: false,
    silent: false,
    reporters: ['verbose'],
  },
});

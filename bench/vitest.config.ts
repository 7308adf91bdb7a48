import { defineConfig } from 'vitest/config';

/** Benchmarks print their figures; run with `npm run bench` (not part of `npm test`). */
export default defineConfig({
  test: {
    include: ['bench/**/*.bench.ts'],
    testTimeout: 1_800_000,
    hookTimeout: 600_000,
    pool: 'forks',
    // The browser code bundled once per run (tests/setup/browser-assets.ts).
    globalSetup: ['tests/setup/browser-assets.ts'],
    fileParallelism: false,
    silent: false,
    reporters: ['verbose'],
  },
});

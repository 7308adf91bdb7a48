import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts', 'tests/**/*.test.tsx'],
    // The QEMU rigs have their own scripts (npm run test:hardware, npm run test:image).
    exclude: ['tests/hardware/**', 'tests/image/**', 'node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // dist/ rebuilt once when src/ is newer (tests/setup/fresh-dist.ts); the browser code
    // bundled once per run (tests/setup/browser-assets.ts).
    globalSetup: ['tests/setup/fresh-dist.ts', 'tests/setup/browser-assets.ts'],
    reporters: ['default'],
  },
});

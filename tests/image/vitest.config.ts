import { defineConfig } from 'vitest/config';

/**
 * The image test (`npm run test:image`): the add-on's root filesystem built with mmdebstrap from
 * image/packages.txt and booted under QEMU (TCG) with apparmor.txt enforced. One guest at a time.
 */
export default defineConfig({
  test: {
    include: ['tests/image/**/*.test.ts'],
    exclude: ['tests/image/work/**', 'node_modules/**'],
    testTimeout: 600_000,
    hookTimeout: 1_200_000,
    pool: 'forks',
    fileParallelism: false,
    sequence: { concurrent: false },
    silent: false,
    reporters: ['verbose'],
  },
});

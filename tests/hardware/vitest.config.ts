import { defineConfig } from 'vitest/config';

/**
 * The hardware-in-the-loop rig (`npm run test:hardware`): Linux under QEMU (TCG) with an emulated
 * CD drive steered through QMP. One VM per test file; files run one after another (TCG is
 * CPU-bound and CI has two cores).
 */
export default defineConfig({
  test: {
    include: ['tests/hardware/**/*.test.ts'],
    exclude: ['tests/hardware/work/**', 'node_modules/**'],
    testTimeout: 300_000,
    hookTimeout: 600_000,
    pool: 'forks',
    fileParallelism: false,
    silent: false,
    reporters: ['verbose'],
  },
});

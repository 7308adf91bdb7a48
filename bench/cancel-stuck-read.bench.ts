/**
 * Cancel while a read is stuck in the drive: the real core with a simulated drive whose reads
 * past 2 MiB hang (the simulated reader, like the kernel, closes only once they return). Prints
 * the time from the Cancel command to the drive's `waiting_for_removal` (SPEC: within 2 s) while
 * the read stays stuck, then how long the eject waited for the read once it was released.
 * Env: BENCH_RUNS (default 3).
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { expect, it } from 'vitest';
import { readSimState, simInsert, simReset, updateSimState } from '../src/drive/index.js';
import { history, startTestCore, testConfig, waitForState } from '../tests/helpers/core.js';
import { makeDataIso } from '../tests/helpers/images.js';
import { makeTempDir } from '../tests/helpers/tmp.js';
import { waitFor } from '../tests/helpers/wait.js';

const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));

it('Cancel with a read stuck in the drive: time until the drive has settled', async () => {
  const times: number[] = [];
  for (let run = 0; run < RUNS; run++) {
    const { dir, cleanup } = await makeTempDir();
    const sim = join(dir, 'sim0');
    await simReset(sim);
    const image = await makeDataIso(dir, { label: 'STUCK', bytes: 6 * 1024 * 1024, seed: 20 + run });
    const config = testConfig(dir, [sim], { eject_after_copy: false });
    const core = await startTestCore(config, { stallTimeoutMs: 600_000 });
    try {
      await waitForState(config, 'sim0', 'waiting_for_media');
      await simInsert(sim, image, { hang_at_byte: 2 * 1024 * 1024 });
      await waitForState(config, 'sim0', 'copying');
      await waitFor(async () => (await readdir(join(config.output_dir, 'data')).catch(() => [])).some((n) => n.endsWith('.part')), {
        message: '.part file',
      });
      const started = performance.now();
      await core.control.execute('sim0', { action: 'cancel' });
      await waitFor(async () => (await history(config))?.entries[0]?.result === 'cancelled', { intervalMs: 5, message: 'cancelled' });
      await waitForState(config, 'sim0', 'waiting_for_removal');
      const settled = performance.now() - started;
      expect((await readSimState(sim)).hang_at_byte).not.toBeNull();
      times.push(settled);
      const ejectAsked = performance.now();
      const eject = core.control.execute('sim0', { action: 'eject' });
      await new Promise((resolve) => setTimeout(resolve, 500));
      await updateSimState(sim, { hang_at_byte: null });
      await eject;
      console.log(
        `[cancel] run ${run + 1}: Cancel → waiting_for_removal in ${settled.toFixed(0)} ms with the read still stuck; ` +
          `eject asked 500 ms before the read was released ran after ${(performance.now() - ejectAsked).toFixed(0)} ms`,
      );
    } finally {
      await updateSimState(sim, { hang_at_byte: null });
      await core.stop();
      await cleanup();
    }
  }
  console.log(`[cancel] Cancel with a stuck read, settled after: ${times.map((t) => `${t.toFixed(0)} ms`).join(', ')} (SPEC: < 2000 ms)`);
});

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { parseOptions } from '../src/config/index.js';
import { simInsert, simReset } from '../src/drive/index.js';
import { history, waitForState } from '../tests/helpers/core.js';
import { ADDON_NODE_FLAGS, ensureBuilt, freePort, startCli } from '../tests/helpers/process.js';
import { makeTempDir } from '../tests/helpers/tmp.js';
import { waitFor } from '../tests/helpers/wait.js';
import { writeSampleIso } from '../src/demo/sample-iso.js';
import { openFds, rssMiB } from './lib/proc.js';

const CYCLES = Number(process.env.BENCH_CYCLES ?? 100);

it(`${CYCLES} consecutive copy cycles: RSS and file descriptors do not grow; RSS while copying`, async () => {
  await ensureBuilt();
  const { dir, cleanup } = await makeTempDir('disk2iso-bench-');
  const sim = join(dir, 'sim0');
  await simReset(sim);
  const raw = {
    drives: [`sim:${sim}`],
    api_dir: join(dir, 'api'),
    output_dir: join(dir, 'out'),
    web_port: await freePort(),
    mqtt_enabled: false,
    poll_media_interval: 1,
    poll_removal_interval: 1,
    duplicate_policy: 'overwrite',
    min_free_space_mb: 0,
  };
  const optionsPath = join(dir, 'options.json');
  await writeFile(optionsPath, JSON.stringify(raw));
  const config = parseOptions(raw, optionsPath);
  const small = join(dir, 'small.iso');
  const big = join(dir, 'big.iso');
  await writeSampleIso(small, { label: 'CYCLE', dataBytes: 4 * 1024 * 1024 });
  await writeSampleIso(big, { label: 'BIGCOPY', dataBytes: 256 * 1024 * 1024 });
  // Measured as the add-on runs it (V8 flags of rootfs/.../disk2iso/run).
  const core = startCli('run', optionsPath, {}, ADDON_NODE_FLAGS.run);
  const pid = core.pid ?? 0;
  try {
    await waitForState(config, 'sim0', 'waiting_for_media');
    const samples: { cycle: number; rss: number; fds: number }[] = [];
    for (let cycle = 1; cycle <= CYCLES; cycle++) {
      await simInsert(sim, small);
      await waitFor(async () => (await history(config))?.entries.length === cycle, { timeoutMs: 60_000, message: `cycle ${cycle}` });
      await waitForState(config, 'sim0', 'waiting_for_media');
      if (cycle === 10 || cycle % 25 === 0) samples.push({ cycle, rss: await rssMiB(pid), fds: await openFds(pid) });
    }
    for (const s of samples) console.log(`after cycle ${s.cycle}: RSS ${s.rss.toFixed(1)} MiB, open fds ${s.fds}`);
    const first = samples[0];
    const last = samples.at(-1);
    if (first && last) {
      console.log(`RSS growth cycle ${first.cycle}→${last.cycle}: ${(last.rss - first.rss).toFixed(1)} MiB (target < 5 MiB); fd growth: ${last.fds - first.fds} (target 0)`);
    }
    // RSS while copying a 256 MiB disc at full speed.
    await simInsert(sim, big);
    await waitForState(config, 'sim0', 'copying');
    let peak = 0;
    while ((await history(config))?.entries.length === CYCLES) {
      peak = Math.max(peak, await rssMiB(pid));
      await new Promise((r) => setTimeout(r, 100));
    }
    console.log(`core peak RSS while copying 256 MiB with SHA-256: ${peak.toFixed(1)} MiB (target < 80 MiB)`);
    expect(samples.length).toBeGreaterThan(0);
  } finally {
    core.kill('SIGTERM');
    await core;
    await cleanup();
  }
});

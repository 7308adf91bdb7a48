import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { parseOptions } from '../src/config/index.js';
import { simReset } from '../src/drive/index.js';
import { waitForState } from '../tests/helpers/core.js';
import { ADDON_NODE_FLAGS, ensureBuilt, freePort, startCli } from '../tests/helpers/process.js';
import { makeTempDir } from '../tests/helpers/tmp.js';
import { cpuPercentOver, rssMiB } from './lib/proc.js';

const SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 60);

it(`core idle in waiting_for_media: CPU % and RSS over ${SECONDS} s`, async () => {
  await ensureBuilt();
  const { dir, cleanup } = await makeTempDir('disk2iso-bench-');
  const sim = join(dir, 'sim0');
  await simReset(sim);
  // Default poll intervals: media every 2 s, as a user would run it.
  const raw = { drives: [`sim:${sim}`], api_dir: join(dir, 'api'), output_dir: join(dir, 'out'), web_port: await freePort(), mqtt_enabled: false };
  const optionsPath = join(dir, 'options.json');
  await writeFile(optionsPath, JSON.stringify(raw));
  const config = parseOptions(raw, optionsPath);
  // Measured as the add-on runs it (V8 flags of rootfs/.../disk2iso/run).
  const core = startCli('run', optionsPath, {}, ADDON_NODE_FLAGS.run);
  try {
    await waitForState(config, 'sim0', 'waiting_for_media');
    await new Promise((r) => setTimeout(r, 3000)); // let start-up work settle
    const pid = core.pid ?? 0;
    const cpu = await cpuPercentOver(pid, SECONDS);
    const rss = await rssMiB(pid);
    console.log(`core idle CPU: ${cpu.toFixed(3)} % of one core over ${SECONDS} s (target < 0.3 %)`);
    console.log(`core idle RSS: ${rss.toFixed(1)} MiB`);
    expect(cpu).toBeGreaterThanOrEqual(0);
  } finally {
    core.kill('SIGTERM');
    await core;
    await cleanup();
  }
});

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { parseOptions } from '../src/config/index.js';
import { apiPaths, DriveStatusSchema, readContractValue } from '../src/contract/index.js';
import { simInsert, simReset } from '../src/drive/index.js';
import { makeDataIso } from '../tests/helpers/images.js';
import { ensureBuilt, freePort, startCli } from '../tests/helpers/process.js';
import { makeTempDir } from '../tests/helpers/tmp.js';
import { launchBrowser } from '../tests/web/browser.js';
import { waitFor } from '../tests/web/fixtures.js';
import { cpuPercentOver, openFds, rssMiB } from './lib/proc.js';

const DASHBOARDS = 5;

it(`core RSS and CPU with ${DASHBOARDS} open dashboards while copying`, async () => {
  await ensureBuilt();
  const temp = await makeTempDir('disk2iso-bench-web-rss-');
  const sim = join(temp.dir, 'sim0');
  await simReset(sim);
  const raw = { drives: [`sim:${sim}`], api_dir: join(temp.dir, 'api'), output_dir: join(temp.dir, 'out'), web_port: await freePort(), mqtt_enabled: false, min_free_space_mb: 0 };
  const optionsPath = join(temp.dir, 'options.json');
  await writeFile(optionsPath, JSON.stringify(raw));
  const config = parseOptions(raw, optionsPath);
  const core = startCli('run', optionsPath);
  const browser = await launchBrowser();
  try {
    const pid = core.pid ?? 0;
    const paths = apiPaths(config.api_dir);
    const state = async () => (await readContractValue(paths.status('sim0'), DriveStatusSchema))?.state;
    await waitFor(async () => (await state()) === 'waiting_for_media' || undefined, 60_000, 'core ready');
    await new Promise((r) => setTimeout(r, 2000));
    const idle = await rssMiB(pid);
    console.log(`core RSS idle, no dashboard: ${idle.toFixed(1)} MiB`);
    // A slow disc keeps the copy (and the 2/s progress stream) running for the whole measurement.
    const image = await makeDataIso(temp.dir, { label: 'LONG_COPY', bytes: 96 * 1024 * 1024 });
    await simInsert(sim, image, { bytes_per_second: 1024 * 1024 });
    await waitFor(async () => (await state()) === 'copying' || undefined, 60_000, 'copying');
    const cpuAlone = await cpuPercentOver(pid, 10);
    const copying = await rssMiB(pid);
    console.log(`core RSS copying, no dashboard: ${copying.toFixed(1)} MiB`);
    console.log(`core CPU copying at 1 MiB/s, no dashboard: ${cpuAlone.toFixed(2)} % of one core over 10 s`);
    const pages = [];
    for (let i = 0; i < DASHBOARDS; i++) {
      const page = await browser.context.newPage();
      await page.goto(`http://127.0.0.1:${config.web_port}/`);
      await page.waitForSelector('#conn[data-conn="live"]');
      pages.push(page);
    }
    await new Promise((r) => setTimeout(r, 5000));
    const cpu = await cpuPercentOver(pid, 10);
    const rss = await rssMiB(pid);
    console.log(`core RSS copying with ${DASHBOARDS} dashboards (SSE): ${rss.toFixed(1)} MiB (target: core < 80 MB while copying)`);
    console.log(`core CPU copying at 1 MiB/s with ${DASHBOARDS} dashboards: ${cpu.toFixed(2)} % of one core over 10 s`);
    console.log(`core open fds with ${DASHBOARDS} dashboards: ${await openFds(pid)}`);
    expect(await state()).toBe('copying');
    for (const page of pages) await page.close();
    await new Promise((r) => setTimeout(r, 1000));
    console.log(`core RSS after closing the dashboards: ${(await rssMiB(pid)).toFixed(1)} MiB, open fds ${await openFds(pid)}`);
    expect(rss).toBeGreaterThan(0);
  } finally {
    await browser.close();
    core.kill('SIGTERM');
    await core;
    await temp.cleanup();
  }
});

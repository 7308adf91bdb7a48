import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { parseOptions } from '../src/config/index.js';
import { apiPaths, DriveStatusSchema, readContractValue, writeJsonAtomic } from '../src/contract/index.js';
import { simInsert, simReset } from '../src/drive/index.js';
import { startWebServer } from '../src/web/index.js';
import { makeDataIso } from '../tests/helpers/images.js';
import { ensureBuilt, freePort, startCli } from '../tests/helpers/process.js';
import { makeTempDir } from '../tests/helpers/tmp.js';
import { launchBrowser } from '../tests/web/browser.js';
import { makeFixture, status, waitFor } from '../tests/web/fixtures.js';
import { observeStates, seenStates, summary } from './web-support.js';

const SAMPLES = Number(process.env.BENCH_WEB_SAMPLES ?? 100);

it(`state change → dashboard DOM in Chromium over SSE, web layer alone (${SAMPLES} changes)`, async () => {
  const fx = await makeFixture();
  await writeJsonAtomic(fx.paths.status('sim0'), status({ state: 'waiting_for_media' }));
  const server = await startWebServer({ ...fx.deps, hostname: '127.0.0.1', sseHeartbeatMs: 10_000 });
  const browser = await launchBrowser();
  try {
    const page = await browser.context.newPage();
    await page.goto(server.url);
    await page.waitForSelector('#conn[data-conn="live"]');
    await observeStates(page);
    const latencies: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const state = i % 2 === 0 ? 'copying' : 'analyzing';
      const before = (await seenStates(page)).length;
      const since = new Date().toISOString();
      await writeJsonAtomic(fx.paths.status('sim0'), status({ state, since }));
      const seen = await waitFor(async () => (await seenStates(page)).slice(before).find((s) => s.state === state), 20_000, 'state in the page');
      latencies.push(seen.at - Date.parse(since));
      await new Promise((r) => setTimeout(r, 80 + Math.random() * 80));
    }
    console.log(`web: status.json written → state shown in Chromium: ${summary(latencies)} (target < 250 ms)`);
    expect(latencies.length).toBe(SAMPLES);
  } finally {
    await browser.close();
    await server.stop();
    await fx.cleanup();
  }
});

it('state change → dashboard DOM in Chromium, real core (`since` of each transition → shown)', async () => {
  await ensureBuilt();
  const temp = await makeTempDir('disk2iso-bench-web-');
  const sim = join(temp.dir, 'sim0');
  await simReset(sim);
  const raw = { drives: [`sim:${sim}`], api_dir: join(temp.dir, 'api'), output_dir: join(temp.dir, 'out'), web_port: await freePort(), mqtt_enabled: false, eject_after_copy: true, poll_media_interval: 1, poll_removal_interval: 1, min_free_space_mb: 0, duplicate_policy: 'overwrite' };
  const optionsPath = join(temp.dir, 'options.json');
  await writeFile(optionsPath, JSON.stringify(raw));
  const config = parseOptions(raw, optionsPath);
  const core = startCli('run', optionsPath);
  const browser = await launchBrowser();
  try {
    const paths = apiPaths(config.api_dir);
    const state = async () => (await readContractValue(paths.status('sim0'), DriveStatusSchema))?.state;
    await waitFor(async () => (await state()) === 'waiting_for_media' || undefined, 60_000, 'core ready');
    const image = await makeDataIso(temp.dir, { label: 'BENCH_DISC', bytes: 4 * 1024 * 1024 });
    const page = await browser.context.newPage();
    await page.goto(`http://127.0.0.1:${config.web_port}/`);
    await page.waitForSelector('#conn[data-conn="live"]');
    await observeStates(page);
    const discs = Number(process.env.BENCH_WEB_DISCS ?? 8);
    for (let i = 0; i < discs; i++) {
      await simInsert(sim, image, { bytes_per_second: 0 });
      await waitFor(async () => (await state()) === 'waiting_for_removal' || (await state()) === 'waiting_for_media' || undefined, 60_000, 'job done');
      await waitFor(async () => (await state()) === 'waiting_for_media' || undefined, 60_000, 'disc out');
      await new Promise((r) => setTimeout(r, 300));
    }
    const seen = await seenStates(page);
    const latencies = seen.filter((s) => s.since).map((s) => s.at - Date.parse(s.since));
    console.log(`core: transition (status.since) → state shown in Chromium: ${summary(latencies)} (target < 250 ms; states written within 50 ms of each other arrive after the 75 ms trailing read)`);
    console.log(`core: ${seen.length} state changes shown for ${discs} discs`);
    expect(latencies.length).toBeGreaterThan(0);
  } finally {
    await browser.close();
    core.kill('SIGTERM');
    await core;
    await temp.cleanup();
  }
});

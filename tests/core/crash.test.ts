import { access, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { apiPaths, ProgressSchema, readContractValue } from '../../src/contract/index.js';
import { parseOptions } from '../../src/config/index.js';
import { simInsert, simReset, updateSimState } from '../../src/drive/index.js';
import { useCliProcesses, writeCliOptions } from '../helpers/cli-core.js';
import { history, sameBytes, stateTrail, waitForState } from '../helpers/core.js';
import { makeDataIso } from '../helpers/images.js';
import { freePort, startCli } from '../helpers/process.js';
import { waitFor } from '../helpers/wait.js';

/** Polls every second and keeps the disc in, so a restarted core finds it at once. */
const QUICK = { poll_media_interval: 1, poll_removal_interval: 1, eject_after_copy: false };

describe('crash recovery of `disk2iso run` (kill -9 mid-copy, restart)', () => {
  const fx = useCliProcesses();

  it('records the interrupted job, never stays in copying, and resumes the same disc to an identical image', async () => {
    const sim = join(fx.dir, 'sim0');
    await simReset(sim);
    const image = await makeDataIso(fx.dir, { label: 'CRASHME', bytes: 12 * 1024 * 1024, seed: 42 });
    const { optionsPath, config } = await writeCliOptions(fx.dir, sim, QUICK);
    await simInsert(sim, image, { bytes_per_second: 1024 * 1024 });

    const first = startCli('run', optionsPath);
    fx.running.push(first);
    await waitForState(config, 'sim0', 'copying');
    await waitFor(
      async () => ((await readContractValue(apiPaths(config.api_dir).progress('sim0'), ProgressSchema))?.bytes_done ?? 0) > 3 * 1024 * 1024,
      { message: 'a few MiB copied', timeoutMs: 60_000 },
    );
    first.kill('SIGKILL');
    await first;
    const dataDir = join(config.output_dir, 'data');
    expect((await readdir(dataDir)).sort()).toEqual(['CRASHME.iso.part', 'CRASHME.iso.part.map']);

    await updateSimState(sim, { bytes_per_second: 0 });
    const second = startCli('run', optionsPath);
    fx.running.push(second);
    await waitFor(async () => (await history(config))?.entries.length === 2, { message: 'interrupted + resumed jobs', timeoutMs: 60_000 });
    const [resumed, interrupted] = (await history(config))?.entries ?? [];
    expect(interrupted?.result).toBe('failed');
    expect(interrupted?.error_message).toMatch(/Interrupted/);
    expect(resumed?.result).toBe('success');
    expect(await sameBytes(image, join(dataDir, 'CRASHME.iso'))).toBe(true);
    await expect(access(join(dataDir, 'CRASHME.iso.part.map'))).rejects.toThrow();
    const trail = await stateTrail(config, 'sim0');
    // The second run starts over at initializing; it never resumes "copying" without analysis.
    const restart = trail.lastIndexOf('initializing');
    expect(trail.slice(restart, restart + 6)).toEqual(['initializing', 'drive_detected', 'waiting_for_media', 'media_detected', 'analyzing', 'copying']);
    second.kill('SIGTERM');
    const result = await second;
    expect(result.exitCode).toBe(0);
  }, 180_000);

  it('a clean shutdown mid-copy (SIGTERM) records the job as cancelled and the next start resumes it', async () => {
    const sim = join(fx.dir, 'sim0');
    await simReset(sim);
    const image = await makeDataIso(fx.dir, { label: 'SHUTDOWN', bytes: 12 * 1024 * 1024, seed: 43 });
    const { optionsPath, config } = await writeCliOptions(fx.dir, sim, QUICK);
    await simInsert(sim, image, { bytes_per_second: 1024 * 1024 });
    const first = startCli('run', optionsPath);
    fx.running.push(first);
    await waitFor(
      async () => ((await readContractValue(apiPaths(config.api_dir).progress('sim0'), ProgressSchema))?.bytes_done ?? 0) > 2 * 1024 * 1024,
      { message: 'copy under way', timeoutMs: 60_000 },
    );
    first.kill('SIGTERM');
    expect((await first).exitCode).toBe(0);
    expect((await history(config))?.entries[0]).toMatchObject({ result: 'cancelled', error_message: expect.stringMatching(/shutting down/) as unknown });
    const dataDir = join(config.output_dir, 'data');
    expect((await readdir(dataDir)).sort()).toEqual(['SHUTDOWN.iso.part', 'SHUTDOWN.iso.part.map']);

    await updateSimState(sim, { bytes_per_second: 0 });
    const second = startCli('run', optionsPath);
    fx.running.push(second);
    await waitFor(async () => (await history(config))?.entries.length === 2, { message: 'resumed job', timeoutMs: 60_000 });
    expect((await history(config))?.entries.map((e) => e.result)).toEqual(['success', 'cancelled']);
    expect(await sameBytes(image, join(dataDir, 'SHUTDOWN.iso'))).toBe(true);
    second.kill('SIGTERM');
    await second;
  }, 180_000);

  it('exits non-zero with one clear line per bad option and writes nothing', async () => {
    const optionsPath = join(fx.dir, 'options.json');
    await writeFile(optionsPath, JSON.stringify({ checksum: 'sha1', read_retries: 'three', api_dir: join(fx.dir, 'api') }));
    const result = await startCli('run', optionsPath);
    expect(result.exitCode).toBe(1);
    expect(result.all).toContain('option "checksum": got "sha1", allowed: sha256, md5, both, none');
    expect(result.all).toContain('option "read_retries": got "three", expected number');
    await expect(access(join(fx.dir, 'api'))).rejects.toThrow();
  });

  it('a second `disk2iso run` on the same api_dir exits 1 with one line and changes nothing', async () => {
    const sim = join(fx.dir, 'sim0');
    await simReset(sim);
    const { optionsPath, config } = await writeCliOptions(fx.dir, sim, QUICK);
    const first = startCli('run', optionsPath);
    fx.running.push(first);
    await waitForState(config, 'sim0', 'waiting_for_media');
    const before = await readFile(apiPaths(config.api_dir).events, 'utf8');
    const second = await startCli('run', optionsPath);
    expect(second.exitCode).toBe(1);
    expect(second.stdout).toBe('');
    expect(second.stderr).toBe(
      `disk2iso cannot start: another disk2iso core (pid ${first.pid ?? 0}) is already running on ${config.api_dir}; this one exits and changes nothing`,
    );
    expect((await readFile(apiPaths(config.api_dir).events, 'utf8')).startsWith(before)).toBe(true);
    expect((await history(config))?.entries ?? []).toEqual([]);
  });

  it('exits with a clear error instead of running headless when the web port is taken', async () => {
    const { createServer } = await import('node:net');
    const blocker = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => blocker.listen(port, '0.0.0.0', resolve));
    try {
      const sim = join(fx.dir, 'sim0');
      await simReset(sim);
      const optionsPath = join(fx.dir, 'options.json');
      await writeFile(optionsPath, JSON.stringify({ drives: [`sim:${sim}`], api_dir: join(fx.dir, 'api'), output_dir: join(fx.dir, 'out'), web_port: port, mqtt_enabled: false }));
      const result = await startCli('run', optionsPath);
      expect(result.exitCode).toBe(1);
      expect(result.all).toMatch(/cannot start/);
      expect(result.all).toContain(String(port));
      expect(await stateTrail(parseOptions({ api_dir: join(fx.dir, 'api') }, 'x'), 'sim0')).toEqual([]);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});

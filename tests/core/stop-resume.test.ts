import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { apiPaths, ProgressSchema, readContractValue } from '../../src/contract/index.js';
import { simInsert, simRemoveDisc, simReset, updateSimState } from '../../src/drive/index.js';
import { useCliProcesses, writeCliOptions } from '../helpers/cli-core.js';
import { history, waitForState } from '../helpers/core.js';
import { makeDataIso } from '../helpers/images.js';
import { ADDON_NODE_FLAGS, startCli } from '../helpers/process.js';
import { waitFor } from '../helpers/wait.js';

/** s6's `timeout-kill` for the core (rootfs/etc/s6-overlay/s6-rc.d/disk2iso/timeout-kill): SIGKILL after this. */
const S6_TIMEOUT_KILL_MS = 12_000;
const IMAGE_BYTES = 12 * 1024 * 1024;

async function sha256(path: string): Promise<string> {
  return createHash('sha256').update(await readFile(path)).digest('hex');
}

/** The core's JSON log lines whose message starts with `msg`. */
function logLines(output: string, msg: string): Record<string, unknown>[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => typeof line.msg === 'string' && line.msg.startsWith(msg));
}

describe('a stop of the add-on mid-copy (as s6 sends it on restart or update) resumes the same disc', () => {
  const fx = useCliProcesses();

  it.each(['SIGTERM', 'SIGINT'] as const)(
    '%s at about 30 percent: the core exits in time, keeps .part + mapfile, and the next start resumes to a byte-identical image',
    async (signal) => {
      const sim = join(fx.dir, 'sim0');
      await simReset(sim);
      const image = await makeDataIso(fx.dir, { label: 'STOPME', bytes: IMAGE_BYTES, seed: 7 });
      const { optionsPath, config } = await writeCliOptions(fx.dir, sim);
      await simInsert(sim, image, { bytes_per_second: 1024 * 1024 });
      const progress = async () => readContractValue(apiPaths(config.api_dir).progress('sim0'), ProgressSchema);

      // Started as rootfs/etc/s6-overlay/s6-rc.d/disk2iso/run does: `exec node <flags> cli.js run`.
      const first = startCli('run', optionsPath, {}, ADDON_NODE_FLAGS.run);
      fx.running.push(first);
      const atStop = await waitFor(
        async () => {
          const p = await progress();
          return p && p.phase === 'reading' && p.bytes_done > 0.3 * IMAGE_BYTES ? p.bytes_done : null;
        },
        { message: 'about 30 % copied', timeoutMs: 60_000 },
      );
      const stopAt = Date.now();
      first.kill(signal);
      const stopped = await first;
      expect(Date.now() - stopAt).toBeLessThan(S6_TIMEOUT_KILL_MS);
      expect(stopped.exitCode, String(stopped.all)).toBe(0);
      const dataDir = join(config.output_dir, 'data');
      expect((await readdir(dataDir)).sort()).toEqual(['STOPME.iso.part', 'STOPME.iso.part.map']);

      await updateSimState(sim, { bytes_per_second: 4 * 1024 * 1024 });
      const second = startCli('run', optionsPath, {}, ADDON_NODE_FLAGS.run);
      fx.running.push(second);
      // The history says when the resumed job has ended (`completed` passes in a few ms: eject_after_copy).
      await waitFor(async () => (await history(config))?.entries.length === 2, { message: 'the resumed job in the history', timeoutMs: 60_000 });
      expect((await history(config))?.entries.map((e) => e.result)).toEqual(['success', 'cancelled']);
      second.kill('SIGTERM');
      const output = String((await second).all);

      // Nothing of the partial was removed, and the copy went on from where it stopped.
      expect(logLines(output, 'removed a partial file left by an interrupted copy')).toEqual([]);
      const resumed = logLines(output, 'resuming an interrupted copy');
      expect(resumed, output).toHaveLength(1);
      const done = Number(resumed[0]?.done);
      expect(done).toBeGreaterThanOrEqual(atStop);
      expect(done).toBeLessThan(IMAGE_BYTES);
      expect(logLines(output, "copying 'STOPME'").map((l) => l.resume)).toEqual([true]);
      expect(await sha256(join(dataDir, 'STOPME.iso'))).toBe(await sha256(image));
      expect((await readdir(dataDir)).filter((n) => n.includes('.part'))).toEqual([]);
    },
    120_000,
  );

  it('a second stop before the same disc was read again still keeps the partial for the start after', async () => {
    const sim = join(fx.dir, 'sim0');
    await simReset(sim);
    const image = await makeDataIso(fx.dir, { label: 'TWICE', bytes: IMAGE_BYTES, seed: 8 });
    // The disc left in at start is not copied: the resumed copy waits for it to be inserted again.
    const { optionsPath, config } = await writeCliOptions(fx.dir, sim, { copy_disc_present_at_start: false, poll_removal_interval: 1, poll_media_interval: 1 });
    await simInsert(sim, image, { bytes_per_second: 1024 * 1024 });
    const dataDir = join(config.output_dir, 'data');
    const parts = async () => (await readdir(dataDir)).sort();

    // Run 1: a disc inserted after the start is copied; stopped at about 30 %.
    await simRemoveDisc(sim);
    const first = startCli('run', optionsPath, {}, ADDON_NODE_FLAGS.run);
    fx.running.push(first);
    await waitForState(config, 'sim0', 'waiting_for_media');
    await simInsert(sim, image, { bytes_per_second: 1024 * 1024 });
    await waitFor(async () => ((await readContractValue(apiPaths(config.api_dir).progress('sim0'), ProgressSchema))?.bytes_done ?? 0) > 0.3 * IMAGE_BYTES, {
      message: 'about 30 % copied',
      timeoutMs: 60_000,
    });
    first.kill('SIGTERM');
    expect((await first).exitCode).toBe(0);
    expect(await parts()).toEqual(['TWICE.iso.part', 'TWICE.iso.part.map']);

    // Run 2: the disc is in the drive at start and left alone; stopped again.
    const second = startCli('run', optionsPath, {}, ADDON_NODE_FLAGS.run);
    fx.running.push(second);
    await waitForState(config, 'sim0', 'waiting_for_removal');
    second.kill('SIGTERM');
    expect((await second).exitCode).toBe(0);
    expect(await parts()).toEqual(['TWICE.iso.part', 'TWICE.iso.part.map']);

    // Run 3: the same disc inserted again resumes.
    await updateSimState(sim, { bytes_per_second: 4 * 1024 * 1024 });
    const third = startCli('run', optionsPath, {}, ADDON_NODE_FLAGS.run);
    fx.running.push(third);
    await waitForState(config, 'sim0', 'waiting_for_removal');
    await simRemoveDisc(sim);
    await waitForState(config, 'sim0', 'waiting_for_media');
    await simInsert(sim, image, { bytes_per_second: 4 * 1024 * 1024 });
    await waitFor(async () => (await history(config))?.entries[0]?.result === 'success', { message: 'the resumed job in the history', timeoutMs: 60_000 });
    third.kill('SIGTERM');
    const output = String((await third).all);
    expect(logLines(output, 'resuming an interrupted copy'), output).toHaveLength(1);
    expect(await sha256(join(dataDir, 'TWICE.iso'))).toBe(await sha256(image));
  }, 120_000);
});

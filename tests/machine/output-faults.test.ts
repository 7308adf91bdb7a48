import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simInsert } from '../../src/drive/index.js';
import { history, startTestCore, testConfig, waitForState } from '../helpers/core.js';
import { makeDataIso } from '../helpers/images.js';
import { useSimCore } from '../helpers/sim-core.js';
import { mountTmpfs, remountTmpfs } from '../helpers/tmpfs.js';
import { waitFor } from '../helpers/wait.js';

/** Output folders on small or read-only tmpfs mounts (needs root, which CI has). */
describe('output folder faults (tmpfs mounts)', () => {
  // The core stops before the tmpfs goes: mountTmpfs lifts it after the afterEach hooks.
  const fx = useSimCore();

  it('a disk that fills up mid-copy ends the job as failed with a clear message, removes the partial, and goes on', async (ctx) => {
    const out = await mountTmpfs(ctx, 'size=8m');
    const image = await makeDataIso(fx.dir, { label: 'TOOBIG', bytes: 6 * 1024 * 1024, seed: 1 });
    const config = testConfig(fx.dir, [fx.sim], { output_dir: out });
    fx.core = await startTestCore(config);
    await waitForState(config, 'sim0', 'waiting_for_media');
    await simInsert(fx.sim, image, { bytes_per_second: 2 * 1024 * 1024 });
    await waitForState(config, 'sim0', 'copying');
    // Something else fills the disk while the copy runs.
    await writeFile(join(out, 'filler.bin'), Buffer.alloc(5 * 1024 * 1024)).catch(() => undefined);
    await waitFor(async () => (await history(config))?.entries.length === 1, { message: 'job ended', timeoutMs: 30_000 });
    const entry = (await history(config))?.entries[0];
    expect(entry?.result).toBe('failed');
    expect(entry?.error_message).toMatch(/no space left|disk.*full|space/i);
    expect(await readdir(join(out, 'data'))).toEqual([]);
    await waitForState(config, 'sim0', 'waiting_for_media');
  });

  it('a read-only output folder at start stops the start with one line naming the option', async (ctx) => {
    const out = await mountTmpfs(ctx, 'ro,size=1m');
    const config = testConfig(fx.dir, [fx.sim], { output_dir: out });
    await expect(startTestCore(config)).rejects.toThrow(`option "output_dir": ${out} is not usable: not writable (EROFS)`);
  });

  it('an output folder that turns read-only fails the job with a message naming the folder; the service goes on', async (ctx) => {
    const out = await mountTmpfs(ctx, 'size=1m');
    const image = await makeDataIso(fx.dir, { label: 'READONLY', seed: 2 });
    const config = testConfig(fx.dir, [fx.sim], { output_dir: out });
    fx.core = await startTestCore(config);
    await waitForState(config, 'sim0', 'waiting_for_media');
    await remountTmpfs(out, 'ro');
    await simInsert(fx.sim, image);
    await waitFor(async () => (await history(config))?.entries.length === 1, { message: 'job ended' });
    const entry = (await history(config))?.entries[0];
    expect(entry?.result).toBe('failed');
    expect(entry?.error_message).toContain(out);
    expect(entry?.error_message).toMatch(/EROFS|read-only/i);
    await waitForState(config, 'sim0', 'waiting_for_media');
  });
});

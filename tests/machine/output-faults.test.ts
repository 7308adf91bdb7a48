import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningCore } from '../../src/core/run.js';
import { simInsert, simReset } from '../../src/drive/index.js';
import { history, startTestCore, testConfig, waitForState } from '../helpers/core.js';
import { makeDataIso } from '../helpers/images.js';
import { makeTempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait.js';

const isRoot = process.getuid?.() === 0;

/** Output folders on small or read-only tmpfs mounts (needs root, which CI has). */
describe.skipIf(!isRoot)('output folder faults (tmpfs mounts)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let core: RunningCore | null = null;
  const mounts: string[] = [];

  beforeEach(async () => ({ dir, cleanup } = await makeTempDir()));
  afterEach(async () => {
    await core?.stop();
    core = null;
    for (const m of mounts.splice(0)) await execa('umount', ['-l', m], { reject: false });
    await cleanup();
  });

  async function tmpfs(path: string, options: string): Promise<void> {
    await mkdir(path, { recursive: true });
    await execa('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', path]);
    mounts.push(path);
  }

  it('a disk that fills up mid-copy ends the job as failed with a clear message, removes the partial, and goes on', async () => {
    const out = join(dir, 'out');
    await tmpfs(out, 'size=8m');
    const sim = join(dir, 'sim0');
    await simReset(sim);
    const image = await makeDataIso(dir, { label: 'TOOBIG', bytes: 6 * 1024 * 1024, seed: 1 });
    const config = testConfig(dir, [sim], { output_dir: out });
    core = await startTestCore(config);
    await waitForState(config, 'sim0', 'waiting_for_media');
    await simInsert(sim, image, { bytes_per_second: 2 * 1024 * 1024 });
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

  it('a read-only output folder at start stops the start with one line naming the option', async () => {
    const out = join(dir, 'ro');
    await tmpfs(out, 'ro,size=1m');
    const sim = join(dir, 'sim0');
    await simReset(sim);
    const config = testConfig(dir, [sim], { output_dir: out });
    await expect(startTestCore(config)).rejects.toThrow(`option "output_dir": ${out} is not usable: not writable (EROFS)`);
  });

  it('an output folder that turns read-only fails the job with a message naming the folder; the service goes on', async () => {
    const out = join(dir, 'ro');
    await tmpfs(out, 'size=1m');
    const sim = join(dir, 'sim0');
    await simReset(sim);
    const image = await makeDataIso(dir, { label: 'READONLY', seed: 2 });
    const config = testConfig(dir, [sim], { output_dir: out });
    core = await startTestCore(config);
    await waitForState(config, 'sim0', 'waiting_for_media');
    await execa('mount', ['-o', 'remount,ro', out]);
    await simInsert(sim, image);
    await waitFor(async () => (await history(config))?.entries.length === 1, { message: 'job ended' });
    const entry = (await history(config))?.entries[0];
    expect(entry?.result).toBe('failed');
    expect(entry?.error_message).toContain(out);
    expect(entry?.error_message).toMatch(/EROFS|read-only/i);
    await waitForState(config, 'sim0', 'waiting_for_media');
  });
});

import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningCore } from '../../src/core/run.js';
import { simInsert, simRemoveDisc, simReset } from '../../src/drive/index.js';
import { history, startTestCore, testConfig, waitForState } from '../helpers/core.js';
import { makeDataIso } from '../helpers/images.js';
import { makeTempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait.js';

describe('a failed copy leaves nothing that holds the name of the next copy', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let core: RunningCore | null = null;
  let sim: string;

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
    sim = join(dir, 'sim0');
    await simReset(sim);
  });
  afterEach(async () => {
    await core?.stop();
    core = null;
    await cleanup();
  });

  it('a leftover .part of a failed copy does not push the next copy of the disc to _1', async () => {
    const config = testConfig(dir, [sim], { eject_after_copy: false });
    core = await startTestCore(config);
    await waitForState(config, 'sim0', 'waiting_for_media');
    // What a failed copy of this disc left while the core kept running (no restart cleaned it).
    await mkdir(join(config.output_dir, 'data'), { recursive: true });
    await writeFile(join(config.output_dir, 'data', 'AGAIN.iso.part'), Buffer.alloc(4096, 1));
    await simInsert(sim, await makeDataIso(dir, { label: 'AGAIN', seed: 11 }));
    await waitFor(async () => (await history(config))?.entries.length === 1, { message: 'copied' });
    const entry = (await history(config))?.entries[0];
    expect(entry?.result).toBe('success');
    expect(entry?.image_path).toBe(join(config.output_dir, 'data', 'AGAIN.iso'));
    expect((await readdir(join(config.output_dir, 'data'))).filter((n) => n.includes('.part'))).toEqual([]);
  });

  it('a failed copy removes its .part and mapfile, and the next try uses the same name', async () => {
    const config = testConfig(dir, [sim], { read_retries: 0, on_read_error: 'fail', eject_after_copy: false });
    core = await startTestCore(config);
    await waitForState(config, 'sim0', 'waiting_for_media');
    const image = await makeDataIso(dir, { label: 'SCRATCHED', bytes: 2 * 1024 * 1024, seed: 12 });
    for (let attempt = 1; attempt <= 2; attempt++) {
      await simInsert(sim, image, { bad_sectors: [100] });
      await waitFor(async () => (await history(config))?.entries.length === attempt, { message: `attempt ${attempt}` });
      expect((await history(config))?.entries[0]?.result).toBe('failed');
      expect(await readdir(join(config.output_dir, 'data'))).toEqual([]);
      await simRemoveDisc(sim);
      await waitForState(config, 'sim0', 'waiting_for_media');
    }
  });
});

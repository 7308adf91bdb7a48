import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simInsert, simRemoveDisc } from '../../src/drive/index.js';
import { history, startTestCore, testConfig, waitForState } from '../helpers/core.js';
import { makeDataIso } from '../helpers/images.js';
import { useSimCore } from '../helpers/sim-core.js';
import { waitFor } from '../helpers/wait.js';

describe('a failed copy leaves nothing that holds the name of the next copy', () => {
  const t = useSimCore();

  it('a leftover .part of a failed copy does not push the next copy of the disc to _1', async () => {
    const config = testConfig(t.dir, [t.sim], { eject_after_copy: false });
    t.core = await startTestCore(config);
    await waitForState(config, 'sim0', 'waiting_for_media');
    // What a failed copy of this disc left while the t.core kept running (no restart cleaned it).
    await mkdir(join(config.output_dir, 'data'), { recursive: true });
    await writeFile(join(config.output_dir, 'data', 'AGAIN.iso.part'), Buffer.alloc(4096, 1));
    await simInsert(t.sim, await makeDataIso(t.dir, { label: 'AGAIN', seed: 11 }));
    await waitFor(async () => (await history(config))?.entries.length === 1, { message: 'copied' });
    const entry = (await history(config))?.entries[0];
    expect(entry?.result).toBe('success');
    expect(entry?.image_path).toBe(join(config.output_dir, 'data', 'AGAIN.iso'));
    expect((await readdir(join(config.output_dir, 'data'))).filter((n) => n.includes('.part'))).toEqual([]);
  });

  it('a failed copy removes its .part and mapfile, and the next try uses the same name', async () => {
    const config = testConfig(t.dir, [t.sim], { read_retries: 0, on_read_error: 'fail', eject_after_copy: false });
    t.core = await startTestCore(config);
    await waitForState(config, 'sim0', 'waiting_for_media');
    const image = await makeDataIso(t.dir, { label: 'SCRATCHED', bytes: 2 * 1024 * 1024, seed: 12 });
    for (let attempt = 1; attempt <= 2; attempt++) {
      await simInsert(t.sim, image, { bad_sectors: [100] });
      await waitFor(async () => (await history(config))?.entries.length === attempt, { message: `attempt ${attempt}` });
      expect((await history(config))?.entries[0]?.result).toBe('failed');
      expect(await readdir(join(config.output_dir, 'data'))).toEqual([]);
      await simRemoveDisc(t.sim);
      await waitForState(config, 'sim0', 'waiting_for_media');
    }
  });
});

describe('the duplicate check given in the options', () => {
  const t = useSimCore();

  it('decides the skip at analyze (the core gives its archive index; the folder is not read)', async () => {
    const config = testConfig(t.dir, [t.sim], { duplicate_policy: 'skip', eject_after_copy: false });
    const known = join(config.output_dir, 'dvd', 'KNOWN.iso');
    const asked: string[] = [];
    const findArchived = (fingerprint: string): Promise<string | null> => {
      asked.push(fingerprint);
      return Promise.resolve(known);
    };
    t.core = await startTestCore(config, { findArchived });
    await waitForState(config, 'sim0', 'waiting_for_media');
    await simInsert(t.sim, await makeDataIso(t.dir, { label: 'ASKED', seed: 31 }));
    await waitFor(async () => (await history(config))?.entries.length === 1, { message: 'skip recorded' });
    expect((await history(config))?.entries[0]).toMatchObject({ result: 'skipped_duplicate', image_path: known });
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatch(/^[0-9a-f]{64}$/);
  });
});

import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { simInsert } from '../../src/drive/index.js';
import { events, history, startTestCore, stateTrail, testConfig, waitForState } from '../helpers/core.js';
import { useSimCore } from '../helpers/sim-core.js';
import { waitFor } from '../helpers/wait.js';

describe('a disc that holds no data (real core, simulated drive)', () => {
  const fx = useSimCore();

  it('is an error with a clear message, recorded as failed, and nothing is archived', async () => {
    const empty = join(fx.dir, 'empty.iso');
    await writeFile(empty, '');
    const config = testConfig(fx.dir, [fx.sim]);
    fx.core = await startTestCore(config);
    await waitForState(config, 'sim0', 'waiting_for_media');
    await simInsert(fx.sim, empty);
    await waitFor(async () => (await history(config))?.entries.length === 1, { message: 'history entry' });

    const entry = (await history(config))?.entries[0];
    expect(entry).toMatchObject({ result: 'failed', bytes: 0, image_path: null });
    expect(entry?.error_message).toContain('the disc holds no data');
    expect(await stateTrail(config, 'sim0')).toContain('error');
    expect((await events(config)).map((e) => e.type)).not.toContain('copy_completed');
    const archived = await readdir(join(config.output_dir, 'data')).catch(() => []);
    expect(archived).toEqual([]);
  });
});

import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningCore } from '../../src/core/run.js';
import { simInsert, simReset } from '../../src/drive/index.js';
import { events, history, startTestCore, stateTrail, testConfig, waitForState } from '../helpers/core.js';
import { makeTempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait.js';

describe('a disc that holds no data (real core, simulated drive)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let core: RunningCore | null = null;

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
  });
  afterEach(async () => {
    await core?.stop();
    core = null;
    await cleanup();
  });

  it('is an error with a clear message, recorded as failed, and nothing is archived', async () => {
    const sim = join(dir, 'sim0');
    await simReset(sim);
    const empty = join(dir, 'empty.iso');
    await writeFile(empty, '');
    const config = testConfig(dir, [sim]);
    core = await startTestCore(config);
    await waitForState(config, 'sim0', 'waiting_for_media');
    await simInsert(sim, empty);
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

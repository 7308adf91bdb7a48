import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readSimState, simInsert, simReset, updateSimState } from '../../src/drive/index.js';
import type { RunningCore } from '../../src/core/run.js';
import { events, history, startTestCore, stateTrail, testConfig, waitForState } from '../helpers/core.js';
import { makeDataIso } from '../helpers/images.js';
import { makeTempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait.js';

describe('a drive whose reads hang (simulated drive, real core)', () => {
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
    await updateSimState(sim, { hang_at_byte: null });
    await core?.stop();
    core = null;
    await cleanup();
  });

  it('settles on Cancel while a read is stuck; the read finishes in the background, the eject only after it', async () => {
    const image = await makeDataIso(dir, { label: 'STUCK', bytes: 6 * 1024 * 1024, seed: 11 });
    const config = testConfig(dir, [sim], { eject_after_copy: false });
    core = await startTestCore(config, { stallTimeoutMs: 600_000 });
    await waitForState(config, 'sim0', 'waiting_for_media');
    await simInsert(sim, image, { hang_at_byte: 2 * 1024 * 1024 });
    await waitForState(config, 'sim0', 'copying');
    await waitFor(async () => (await readdir(join(config.output_dir, 'data')).catch(() => [])).some((n) => n.endsWith('.part')), {
      message: '.part file',
    });

    expect(await core.control.execute('sim0', { action: 'cancel' })).toMatchObject({ ok: true });
    // Settled, recorded and cleaned up while the read is still stuck in the drive.
    await waitForState(config, 'sim0', 'waiting_for_removal');
    expect((await readSimState(sim)).hang_at_byte).toBe(2 * 1024 * 1024);
    expect((await history(config))?.entries[0]?.result).toBe('cancelled');
    expect((await events(config)).some((e) => e.type === 'copy_cancelled')).toBe(true);
    expect(await readdir(join(config.output_dir, 'data'))).toEqual([]);
    expect((await stateTrail(config, 'sim0')).slice(-2)).toEqual(['copying', 'waiting_for_removal']);

    // Eject is asked now but reaches the drive only once the stuck read has returned.
    const eject = core.control.execute('sim0', { action: 'eject' });
    expect((await readSimState(sim)).tray_open).toBe(false);
    await updateSimState(sim, { hang_at_byte: null });
    expect(await eject).toMatchObject({ ok: true });
    expect((await readSimState(sim)).tray_open).toBe(true);
  });
});

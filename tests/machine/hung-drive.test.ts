import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readSimState, simInsert, simRemoveDisc, updateSimState } from '../../src/drive/index.js';
import { events, history, sameBytes, startTestCore, stateTrail, testConfig, waitForState } from '../helpers/core.js';
import { makeDataIso } from '../helpers/images.js';
import { useSimCore } from '../helpers/sim-core.js';
import { waitFor } from '../helpers/wait.js';

describe('a drive whose reads hang (simulated drive, real core)', () => {
  const t = useSimCore(() => updateSimState(t.sim, { hang_at_byte: null }));

  it('settles on Cancel while a read is stuck; the read finishes in the background, the eject only after it', async () => {
    const image = await makeDataIso(t.dir, { label: 'STUCK', bytes: 6 * 1024 * 1024, seed: 11 });
    const config = testConfig(t.dir, [t.sim], { eject_after_copy: false });
    t.core = await startTestCore(config, { stallTimeoutMs: 600_000 });
    await waitForState(config, 'sim0', 'waiting_for_media');
    await simInsert(t.sim, image, { hang_at_byte: 2 * 1024 * 1024 });
    await waitForState(config, 'sim0', 'copying');
    await waitFor(async () => (await readdir(join(config.output_dir, 'data')).catch(() => [])).some((n) => n.endsWith('.part')), {
      message: '.part file',
    });

    expect(await t.core.control.execute('sim0', { action: 'cancel' })).toMatchObject({ ok: true });
    // Settled, recorded and cleaned up while the read is still stuck in the drive.
    await waitForState(config, 'sim0', 'waiting_for_removal');
    expect((await readSimState(t.sim)).hang_at_byte).toBe(2 * 1024 * 1024);
    expect((await history(config))?.entries[0]?.result).toBe('cancelled');
    expect((await events(config)).some((e) => e.type === 'copy_cancelled')).toBe(true);
    expect(await readdir(join(config.output_dir, 'data'))).toEqual([]);
    expect((await stateTrail(config, 'sim0')).slice(-2)).toEqual(['copying', 'waiting_for_removal']);

    // Eject is asked now but reaches the drive only once the stuck read has returned.
    const eject = t.core.control.execute('sim0', { action: 'eject' });
    expect((await readSimState(t.sim)).tray_open).toBe(false);
    await updateSimState(t.sim, { hang_at_byte: null });
    expect(await eject).toMatchObject({ ok: true });
    expect((await readSimState(t.sim)).tray_open).toBe(true);
  });

  it('ends the job when a read times out ("stopped responding at byte N"), keeps the partial, and resumes it when the disc comes back', async () => {
    const image = await makeDataIso(t.dir, { label: 'TIMEOUT', bytes: 6 * 1024 * 1024, seed: 12 });
    const config = testConfig(t.dir, [t.sim], { eject_after_copy: false });
    t.core = await startTestCore(config, { stallTimeoutMs: 600_000 });
    await waitForState(config, 'sim0', 'waiting_for_media');
    await simInsert(t.sim, image, { hang_at_byte: 3 * 1024 * 1024, read_timeout_ms: 300 });
    await waitFor(async () => (await history(config))?.entries.length === 1, { message: 'job ended' });
    await waitForState(config, 'sim0', 'waiting_for_removal');

    const entry = (await history(config))?.entries[0];
    expect(entry?.result).toBe('failed');
    expect(entry?.error_message).toMatch(/the drive stopped responding at byte \d+ \(a read timed out\); what was read is kept to resume$/);
    // A time-out is not a bad sector: nothing is listed as unreadable, the rest was not read.
    expect(entry?.bad_sectors).toBe(0);
    expect((await readdir(join(config.output_dir, 'data'))).sort()).toEqual(['TIMEOUT.iso.part', 'TIMEOUT.iso.part.map']);
    expect((await stateTrail(config, 'sim0')).slice(-3)).toEqual(['copying', 'error', 'waiting_for_removal']);

    // The drive answers again; the same disc goes out and back in: the copy continues.
    await updateSimState(t.sim, { hang_at_byte: null });
    await simRemoveDisc(t.sim);
    await waitForState(config, 'sim0', 'waiting_for_media');
    await simInsert(t.sim, image);
    await waitFor(async () => (await history(config))?.entries.length === 2, { message: 'second job' });
    const second = (await history(config))?.entries.find((e) => e.id !== entry?.id);
    expect(second?.error_message ?? null).toBeNull();
    expect(second?.result).toBe('success');
    expect(second?.image_path).toBe(join(config.output_dir, 'data', 'TIMEOUT.iso'));
    expect(await sameBytes(image, join(config.output_dir, 'data', 'TIMEOUT.iso'))).toBe(true);
  });
});


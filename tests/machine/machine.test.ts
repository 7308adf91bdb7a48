import { existsSync, readFileSync } from 'node:fs';
import { chmod, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it, vi } from 'vitest';
import { apiPaths, AttributesSchema, DriveStatusSchema } from '../../src/contract/index.js';
import { simInsert, simRemoveDisc, simReset, updateSimState } from '../../src/drive/index.js';
import { ContractStore } from '../../src/machine/index.js';
import { events, history, sameBytes, startTestCore, stateTrail, testConfig, waitForState } from '../helpers/core.js';
import { makeDataIso } from '../helpers/images.js';
import { useSimCore } from '../helpers/sim-core.js';
import { waitFor } from '../helpers/wait.js';

describe('drive machine with a simulated drive (real core, real images)', () => {
  const fx = useSimCore();

  it('copies an inserted disc to a verified ISO, records it, ejects, and waits for the next disc', async () => {
    const image = await makeDataIso(fx.dir, { label: 'HOLIDAY_2024', bytes: 3 * 1024 * 1024, seed: 7 });
    const config = testConfig(fx.dir, [fx.sim], { checksum: 'both', verify: true });
    fx.core = await startTestCore(config);
    await waitForState(config, 'sim0', 'waiting_for_media');
    await simInsert(fx.sim, image);
    await waitFor(async () => (await history(config))?.entries.length === 1, { message: 'history entry' });
    await waitForState(config, 'sim0', 'waiting_for_media');

    const entry = (await history(config))?.entries[0];
    expect(entry?.result).toBe('success');
    expect(entry?.disc_label).toBe('HOLIDAY_2024');
    expect(entry?.disc_type).toBe('cd-rom');
    const target = join(config.output_dir, 'data', 'HOLIDAY_2024.iso');
    expect(entry?.image_path).toBe(target);
    expect(await sameBytes(image, target)).toBe(true);
    await execa('sha256sum', ['-c', 'HOLIDAY_2024.iso.sha256'], { cwd: join(config.output_dir, 'data') });
    await execa('md5sum', ['-c', 'HOLIDAY_2024.iso.md5'], { cwd: join(config.output_dir, 'data') });
    expect(entry?.checksums.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await history(config))?.archived_total).toEqual({ sim0: 1 });

    expect(await stateTrail(config, 'sim0')).toEqual([
      'initializing',
      'drive_detected',
      'waiting_for_media',
      'media_detected',
      'analyzing',
      'copying',
      'completed',
      'waiting_for_removal',
      'idle',
      'waiting_for_media',
    ]);
    const jobEvents = (await events(config)).filter((e) => e.drive === 'sim0' && e.type !== 'state_changed').map((e) => e.type);
    expect(jobEvents).toEqual(['drive_connected', 'disc_inserted', 'copy_started', 'copy_completed', 'disc_removed']);
    const seqs = (await events(config)).map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const logs = await readdir(join(config.output_dir, '.log'));
    expect(logs.some((name) => name.endsWith('_HOLIDAY_2024.log'))).toBe(true);
    expect((await readdir(join(config.output_dir, 'data'))).filter((n) => n.endsWith('.part'))).toEqual([]);
  });

  it('copies a disc already in the drive at start by default, and leaves it alone when told so', async () => {
    const image = await makeDataIso(fx.dir, { label: 'AT_START', seed: 1 });
    await simInsert(fx.sim, image);
    const config = testConfig(fx.dir, [fx.sim], { eject_after_copy: false });
    fx.core = await startTestCore(config);
    await waitFor(async () => (await history(config))?.entries.length === 1, { message: 'copy of the disc present at start' });
    await waitForState(config, 'sim0', 'waiting_for_removal');
    await fx.core.stop();

    const sim2 = join(fx.dir, 'sim1');
    await simReset(sim2);
    await simInsert(sim2, image);
    const config2 = testConfig(join(fx.dir, 'second'), [sim2], { copy_disc_present_at_start: false });
    fx.core = await startTestCore(config2);
    await waitForState(config2, 'sim1', 'waiting_for_removal');
    expect(await stateTrail(config2, 'sim1')).not.toContain('copying');
    // A manual Start copies it anyway.
    expect(await fx.core.control.execute('sim1', { action: 'start' })).toMatchObject({ ok: true });
    await waitFor(async () => (await history(config2))?.entries[0]?.result === 'success', { message: 'manual copy' });
  });

  it('never re-copies a disc whose eject failed: it stays in waiting_for_removal until the disc is taken out', async () => {
    const image = await makeDataIso(fx.dir, { label: 'STUCK', seed: 2 });
    const config = testConfig(fx.dir, [fx.sim]);
    fx.core = await startTestCore(config);
    await waitForState(config, 'sim0', 'waiting_for_media');
    await simInsert(fx.sim, image, { eject_fails: true });
    await waitForState(config, 'sim0', 'waiting_for_removal');
    // Many poll cycles (50 ms each) pass; nothing must happen.
    const trail = await stateTrail(config, 'sim0');
    await new Promise((r) => setTimeout(r, 600));
    expect(await stateTrail(config, 'sim0')).toEqual(trail);
    expect((await history(config))?.entries).toHaveLength(1);
    await simRemoveDisc(fx.sim);
    await waitForState(config, 'sim0', 'waiting_for_media');
    expect((await history(config))?.entries).toHaveLength(1);
  });

  it('cancels a running copy on command: partial output removed, recorded as cancelled', async () => {
    const image = await makeDataIso(fx.dir, { label: 'SLOW', bytes: 8 * 1024 * 1024, seed: 3 });
    const config = testConfig(fx.dir, [fx.sim]);
    fx.core = await startTestCore(config);
    await waitForState(config, 'sim0', 'waiting_for_media');
    await simInsert(fx.sim, image, { bytes_per_second: 1024 * 1024 });
    await waitForState(config, 'sim0', 'copying');
    await waitFor(async () => (await readdir(join(config.output_dir, 'data')).catch(() => [])).some((n) => n.endsWith('.part')), {
      message: '.part file',
    });
    expect(await fx.core.control.execute('sim0', { action: 'cancel' })).toMatchObject({ ok: true });
    await waitForState(config, 'sim0', 'waiting_for_removal');
    const entry = (await history(config))?.entries[0];
    expect(entry?.result).toBe('cancelled');
    expect(await readdir(join(config.output_dir, 'data'))).toEqual([]);
    expect((await events(config)).some((e) => e.type === 'copy_cancelled')).toBe(true);
    expect(await fx.core.control.execute('sim0', { action: 'cancel' })).toMatchObject({ ok: false, status: 409 });
  });

  it('ends the job as failed when the drive is unplugged mid-copy, and finds the drive again', async () => {
    const image = await makeDataIso(fx.dir, { label: 'UNPLUG', bytes: 8 * 1024 * 1024, seed: 4 });
    const config = testConfig(fx.dir, [fx.sim]);
    fx.core = await startTestCore(config);
    await waitForState(config, 'sim0', 'waiting_for_media');
    await simInsert(fx.sim, image, { bytes_per_second: 1024 * 1024 });
    await waitForState(config, 'sim0', 'copying');
    await updateSimState(fx.sim, { unplugged: true });
    await waitForState(config, 'sim0', 'waiting_for_drive');
    const entry = (await history(config))?.entries[0];
    expect(entry?.result).toBe('failed');
    expect(entry?.error_message).toMatch(/disappeared/i);
    expect(await readdir(join(config.output_dir, 'data'))).toEqual([]);
    await updateSimState(fx.sim, { unplugged: false });
    // The disc is still in the drive: it is found again and copied afresh.
    await waitFor(async () => (await stateTrail(config, 'sim0')).join().includes('waiting_for_drive,drive_detected,waiting_for_media'), {
      message: 'drive found again',
    });
    const types = (await events(config)).map((e) => e.type);
    expect(types).toContain('drive_disconnected');
    expect(types.lastIndexOf('drive_connected')).toBeGreaterThan(types.indexOf('drive_disconnected'));
  });

  it('writes status.json and attributes.json before the event that announces the change: its reader finds the new state, the named drive, the cleared disc', async () => {
    const image = await makeDataIso(fx.dir, { label: 'ORDER', seed: 6 });
    const config = testConfig(fx.dir, [fx.sim]);
    const paths = apiPaths(config.api_dir);
    const readNow = <T>(path: string, schema: { parse(value: unknown): T }): T | null =>
      existsSync(path) ? schema.parse(JSON.parse(readFileSync(path, 'utf8'))) : null;
    // What status.json and attributes.json said at the moment each event was appended (a spy that calls through).
    const seen: { type: string; to: unknown; state: unknown; vendor: unknown; label: unknown }[] = [];
    const append = Reflect.get<ContractStore, 'event'>(ContractStore.prototype, 'event');
    const spy = vi.spyOn(ContractStore.prototype, 'event').mockImplementation(function (this: ContractStore, drive, type, data = {}) {
      if (drive === 'sim0') {
        const status = readNow(paths.status('sim0'), DriveStatusSchema);
        const attributes = readNow(paths.attributes('sim0'), AttributesSchema);
        seen.push({ type, to: data.to, state: status?.state, vendor: status?.drive.vendor, label: attributes?.disc_label });
      }
      return append.call(this, drive, type, data);
    });
    try {
      fx.core = await startTestCore(config);
      await waitForState(config, 'sim0', 'waiting_for_media');
      await updateSimState(fx.sim, { unplugged: true });
      await waitForState(config, 'sim0', 'waiting_for_drive');
      await updateSimState(fx.sim, { unplugged: false });
      await waitForState(config, 'sim0', 'waiting_for_media');
      await simInsert(fx.sim, image);
      await waitFor(async () => (await history(config))?.entries.length === 1, { message: 'copy recorded' });
      await waitForState(config, 'sim0', 'waiting_for_media');
    } finally {
      spy.mockRestore();
    }
    const transitions = seen.filter((s) => s.type === 'state_changed');
    expect(transitions.length).toBeGreaterThan(10);
    expect(transitions.filter((s) => s.state !== s.to)).toEqual([]);
    const connected = seen.filter((s) => s.type === 'drive_connected');
    expect(connected).toHaveLength(2);
    expect(connected.map((s) => s.vendor)).toEqual(['disk2iso', 'disk2iso']);
    // The disc's attributes are cleared before its removal (or the drive's) is announced.
    const gone = seen.filter((s) => s.type === 'disc_removed' || s.type === 'drive_disconnected');
    expect(gone.map((s) => s.type)).toEqual(['drive_disconnected', 'disc_removed']);
    expect(gone.map((s) => s.label)).toEqual([null, null]);
    expect(seen.find((s) => s.type === 'copy_completed')?.label).toBe('ORDER');
  });

  it('ends a job whose drive hangs with an explicit stall reason', async () => {
    const image = await makeDataIso(fx.dir, { label: 'HANG', bytes: 4 * 1024 * 1024, seed: 5 });
    const config = testConfig(fx.dir, [fx.sim], { eject_after_copy: false });
    fx.core = await startTestCore(config, { stallTimeoutMs: 1500 });
    await waitForState(config, 'sim0', 'waiting_for_media');
    await simInsert(fx.sim, image, { hang_at_byte: 2 * 1024 * 1024 });
    await waitFor(async () => (await history(config))?.entries.length === 1, { message: 'stalled job recorded' });
    const entry = (await history(config))?.entries[0];
    expect(entry?.result).toBe('failed');
    expect(entry?.error_message).toMatch(/progress|stall/i);
    await waitForState(config, 'sim0', 'waiting_for_removal');
    expect(await readdir(join(config.output_dir, 'data'))).toEqual([]);
  });

  it('keeps a degraded image with the bad sectors listed, or fails, per on_read_error', async () => {
    const image = await makeDataIso(fx.dir, { label: 'SCRATCHED', bytes: 2 * 1024 * 1024, seed: 6 });
    const config = testConfig(fx.dir, [fx.sim], { read_retries: 1 });
    fx.core = await startTestCore(config);
    await waitForState(config, 'sim0', 'waiting_for_media');
    await simInsert(fx.sim, image, { bad_sectors: [100, 101, 500] });
    await waitFor(async () => (await history(config))?.entries.length === 1, { message: 'degraded job' });
    const entry = (await history(config))?.entries[0];
    expect(entry?.result).toBe('degraded');
    expect(entry?.bad_sectors).toBe(3);
    expect(entry?.bad_ranges).toEqual([
      [100 * 2048, 102 * 2048],
      [500 * 2048, 501 * 2048],
    ]);
    const copy = await readFile(entry?.image_path ?? '');
    expect(copy.subarray(100 * 2048, 102 * 2048).every((b) => b === 0)).toBe(true);
  });

  it('runs two drives copying at the same time', async () => {
    const sim1 = join(fx.dir, 'sim1');
    await simReset(sim1);
    const a = await makeDataIso(fx.dir, { label: 'LEFT', bytes: 4 * 1024 * 1024, seed: 8 });
    const b = await makeDataIso(fx.dir, { label: 'RIGHT', bytes: 4 * 1024 * 1024, seed: 9 });
    const config = testConfig(fx.dir, [fx.sim, sim1]);
    fx.core = await startTestCore(config);
    await waitForState(config, 'sim0', 'waiting_for_media');
    await waitForState(config, 'sim1', 'waiting_for_media');
    await simInsert(fx.sim, a, { bytes_per_second: 1024 * 1024 });
    await simInsert(sim1, b, { bytes_per_second: 1024 * 1024 });
    await waitFor(async () => (await driveStates()).every((s) => s === 'copying'), { message: 'both copying' });
    await waitFor(async () => (await history(config))?.entries.length === 2, { message: 'both done' });
    const entries = (await history(config))?.entries ?? [];
    expect(entries.map((e) => e.result)).toEqual(['success', 'success']);
    expect(await sameBytes(a, join(config.output_dir, 'data', 'LEFT.iso'))).toBe(true);
    expect(await sameBytes(b, join(config.output_dir, 'data', 'RIGHT.iso'))).toBe(true);
    async function driveStates() {
      const { driveState } = await import('../helpers/core.js');
      return Promise.all([driveState(config, 'sim0'), driveState(config, 'sim1')]);
    }
  });

  it('waits for Start when auto-copy is off, and the switch can be flipped by command', async () => {
    const image = await makeDataIso(fx.dir, { label: 'MANUAL', seed: 10 });
    const config = testConfig(fx.dir, [fx.sim], { auto_copy: false });
    fx.core = await startTestCore(config);
    await waitForState(config, 'sim0', 'waiting_for_media');
    expect(await fx.core.control.execute('sim0', { action: 'start' })).toMatchObject({ ok: false, status: 409 });
    await simInsert(fx.sim, image);
    await waitForState(config, 'sim0', 'waiting_for_metadata');
    expect((await history(config))?.entries ?? []).toHaveLength(0);
    expect(await fx.core.control.execute('sim0', { action: 'start' })).toMatchObject({ ok: true });
    await waitFor(async () => (await history(config))?.entries[0]?.result === 'success', { message: 'manual copy' });
    expect(await fx.core.control.execute('sim0', { action: 'set_auto_copy', enabled: true })).toMatchObject({ ok: true });
    const { apiPaths } = await import('../../src/contract/index.js');
    await waitFor(async () => (JSON.parse(await readFile(apiPaths(config.api_dir).status('sim0'), 'utf8')) as { auto_copy: boolean }).auto_copy);
    expect(await fx.core.control.execute('nope', { action: 'eject' })).toMatchObject({ ok: false, status: 404 });
  });

  it('applies the duplicate policy by fingerprint: skip, then Start copies with a suffix', async () => {
    const image = await makeDataIso(fx.dir, { label: 'TWICE', seed: 11 });
    const other = await makeDataIso(fx.dir, { label: 'TWICE', seed: 12 });
    const config = testConfig(fx.dir, [fx.sim], { duplicate_policy: 'skip' });
    fx.core = await startTestCore(config);
    await waitForState(config, 'sim0', 'waiting_for_media');
    await simInsert(fx.sim, image);
    await waitFor(async () => (await history(config))?.entries.length === 1);
    await waitForState(config, 'sim0', 'waiting_for_media');
    await simInsert(fx.sim, image);
    await waitFor(async () => (await history(config))?.entries.length === 2, { message: 'skip recorded' });
    expect((await history(config))?.entries[0]?.result).toBe('skipped_duplicate');
    await waitForState(config, 'sim0', 'waiting_for_removal');
    expect(await fx.core.control.execute('sim0', { action: 'start' })).toMatchObject({ ok: true });
    await waitFor(async () => (await history(config))?.entries.length === 3, { message: 'forced copy' });
    expect((await history(config))?.entries[0]?.image_path).toBe(join(config.output_dir, 'data', 'TWICE_1.iso'));
    await simRemoveDisc(fx.sim);
    await waitForState(config, 'sim0', 'waiting_for_media');
    // Another disc with the same label is never a duplicate and never overwrites.
    await simInsert(fx.sim, other);
    await waitFor(async () => (await history(config))?.entries.length === 4, { message: 'different disc, same label' });
    expect((await history(config))?.entries[0]?.image_path).toBe(join(config.output_dir, 'data', 'TWICE_2.iso'));
    expect(await sameBytes(image, join(config.output_dir, 'data', 'TWICE.iso'))).toBe(true);
  });

  it('turns hostile labels into safe file names inside the output folder', async () => {
    const config = testConfig(fx.dir, [fx.sim]);
    fx.core = await startTestCore(config);
    await waitForState(config, 'sim0', 'waiting_for_media');
    for (const [i, label] of ['../../x', '$(reboot)', '<script>'].entries()) {
      const image = await makeDataIso(fx.dir, { label, name: `hostile${i}`, seed: 20 + i });
      await simInsert(fx.sim, image);
      await waitFor(async () => (await history(config))?.entries.length === i + 1, { message: `label ${label}` });
      await waitForState(config, 'sim0', 'waiting_for_media');
    }
    const files = await readdir(join(config.output_dir, 'data'));
    for (const name of files) expect(name).toMatch(/^[^/\\<>$`]+$/);
    expect(files.filter((n) => n.endsWith('.iso'))).toHaveLength(3);
    expect((await readdir(fx.dir)).filter((n) => n === 'x' || n.includes('reboot'))).toEqual([]);
    for (const entry of (await history(config))?.entries ?? []) expect(entry.image_path?.startsWith(join(config.output_dir, 'data'))).toBe(true);
  });

  it('does not start on an unusable output folder: one line naming the option, nothing written', async () => {
    const blocker = join(fx.dir, 'not-a-folder');
    await writeFile(blocker, 'x');
    const config = testConfig(fx.dir, [fx.sim], { output_dir: blocker });
    await expect(startTestCore(config)).rejects.toThrow(`option "output_dir": ${blocker} is not usable: it is not a directory`);
    expect(await readdir(config.api_dir)).toEqual([]);
    expect((await stat(blocker)).isFile()).toBe(true);
  });

  it('fails clearly when the output folder becomes unusable, and goes on to the next disc', async () => {
    const blocker = join(fx.dir, 'not-a-folder');
    const image = await makeDataIso(fx.dir, { label: 'NOWHERE', seed: 30 });
    const config = testConfig(fx.dir, [fx.sim], { output_dir: blocker });
    fx.core = await startTestCore(config);
    await waitForState(config, 'sim0', 'waiting_for_media');
    await rm(blocker, { recursive: true });
    await writeFile(blocker, 'x');
    await simInsert(fx.sim, image);
    await waitFor(async () => (await history(config))?.entries.length === 1);
    const entry = (await history(config))?.entries[0];
    expect(entry?.result).toBe('failed');
    expect(entry?.error_message).toMatch(/not-a-folder/);
    await waitForState(config, 'sim0', 'waiting_for_media');
    expect((await stat(blocker)).isFile()).toBe(true);
    await chmod(blocker, 0o644);
  });

  it('files a DVD-Video under dvd/ and records the method used (raw without libdvdcss)', async () => {
    const image = await makeDataIso(fx.dir, { label: 'MOVIE', seed: 40, extraDirs: ['VIDEO_TS', 'AUDIO_TS'] });
    const config = testConfig(fx.dir, [fx.sim], { dvd_video_mode: 'raw' });
    fx.core = await startTestCore(config);
    await waitForState(config, 'sim0', 'waiting_for_media');
    await simInsert(fx.sim, image);
    await waitFor(async () => (await history(config))?.entries.length === 1, { message: 'dvd copied' });
    const entry = (await history(config))?.entries[0];
    expect(entry?.disc_type).toBe('dvd-video');
    expect(entry?.method).toBe('raw');
    expect(entry?.image_path).toBe(join(config.output_dir, 'dvd', 'MOVIE.iso'));
    expect(await sameBytes(image, join(config.output_dir, 'dvd', 'MOVIE.iso'))).toBe(true);
  });
});

/**
 * disk2iso end to end on a real kernel CD-ROM driver: the core (`node dist/cli.js run`) runs in
 * the QEMU guest on /dev/sr0 with the Linux drive; the host plugs, fills, swaps, slows down, breaks
 * and unplugs the emulated drive through QMP, and checks the /data/api contract files and the
 * images (by checksum against the host's source image). One VM for all scenarios, in order.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeDataIso } from '../helpers/images.js';
import { waitFor } from '../helpers/wait.js';
import { GuestContract } from './lib/contract.js';
import { makeBluray, makeDvdVideo } from './lib/images.js';
import { Media, withReadErrors, writeBadSectorRules } from './lib/media.js';
import { bootCoreVm, reportDuration, WORK } from './lib/rig.js';
import { CDROM_ID, type Vm } from './lib/vm.js';

const SECTOR = 2048;
const BAD_SECTORS = [150, 151, 400];
let vm: Vm;
let media: Media;
let api: GuestContract;
const image: Record<string, string> = {};
const started = Date.now();

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

async function expectImageEqual(imagePath: string | null, source: string): Promise<void> {
  expect(imagePath).not.toBeNull();
  const copy = await api.outputFile(imagePath!);
  const original = await readFile(source);
  expect(copy?.length).toBe(original.length);
  expect(sha256(copy!)).toBe(sha256(original));
  const sidecar = await api.outputFile(`${imagePath!}.sha256`);
  expect(sidecar?.toString('utf8')).toContain(sha256(original));
}

async function trayOpened(since: number): Promise<void> {
  await vm.qmp.waitForEvent('DEVICE_TRAY_MOVED', (d) => d.id === CDROM_ID && d['tray-open'] === true, { since, timeoutMs: 180_000 });
}

beforeAll(async () => {
  const dir = join(WORK, 'core-images');
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const t = Date.now();
  image.a = await makeDataIso(dir, { label: 'RIG_ALPHA', bytes: 4 * 1024 * 1024, seed: 11 });
  image.b = await makeDataIso(dir, { label: 'RIG_BRAVO', bytes: 3 * 1024 * 1024, seed: 12 });
  image.c = await makeDataIso(dir, { label: 'RIG_CHARLIE', bytes: 3 * 1024 * 1024, seed: 13 });
  image.d = await makeDataIso(dir, { label: 'RIG_DELTA', bytes: 24 * 1024 * 1024, seed: 14 });
  image.e = await makeDataIso(dir, { label: 'RIG_ECHO', bytes: 2 * 1024 * 1024, seed: 15 });
  image.dvd = await makeDvdVideo(dir, 'RIG_DVD_VIDEO');
  image.bd = await makeBluray(dir, 'RIG_BLURAY', 'Rig Feature Film');
  reportDuration('core: disc images (incl. 2 UDF populate VMs)', t);
  const boot = Date.now();
  vm = await bootCoreVm({
    name: 'core',
    cdrom: null, // scenario f: the core starts with no drive at all
    options: { duplicate_policy: 'skip', read_retries: 1, on_read_error: 'keep_degraded' },
    // Scenario g: a hung drive ends the job after 10 s instead of the default 120 s.
    readTimeoutMs: 10_000,
  });
  media = new Media(vm);
  api = new GuestContract(vm);
  reportDuration('core: build + boot', boot);
});

afterAll(async () => {
  await vm?.stop();
  reportDuration('core: whole file', started);
});

describe('disk2iso core in a QEMU guest with a real kernel CD-ROM driver', () => {
  it('f: starts with no drive (waiting_for_drive), then a hot-plugged drive is detected', async () => {
    const t = Date.now();
    const status = await api.waitForCurrentState('waiting_for_drive');
    expect(status.drive).toMatchObject({ path: '/dev/sr0', present: false, simulated: false });
    const seq = await api.lastSeq();
    await media.plug(image.a!);
    const connected = await api.waitForEvent('drive_connected', seq);
    expect(connected.data).toMatchObject({ path: '/dev/sr0', vendor: 'QEMU', model: 'QEMU CD-ROM' });
    await api.waitForState('drive_detected', seq);
    expect((await api.status())?.drive).toMatchObject({ vendor: 'QEMU', model: 'QEMU CD-ROM', present: true });
    reportDuration('core f: no drive → hot-plugged drive detected', t);
  });

  it('a: the data disc in the plugged drive is copied; image and checksum equal the source', async () => {
    const t = Date.now();
    const entry = await api.waitForHistory('RIG_ALPHA', 0);
    expect(entry).toMatchObject({ result: 'success', disc_type: 'cd-rom', bad_sectors: 0 });
    await expectImageEqual(entry.image_path, image.a!);
    expect(entry.checksums.sha256).toBe(sha256(await readFile(image.a!)));
    const trail = await api.trail();
    expect(trail).toEqual(expect.arrayContaining(['waiting_for_drive', 'drive_detected', 'waiting_for_media', 'media_detected', 'analyzing', 'copying', 'completed']));
    expect(trail.indexOf('copying')).toBeLessThan(trail.indexOf('completed'));
    reportDuration('core a: copy 4 MiB data CD', t);
  });

  it('b: the app ejects after the copy (tray event), the next disc is copied', async () => {
    const t = Date.now();
    await trayOpened(0);
    await api.waitForCurrentState('waiting_for_media');
    const count = await api.historyCount();
    const since = vm.qmp.events.length;
    await media.insert(image.b!); // the tray closes with the new disc
    const entry = await api.waitForHistory('RIG_BRAVO', count);
    expect(entry.result).toBe('success');
    await expectImageEqual(entry.image_path, image.b!);
    await trayOpened(since);
    await api.waitForCurrentState('waiting_for_media');
    reportDuration('core b: eject + next disc', t);
  });

  it('b: a disc swapped while waiting_for_removal is noticed and copied', async () => {
    const t = Date.now();
    let seq = await api.lastSeq();
    const count = await api.historyCount();
    await media.insert(image.a!); // already archived: duplicate_policy skip → waiting_for_removal, not ejected
    await api.waitForEvent('copy_skipped', seq);
    await api.waitForCurrentState('waiting_for_removal');
    expect((await media.trayState()).trayOpen).toBe(false);
    seq = await api.lastSeq();
    await media.insert(image.c!); // tray open, swap, tray closed: within one poll interval
    await api.waitForState('idle', seq);
    const entry = await api.waitForHistory('RIG_CHARLIE', count + 1);
    expect(entry.result).toBe('success');
    await expectImageEqual(entry.image_path, image.c!);
    await api.waitForCurrentState('waiting_for_media');
    reportDuration('core b: swap while waiting_for_removal', t);
  });

  it('e: read errors at chosen sectors: rescue, bad sectors counted, degraded image kept, the job ends', async () => {
    const t = Date.now();
    const count = await api.historyCount();
    const rules = await writeBadSectorRules(join(WORK, 'core', 'bad-sectors.conf'), BAD_SECTORS);
    await media.insert(withReadErrors(image.e!, rules));
    const entry = await api.waitForHistory('RIG_ECHO', count);
    expect(entry.result).toBe('degraded');
    expect(entry.bad_sectors).toBe(BAD_SECTORS.length);
    const copy = await api.outputFile(entry.image_path!);
    const original = await readFile(image.e!);
    expect(copy?.length).toBe(original.length);
    // Every sector the drive could read is exact; the bad ones are filled.
    for (let sector = 0; sector * SECTOR < original.length; sector++) {
      if (BAD_SECTORS.includes(sector)) continue;
      const range = [sector * SECTOR, (sector + 1) * SECTOR] as const;
      if (!copy!.subarray(...range).equals(original.subarray(...range))) throw new Error(`sector ${sector} differs`);
    }
    await api.waitForCurrentState('waiting_for_media');
    console.log(`RIG core e: ${entry.bad_sectors} bad sectors, ranges ${JSON.stringify(entry.bad_ranges)}`);
    reportDuration('core e: damaged disc', t);
  });

  it('c: a DVD-sized UDF DVD-Video and a Blu-ray-sized BDMV disc are identified', async () => {
    const t = Date.now();
    expect((await api.command({ action: 'set_auto_copy', enabled: false })).status).toBe(200);
    let seq = await api.lastSeq();
    await media.insert(image.dvd!);
    await api.waitForState('waiting_for_metadata', seq);
    expect(await api.attributes()).toMatchObject({ disc_type: 'dvd-video', disc_label: 'RIG_DVD_VIDEO' });
    seq = await api.lastSeq();
    await media.insert(image.bd!); // swapped while waiting for a decision
    await api.waitForState('waiting_for_metadata', seq);
    const bd = await api.attributes();
    expect(bd).toMatchObject({ disc_type: 'bd-video' });
    expect(bd?.disc_label).toMatch(/Rig Feature Film|RIG_BLURAY/);
    seq = await api.lastSeq();
    await media.openTray();
    await media.removeMedium();
    await media.closeTray();
    await api.waitForState('waiting_for_media', seq);
    reportDuration('core c: DVD / Blu-ray identification', t);
  });

  it('d: the drive unplugged mid-copy → failed job, partial removed; plugged back → drive_detected', async () => {
    const t = Date.now();
    const count = await api.historyCount();
    // Auto-copy is still off (scenario c): the disc waits, the drive is slowed, then the copy starts.
    let seq = await api.lastSeq();
    await media.insert(image.d!);
    await api.waitForState('waiting_for_metadata', seq);
    await media.throttle(2 * 1024 * 1024);
    expect((await api.command({ action: 'set_auto_copy', enabled: true })).status).toBe(200);
    await api.waitForCurrentState('copying');
    await waitFor(async () => ((await api.progress())?.bytes_done ?? 0) >= 2 * 1024 * 1024, {
      timeoutMs: 120_000,
      intervalMs: 500,
      message: 'the copy to be under way',
    });
    const target = (await api.attributes())?.target_path ?? null;
    expect(target).not.toBeNull();
    expect(await api.outputFile(`${target!}.part`)).not.toBeNull();
    seq = await api.lastSeq();
    await media.unplug();
    await api.waitForState('waiting_for_drive', seq);
    const entry = await api.waitForHistory('RIG_DELTA', count);
    expect(entry.result).toBe('failed');
    expect(entry.error_message).toBeTruthy();
    for (const leftover of [target!, `${target!}.part`, `${target!}.part.map`]) expect(await api.outputFile(leftover)).toBeNull();
    expect((await api.status())?.drive.present).toBe(false);
    seq = await api.lastSeq();
    await media.plug(null);
    await api.waitForEvent('drive_connected', seq);
    await api.waitForState('drive_detected', seq);
    await api.waitForCurrentState('waiting_for_media');
    reportDuration('core d: unplug mid-copy, plug back', t);
  });

  it('g: the drive stops answering mid-copy (64 B/s) → "stopped responding at byte N", partial kept, resumed', async () => {
    const t = Date.now();
    const count = await api.historyCount();
    // As in d: the disc waits with auto-copy off while the drive is slowed, then the copy starts.
    expect((await api.command({ action: 'set_auto_copy', enabled: false })).status).toBe(200);
    const inserted = await api.lastSeq();
    await media.insert(image.d!);
    await api.waitForState('waiting_for_metadata', inserted);
    await media.throttle(2 * 1024 * 1024);
    expect((await api.command({ action: 'set_auto_copy', enabled: true })).status).toBe(200);
    await api.waitForCurrentState('copying');
    await waitFor(async () => ((await api.progress())?.bytes_done ?? 0) >= 2 * 1024 * 1024, {
      timeoutMs: 120_000,
      intervalMs: 500,
      message: 'the copy to be under way',
    });
    const target = (await api.attributes())?.target_path ?? null;
    expect(target).not.toBeNull();
    const failedAt = await api.lastSeq();
    await media.throttle(64);
    const entry = await api.waitForHistory('RIG_DELTA', count);
    expect(entry.result).toBe('failed');
    expect(entry.error_message).toMatch(/the drive stopped responding at byte \d+ \(a read timed out\); what was read is kept to resume$/);
    expect(entry.bad_sectors).toBe(0);
    expect(await api.outputFile(`${target!}.part`)).not.toBeNull();
    expect(await api.outputFile(`${target!}.part.map`)).not.toBeNull();
    expect(await api.outputFile(target!)).toBeNull();
    // The drive answers again: the stuck read returns, the drive is released; the same disc resumes.
    // Ejected after the error once the stuck read has returned: the drive then waits for a disc.
    await media.throttle(0);
    await api.waitForState('waiting_for_media', failedAt);
    const seq = await api.lastSeq();
    await media.insert(image.d!);
    const resumed = await api.waitForHistory('RIG_DELTA', count + 1);
    expect(resumed).toMatchObject({ result: 'success', image_path: target, bad_sectors: 0 });
    await expectImageEqual(resumed.image_path, image.d!);
    await api.waitForState('waiting_for_removal', seq);
    reportDuration('core g: drive stops answering mid-copy, resumed', t);
  });

  it('the core is still alive and healthy after all of it: heartbeat moving, two errors (the unplug, the hung drive)', async () => {
    const trail = await api.trail();
    const errors = trail.flatMap((state, i) => (state === 'error' ? [trail[i - 1]] : []));
    expect(errors).toEqual(['copying', 'copying']);
    const first = await api.status();
    expect(first?.state).toBe('waiting_for_media');
    await waitFor(async () => (await api.status())?.heartbeat !== first?.heartbeat, {
      timeoutMs: (first?.heartbeat_interval_s ?? 30) * 3000 + 30_000,
      intervalMs: 1000,
      message: 'the heartbeat to move',
    });
    console.log(`RIG core: state trail ${trail.join(' → ')}`);
  });
});

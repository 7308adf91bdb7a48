import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DriveReadError, SimulatedDrive, simInsert, simReset, trayImage, updateSimState } from '../../src/drive/index.js';
import { makeTempDir } from '../helpers/tmp.js';

describe('SimulatedDrive', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let folder: string;
  let image: string;
  let drive: SimulatedDrive;

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
    folder = join(dir, 'sim0');
    image = join(dir, 'disc.iso');
    const bytes = Buffer.alloc(2048 * 8);
    for (let i = 0; i < bytes.length; i++) bytes[i] = i % 251;
    await writeFile(image, bytes);
    await simReset(folder);
    drive = new SimulatedDrive('sim0', folder);
  });
  afterEach(async () => cleanup());

  it('goes through no disc → disc ok → tray open (eject) → no disc (close)', async () => {
    expect(await drive.status()).toBe('no_disc');
    await simInsert(folder, image);
    expect(await drive.status()).toBe('disc_ok');
    expect(await drive.discKind()).toBe('data');
    expect((await drive.toc())?.leadOut).toBe(8);
    await drive.eject();
    expect(await drive.status()).toBe('tray_open');
    expect(await trayImage(folder)).toBeNull();
    await drive.closeTray();
    expect(await drive.status()).toBe('no_disc');
    expect((await drive.identity()).simulated).toBe(true);
  });

  it('reads the image and fails with EIO exactly on injected bad sectors', async () => {
    await simInsert(folder, image, { bad_sectors: [3] });
    const reader = await drive.open();
    const buffer = Buffer.alloc(2048 * 2);
    expect(await reader.read(buffer, 0, buffer.length)).toBe(buffer.length);
    expect(buffer[2049]).toBe(2049 % 251);
    const failure = await reader.read(buffer, 2048 * 2, 4096).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(DriveReadError);
    expect((failure as DriveReadError).code).toBe('EIO');
    expect((failure as DriveReadError).position).toBe(3 * 2048);
    expect(await reader.read(buffer, 2048 * 8, 4096)).toBe(0);
    await reader.close();
  });

  it('reports an unplugged drive as absent and fails reads as gone', async () => {
    await simInsert(folder, image);
    const reader = await drive.open();
    await updateSimState(folder, { unplugged: true });
    expect(await drive.status()).toBe('absent');
    await new Promise((r) => setTimeout(r, 250));
    const failure = (await reader.read(Buffer.alloc(2048), 0, 2048).catch((e: unknown) => e)) as DriveReadError;
    expect(failure.isGone).toBe(true);
    await reader.close();
    await expect(drive.eject()).rejects.toThrow(/eject on sim:.* failed: ENOENT/);
  });

  it('keeps the disc in when the eject is made to fail', async () => {
    await simInsert(folder, image, { eject_fails: true });
    await expect(drive.eject()).rejects.toThrow(/EIO/);
    expect(await drive.status()).toBe('disc_ok');
  });
});

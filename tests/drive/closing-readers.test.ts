import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeWithin, SimulatedDrive, simInsert, simReset, updateSimState } from '../../src/drive/index.js';
import { makeTempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait.js';

describe('a read stuck in the drive', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let folder: string;
  let drive: SimulatedDrive;

  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
    folder = join(dir, 'sim0');
    const image = join(dir, 'disc.iso');
    await writeFile(image, Buffer.alloc(2048 * 64, 7));
    await simReset(folder);
    await simInsert(folder, image, { hang_at_byte: 2048 * 32 });
    drive = new SimulatedDrive('sim0', folder);
  });
  afterEach(async () => cleanup());

  it('lets the job give up at once, and keeps eject and open off the drive until the read has returned', async () => {
    const order: string[] = [];
    const reader = await drive.open();
    const buffer = Buffer.alloc(2048 * 4);
    expect(await reader.read(buffer, 0, buffer.length)).toBe(buffer.length);
    const stuck = reader.read(buffer, 2048 * 30, buffer.length).then((n) => order.push(`read ${n}`));

    // The job's close gives up after a moment; the close itself goes on in the background.
    expect(await closeWithin(reader, 50)).toBe(false);
    order.push('job ended');
    const ejected = drive.eject().then(() => order.push('eject'));

    // The drive answers again: the read returns, the reader closes, and only then the eject runs.
    await updateSimState(folder, { hang_at_byte: null });
    await Promise.all([stuck, ejected]);
    expect(order).toEqual(['job ended', `read ${buffer.length}`, 'eject']);
    await waitFor(async () => (await drive.status()) === 'tray_open', { message: 'tray open' });
  });

  it('opens the next reader only after a stuck one has closed', async () => {
    const order: string[] = [];
    const reader = await drive.open();
    const stuck = reader.read(Buffer.alloc(2048), 2048 * 40, 2048).then(() => order.push('read'));
    expect(await closeWithin(reader, 50)).toBe(false);
    const reopened = drive.open().then(async (next) => {
      order.push('open');
      await next.close();
    });
    await updateSimState(folder, { hang_at_byte: null });
    await Promise.all([stuck, reopened]);
    expect(order).toEqual(['read', 'open']);
  });

  it('closes at once when no read is in flight', async () => {
    const reader = await drive.open();
    expect(await closeWithin(reader, 1000)).toBe(true);
    await drive.eject();
    expect(await drive.status()).toBe('tray_open');
  });
});

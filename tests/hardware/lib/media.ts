import { writeFile } from 'node:fs/promises';
import { CDROM_ID, SCSI_BUS, type Vm } from './vm.js';

/** blkdebug rules making every read that touches one of the 2048-byte `sectors` fail with EIO. */
export async function writeBadSectorRules(path: string, sectors: readonly number[]): Promise<string> {
  // blkdebug counts 512-byte sectors; a rule fires for a request that overlaps its sector.
  const rules = sectors.map((s) => `[inject-error]\nevent = "read_aio"\nerrno = "5"\nsector = "${s * 4}"\nonce = "off"\n`);
  await writeFile(path, rules.join('\n'));
  return path;
}

/** `blkdebug:<rules>:<image>`: the image with the rules' read errors. */
export function withReadErrors(image: string, rulesPath: string): string {
  return `blkdebug:${rulesPath}:${image}`;
}

/**
 * Steers the emulated drive from the host, the way a person at the machine would: open and close
 * the tray, swap the disc, pull the drive out and plug one in, slow the drive down.
 */
export class Media {
  #plugCount = 0;

  constructor(private readonly vm: Vm) {}

  /** Opens the tray (force: even when the guest has locked the door). */
  async openTray(force = true): Promise<void> {
    const since = this.vm.qmp.events.length;
    await this.vm.qmp.execute('blockdev-open-tray', { id: CDROM_ID, force });
    await this.vm.qmp.waitForEvent('DEVICE_TRAY_MOVED', (d) => d.id === CDROM_ID && d['tray-open'] === true, { since, timeoutMs: 30_000 });
  }

  async closeTray(): Promise<void> {
    await this.vm.qmp.execute('blockdev-close-tray', { id: CDROM_ID });
  }

  async removeMedium(): Promise<void> {
    await this.vm.qmp.execute('blockdev-remove-medium', { id: CDROM_ID });
  }

  /** Opens the tray, puts `filename` in (a path or a `blkdebug:` URL) and closes the tray. */
  async insert(filename: string): Promise<void> {
    await this.vm.qmp.execute('blockdev-change-medium', {
      id: CDROM_ID,
      filename,
      format: 'raw',
      'read-only-mode': 'read-only',
      force: true,
    });
  }

  /** Read throttle of the drive in bytes per second (0 lifts it). */
  async throttle(bytesPerSecond: number): Promise<void> {
    await this.vm.qmp.execute('block_set_io_throttle', {
      id: CDROM_ID,
      bps: 0,
      bps_rd: bytesPerSecond,
      bps_wr: 0,
      iops: 0,
      iops_rd: 0,
      iops_wr: 0,
    });
  }

  /** Hot-unplugs the drive (the guest's /dev/sr0 vanishes). */
  async unplug(): Promise<void> {
    const since = this.vm.qmp.events.length;
    await this.vm.qmp.execute('device_del', { id: CDROM_ID });
    await this.vm.qmp.waitForEvent('DEVICE_DELETED', (d) => d.device === CDROM_ID, { since, timeoutMs: 60_000 });
  }

  /** Hot-plugs a drive with `image` inserted (null: empty) as `cdrom0` on the SCSI bus. */
  async plug(image: string | null): Promise<void> {
    const properties: Record<string, unknown> = { driver: 'scsi-cd', id: CDROM_ID, bus: SCSI_BUS };
    if (image !== null) {
      const node = `cdnode${++this.#plugCount}`;
      await this.vm.qmp.execute('blockdev-add', {
        'node-name': node,
        driver: 'raw',
        'read-only': true,
        file: { driver: 'file', filename: image, 'read-only': true },
      });
      properties.drive = node;
    }
    await this.vm.qmp.execute('device_add', properties);
  }

  /** Bytes the guest has read from the drive so far (QEMU's block statistics). */
  async bytesRead(): Promise<number> {
    const stats = await this.vm.qmp.execute<{ qdev?: string; stats: { rd_bytes: number } }[]>('query-blockstats');
    const drive = stats.find((b) => b.qdev === CDROM_ID || b.qdev?.endsWith(`/${CDROM_ID}`));
    return drive?.stats.rd_bytes ?? 0;
  }

  /** Whether the tray is open and whether a medium is in, as QEMU sees it. */
  async trayState(): Promise<{ trayOpen: boolean; inserted: boolean; locked: boolean }> {
    const blocks = await this.vm.qmp.execute<{ qdev?: string; tray_open?: boolean; inserted?: unknown; locked?: boolean }[]>('query-block');
    const drive = blocks.find((b) => b.qdev === CDROM_ID || b.qdev?.endsWith(`/${CDROM_ID}`));
    if (!drive) throw new Error('no cdrom0 in query-block');
    return { trayOpen: drive.tray_open === true, inserted: drive.inserted !== undefined, locked: drive.locked === true };
  }
}

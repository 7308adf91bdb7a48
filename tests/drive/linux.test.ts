import { closeSync, constants, openSync, readdirSync, writeSync } from 'node:fs';
import { readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import koffi from 'koffi';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DriveOperationError, DriveReadError } from '../../src/drive/index.js';
import { cdrom, ioctl, LinuxDrive, OpLane } from '../../src/drive/linux/index.js';
import { skipUnlessCi } from '../helpers/ci.js';
import { makeTempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait.js';

let dir = '';
let cleanup: () => Promise<void> = async () => {};
beforeEach(async () => {
  ({ dir, cleanup } = await makeTempDir('disk2iso-linux-'));
});
afterEach(async () => {
  await cleanup();
});

const openFds = (): number => readdirSync('/proc/self/fd').length;

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('LinuxDrive without a drive', () => {
  it('reports a missing node as absent and refuses operations with ENOENT', async () => {
    const drive = new LinuxDrive(join(dir, 'sr9'));
    expect(drive.id).toBe('sr9');
    expect(await drive.status()).toBe('absent');
    expect(await drive.discKind()).toBe('unknown');
    expect(await drive.toc()).toBeNull();
    expect(await drive.identity()).toEqual({ path: join(dir, 'sr9'), vendor: null, model: null, simulated: false });
    for (const operation of [drive.eject(), drive.closeTray(), drive.setLocked(true)]) {
      const error = await rejection(operation);
      expect(error).toBeInstanceOf(DriveOperationError);
      expect((error as DriveOperationError).code).toBe('ENOENT');
    }
    const error = await rejection(drive.open());
    expect(error).toBeInstanceOf(DriveReadError);
    expect((error as DriveReadError).isGone).toBe(true);
  });

  it('notices the node appearing and disappearing', async () => {
    const path = join(dir, 'sr0');
    const drive = new LinuxDrive(path, 'drive-a');
    expect(drive.id).toBe('drive-a');
    expect(await drive.status()).toBe('absent');
    await writeFile(path, 'x');
    expect(await rejection(drive.status())).toBeInstanceOf(DriveOperationError); // present, but no CD drive
    await cleanup();
    expect(await drive.status()).toBe('absent');
  });
});

describe('LinuxDrive on things that are not CD drives (ioctl fails with ENOTTY)', () => {
  for (const target of ['regular file', '/dev/null'] as const) {
    it(`${target}: status is a clear error, no crash, no descriptor leak`, async () => {
      const path = target === 'regular file' ? join(dir, 'image.iso') : target;
      if (target === 'regular file') await writeFile(path, Buffer.alloc(8192, 7));
      const drive = new LinuxDrive(path);
      const before = openFds();
      const error = await rejection(drive.status());
      expect(error).toBeInstanceOf(DriveOperationError);
      expect((error as DriveOperationError).code).toBe('ENOTTY');
      expect((error as DriveOperationError).operation).toBe('status');
      expect(await drive.discKind()).toBe('unknown');
      expect(await drive.toc()).toBeNull();
      for (const [operation, promise] of [['eject', drive.eject()], ['close tray', drive.closeTray()], ['lock door', drive.setLocked(true)]] as const) {
        const failure = await rejection(promise);
        expect(failure).toBeInstanceOf(DriveOperationError);
        expect(failure).toMatchObject({ code: 'ENOTTY', operation });
      }
      expect(openFds()).toBe(before);
    });
  }

  it('reads a regular file through the reader at the asked positions', async () => {
    const path = join(dir, 'image.iso');
    const content = Buffer.alloc(5 * 2048 + 100);
    for (let i = 0; i < content.length; i++) content[i] = (i * 31) & 0xff;
    await writeFile(path, content);
    const reader = await new LinuxDrive(path).open();
    expect(reader.sizeBytes).toBe(content.length);
    expect(reader.devicePath).toBe(path);
    const buffer = Buffer.alloc(4096);
    expect(await reader.read(buffer, 2048, 4096)).toBe(4096);
    expect(buffer.equals(content.subarray(2048, 6144))).toBe(true);
    expect(await reader.read(buffer, 5 * 2048, 4096)).toBe(100);
    expect(await reader.read(buffer, content.length, 4096)).toBe(0);
    await reader.close();
    const error = await rejection(reader.read(buffer, 0, 2048));
    expect(error).toBeInstanceOf(DriveReadError);
  });

  it('a medium that vanishes under an open reader is an error, not an early end', async () => {
    const path = join(dir, 'shrinking.iso');
    await writeFile(path, Buffer.alloc(8 * 2048, 1));
    const reader = await new LinuxDrive(path).open();
    const buffer = Buffer.alloc(2048);
    expect(await reader.read(buffer, 0, 2048)).toBe(2048);
    await truncate(path, 0); // what a block device looks like after the kernel dropped the disc
    expect(await rejection(reader.read(buffer, 4096, 2048))).toMatchObject({ code: 'ENOMEDIUM', position: 4096 });
    await rm(path); // and after the drive was unplugged: no node any more
    const gone = await rejection(reader.read(buffer, 4096, 2048));
    expect(gone).toMatchObject({ code: 'ENODEV', position: 4096 });
    expect((gone as DriveReadError).isGone).toBe(true);
    await reader.close();
  });

  it('on a loop device: size from BLKGETSIZE64, CD ioctls refused, reads exact', async (context) => {
    const image = join(dir, 'loop.img');
    const content = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < content.length; i += 512) content.writeUInt32LE(i, i);
    await writeFile(image, content);
    let loop = '';
    try {
      loop = (await execa('losetup', ['--find', '--show', '--read-only', image])).stdout.trim();
    } catch {
      skipUnlessCi(context, 'no loop devices on this machine');
    }
    try {
      const drive = new LinuxDrive(loop);
      const error = await rejection(drive.status());
      expect(error).toBeInstanceOf(DriveOperationError);
      expect(['ENOTTY', 'EINVAL']).toContain((error as DriveOperationError).code);
      expect(await drive.toc()).toBeNull();
      const reader = await drive.open();
      expect(reader.sizeBytes).toBe(content.length);
      const buffer = Buffer.alloc(65_536);
      expect(await reader.read(buffer, 512 * 1024, 65_536)).toBe(65_536);
      expect(buffer.equals(content.subarray(512 * 1024, 512 * 1024 + 65_536))).toBe(true);
      await reader.close();
      const out = Buffer.alloc(8);
      const fd = openSync(loop, constants.O_RDONLY);
      try {
        expect((await ioctl(fd, cdrom.BLKGETSIZE64, out)).result).toBe(0);
      } finally {
        closeSync(fd);
      }
      expect(Number(out.readBigUInt64LE(0))).toBe(content.length);
    } finally {
      await execa('losetup', ['--detach', loop]);
    }
  });
});

describe('time-outs: a blocked call never blocks the process', () => {
  it('open() of a node that blocks (a FIFO without writer) times out, the lane recovers, no fd leaks', async () => {
    const fifo = join(dir, 'fifo');
    await execa('mkfifo', [fifo]);
    const before = openFds();
    const drive = new LinuxDrive(fifo, 'fifo', { timeouts: { open: 300, status: 60_000 } });
    const opening = rejection(drive.open());
    // While open() is stuck in the kernel (until a writer comes), the loop and the thread pool work.
    await writeFile(join(dir, 'probe'), 'ok');
    expect(await readFile(join(dir, 'probe'), 'utf8')).toBe('ok');
    const error = await opening;
    expect(error).toBeInstanceOf(DriveOperationError);
    expect(error).toMatchObject({ code: 'ETIMEDOUT', operation: 'open' });
    // The open is still pending in the kernel: the next control operation fails fast.
    const fast = await rejection(drive.status());
    expect(fast).toMatchObject({ code: 'ETIMEDOUT', operation: 'status' });
    // A writer arrives: the stuck open returns, its descriptor is closed, the lane works again.
    const writer = openSync(fifo, constants.O_RDWR);
    try {
      await waitFor(async () => ((await rejection(drive.status())) as DriveOperationError).code === 'ENOTTY', {
        message: 'status to work again (ENOTTY on a FIFO)',
      });
    } finally {
      closeSync(writer);
    }
    await waitFor(() => openFds() === before, { message: 'no leaked descriptors' });
  });

  it('a hung ioctl-like call on a worker thread times out while the loop stays responsive', async () => {
    const libc = koffi.load(null);
    const read = libc.func('long read(int fd, void *buf, unsigned long count)') as unknown as {
      async(fd: number, buf: Buffer, count: number, cb: (error: unknown, result: unknown) => void): void;
    };
    const fifo = join(dir, 'pipe');
    await execa('mkfifo', [fifo]);
    const fd = openSync(fifo, constants.O_RDWR); // O_RDWR on a FIFO never blocks on Linux
    const lane = new OpLane('/dev/test');
    const buffer = Buffer.alloc(16);
    let returned = false;
    const blocking = lane.run('status', 200, () =>
      new Promise<number>((resolve) =>
        read.async(fd, buffer, 16, (_e, r) => {
          returned = true;
          resolve(Number(r));
        }),
      ),
    );
    // The loop and the thread pool go on while the read blocks.
    await sleep(5);
    expect((await readFile('/proc/self/stat', 'utf8')).length).toBeGreaterThan(0);
    expect(await rejection(blocking)).toMatchObject({ code: 'ETIMEDOUT', operation: 'status' });
    expect(lane.hung?.operation).toBe('status');
    expect(returned).toBe(false);
    // While hung: fail fast, and a queued task is not started.
    let started = false;
    expect(
      await rejection(
        lane.run('eject', 60_000, () => {
          started = true;
          return Promise.resolve(1);
        }),
      ),
    ).toMatchObject({ code: 'ETIMEDOUT', operation: 'eject' });
    expect(started).toBe(false);
    // A clean-up marked mustRun waits for the hung call and then runs.
    const cleanupRan = lane.run('close', 60_000, () => Promise.resolve('closed'), { mustRun: true });
    writeSync(fd, 'x');
    expect(await cleanupRan).toBe('closed');
    expect(returned).toBe(true);
    expect(lane.hung).toBeNull();
    expect(await lane.run('status', 1000, () => Promise.resolve(42))).toBe(42);
    closeSync(fd);
  });

  it('a task that times out while queued is never started; the next one runs', async () => {
    const lane = new OpLane('/dev/test');
    let release: () => void = () => {};
    const first = lane.run('toc', 60_000, () => new Promise<string>((resolve) => (release = () => resolve('first'))));
    let secondStarted = false;
    const second = lane.run('status', 50, () => {
      secondStarted = true;
      return Promise.resolve('second');
    });
    expect(await rejection(second)).toMatchObject({ code: 'ETIMEDOUT' });
    release();
    expect(await first).toBe('first');
    expect(await lane.run('status', 1000, () => Promise.resolve('third'))).toBe('third');
    expect(secondStarted).toBe(false);
  });

  it('a task error reaches the caller unchanged', async () => {
    const lane = new OpLane('/dev/test');
    const error = new DriveOperationError('/dev/test', 'eject', 'EIO');
    expect(await rejection(lane.run('eject', 1000, () => Promise.reject(error)))).toBe(error);
    expect(lane.hung).toBeNull();
  });
});

/**
 * CPU time of one LinuxDrive.status() poll — what the core pays every poll interval per drive.
 * Target (SPEC §3, §10): well under 100 µs per poll, so idle polling stays far below 1 % CPU.
 * The host has no CD drive: /dev/null stands in (the ioctl fails with ENOTTY, so the figure
 * includes building the error), plus the skeleton status() runs on a real drive — open, two
 * ioctls (CDROM_DRIVE_STATUS, CDROM_MEDIA_CHANGED), close — with ioctls that succeed (FIONREAD
 * on a file). The figure on a real /dev/sr0 in the QEMU guest is printed by
 * `npm run test:hardware` (tests/hardware/drive.test.ts).
 */
import { close, constants, open } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DriveOperationError } from '../src/drive/index.js';
import { ioctl, LinuxDrive } from '../src/drive/linux/index.js';

const POLLS = 10_000;
const FIONREAD = 0x541b;
const openFd = promisify(open);
const closeFd = promisify(close);
let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'disk2iso-bench-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function measure(name: string, poll: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 500; i++) await poll(); // warm-up (JIT, koffi's async pool)
  const before = process.cpuUsage();
  const started = process.hrtime.bigint();
  for (let i = 0; i < POLLS; i++) await poll();
  const cpu = process.cpuUsage(before);
  const wall = Number(process.hrtime.bigint() - started) / 1000;
  const perPoll = (cpu.user + cpu.system) / POLLS;
  console.log(`${name}: ${perPoll.toFixed(1)} µs CPU/poll (${(wall / POLLS).toFixed(1)} µs wall) over ${POLLS} polls — target < 100 µs`);
  return perPoll;
}

it('status() on a node whose ioctl fails (ENOTTY): full path incl. error objects', async () => {
  const drive = new LinuxDrive('/dev/null');
  let code = '';
  const perPoll = await measure('status() on /dev/null (ENOTTY)', () =>
    drive.status().catch((error: unknown) => {
      code = error instanceof DriveOperationError ? error.code : 'other';
    }),
  );
  expect(code).toBe('ENOTTY');
  expect(perPoll).toBeGreaterThan(0);
  const idlePercent = (perPoll / 2_000_000) * 100;
  console.log(`idle polling at the default media interval (2 s): ${idlePercent.toFixed(4)} % of one core per drive — target < 0.5 %`);
});

it('the poll skeleton of a real drive: open(O_NONBLOCK) + 2 ioctls on a worker + close', async () => {
  const file = join(dir, 'file');
  await writeFile(file, 'x'.repeat(100));
  const out = Buffer.alloc(4);
  const perPoll = await measure('open + 2 ioctls (success) + close, as status() on a drive', async () => {
    const fd = await openFd(file, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      await ioctl(fd, FIONREAD, out);
      await ioctl(fd, FIONREAD, out);
    } finally {
      await closeFd(fd);
    }
  });
  expect(out.readInt32LE(0)).toBe(100);
  expect(perPoll).toBeGreaterThan(0);
});

it('status() of a drive that is not there (absent: one stat, no ioctl)', async () => {
  const drive = new LinuxDrive(join(dir, 'sr9'));
  let status = '';
  const perPoll = await measure('status() of an absent drive', async () => {
    status = await drive.status();
  });
  expect(status).toBe('absent');
  expect(perPoll).toBeGreaterThan(0);
});

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  buildToc,
  cdrom,
  cleanInquiryString,
  discKindFromCode,
  driveStatusFromCode,
  errnoName,
  isGoneCode,
  systemErrorCode,
  parseTocEntry,
  parseTocHeader,
  readSysfsIdentity,
  splitDevT,
  tocEntryRequest,
} from '../../src/drive/linux/index.js';
import { skipUnlessCi } from '../helpers/ci.js';
import { makeTempDir } from '../helpers/tmp.js';

describe('ioctl result decoding', () => {
  it('maps every CDROM_DRIVE_STATUS code', () => {
    expect(driveStatusFromCode(cdrom.CDS_NO_INFO)).toBe('not_ready');
    expect(driveStatusFromCode(cdrom.CDS_NO_DISC)).toBe('no_disc');
    expect(driveStatusFromCode(cdrom.CDS_TRAY_OPEN)).toBe('tray_open');
    expect(driveStatusFromCode(cdrom.CDS_DRIVE_NOT_READY)).toBe('not_ready');
    expect(driveStatusFromCode(cdrom.CDS_DISC_OK)).toBe('disc_ok');
    expect(driveStatusFromCode(77)).toBe('not_ready');
  });

  it('maps every CDROM_DISC_STATUS code', () => {
    expect(discKindFromCode(cdrom.CDS_AUDIO)).toBe('audio');
    for (const code of [cdrom.CDS_DATA_1, cdrom.CDS_DATA_2, cdrom.CDS_XA_2_1, cdrom.CDS_XA_2_2]) {
      expect(discKindFromCode(code)).toBe('data');
    }
    expect(discKindFromCode(cdrom.CDS_MIXED)).toBe('mixed');
    for (const code of [cdrom.CDS_NO_INFO, cdrom.CDS_NO_DISC, cdrom.CDS_TRAY_OPEN, 106, -1]) {
      expect(discKindFromCode(code)).toBe('unknown');
    }
  });

  it('names errno values the way Node names system errors', () => {
    expect(errnoName(5)).toBe('EIO');
    expect(errnoName(123)).toBe('ENOMEDIUM');
    expect(errnoName(16)).toBe('EBUSY');
    expect(errnoName(25)).toBe('ENOTTY');
    expect(errnoName(11)).toBe('EAGAIN');
    expect(errnoName(99_999)).toBe('ERRNO_99999');
    expect(isGoneCode('ENOENT') && isGoneCode('ENXIO') && isGoneCode('ENODEV')).toBe(true);
    expect(isGoneCode('EIO') || isGoneCode(undefined)).toBe(false);
  });

  it('names errors Node reports as UNKNOWN (ENOMEDIUM: an empty drive)', () => {
    expect(systemErrorCode(Object.assign(new Error('x'), { code: 'UNKNOWN', errno: -123 }))).toBe('ENOMEDIUM');
    expect(systemErrorCode(Object.assign(new Error('x'), { code: 'Unknown system error -123', errno: -123 }))).toBe('ENOMEDIUM');
    expect(systemErrorCode(Object.assign(new Error('x'), { code: 'EIO', errno: -5 }))).toBe('EIO');
    expect(systemErrorCode(Object.assign(new Error('x'), { code: 'ETIMEDOUT' }))).toBe('ETIMEDOUT');
    expect(systemErrorCode(new Error('plain'))).toBeUndefined();
    expect(systemErrorCode('EIO')).toBeUndefined();
  });
});

describe('TOC decoding', () => {
  const entry = (track: number, ctrl: number, lba: number): Buffer => {
    const buffer = tocEntryRequest(track);
    buffer.writeUInt8((ctrl << 4) | 1, 1); // adr 1 in the low nibble, ctrl in the high one
    buffer.writeInt32LE(lba, 4);
    return buffer;
  };

  it('builds the request the kernel expects: track, LBA format, 12 bytes', () => {
    const request = tocEntryRequest(cdrom.CDROM_LEADOUT);
    expect(request.length).toBe(12);
    expect(request[0]).toBe(0xaa);
    expect(request[2]).toBe(cdrom.CDROM_LBA);
  });

  it('decodes a mixed-mode disc (data track first, then audio)', () => {
    const header = parseTocHeader(Buffer.from([1, 3]));
    expect(header).toEqual({ first: 1, last: 3 });
    const entries = [entry(1, 4, 0), entry(2, 0, 20_000), entry(3, 0, 35_000)].map((b) => parseTocEntry(b));
    const leadOut = parseTocEntry(entry(0xaa, 0, 50_000));
    expect(entries.every((e) => e !== null) && leadOut !== null).toBe(true);
    const toc = buildToc(header!, entries.filter((e) => e !== null), leadOut!);
    expect(toc).toEqual({
      firstTrack: 1,
      lastTrack: 3,
      tracks: [
        { number: 1, start: 0, type: 'data' },
        { number: 2, start: 20_000, type: 'audio' },
        { number: 3, start: 35_000, type: 'audio' },
      ],
      leadOut: 50_000,
    });
  });

  it('rejects hostile or broken TOC data instead of passing it on', () => {
    expect(parseTocHeader(Buffer.from([3, 1]))).toBeNull();
    expect(parseTocHeader(Buffer.from([0, 1]))).toBeNull();
    expect(parseTocHeader(Buffer.from([1, 100]))).toBeNull();
    expect(parseTocHeader(Buffer.from([1]))).toBeNull();
    const msf = entry(1, 4, 0);
    msf.writeUInt8(2, 2); // CDROM_MSF: not what was asked for
    expect(parseTocEntry(msf)).toBeNull();
    expect(parseTocEntry(Buffer.alloc(4))).toBeNull();
    const header = { first: 1, last: 2 };
    const leadOut = parseTocEntry(entry(0xaa, 0, 900))!;
    expect(buildToc(header, [parseTocEntry(entry(1, 0, 500))!, parseTocEntry(entry(2, 0, 100))!], leadOut)).toBeNull();
    expect(buildToc(header, [parseTocEntry(entry(1, 0, -5))!], leadOut)).toBeNull();
    expect(buildToc(header, [parseTocEntry(entry(1, 0, 1000))!], leadOut)).toBeNull();
    expect(buildToc(header, [], leadOut)).toBeNull();
  });
});

describe('sysfs identity', () => {
  let dir = '';
  let cleanup: () => Promise<void> = async () => {};
  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir('disk2iso-sysfs-'));
  });
  afterEach(async () => {
    await cleanup();
  });

  it('splits dev_t like glibc', () => {
    expect(splitDevT(0x0b00)).toEqual({ major: 11, minor: 0 });
    expect(splitDevT(0x0b01)).toEqual({ major: 11, minor: 1 });
    // makedev(259, 0x12345): minor bits 8+ live above the major.
    expect(splitDevT((0x45 | (259 << 8) | (0x12300 << 12)) >>> 0)).toEqual({ major: 259, minor: 0x12345 });
  });

  it('cleans INQUIRY strings: padding, control characters, length', () => {
    expect(cleanInquiryString('QEMU    \n')).toBe('QEMU');
    expect(cleanInquiryString('HL-DT-ST\x00\x1b[31m DVDRAM  GH24NSD1 ')).toBe('HL-DT-ST [31m DVDRAM GH24NSD1');
    expect(cleanInquiryString('   \n')).toBeNull();
    expect(cleanInquiryString('x'.repeat(500))?.length).toBe(64);
  });

  it('reads vendor and model of the named device from a sysfs tree', async () => {
    const device = join(dir, 'sys', 'block', 'sr0', 'device');
    await mkdir(device, { recursive: true });
    await writeFile(join(device, 'vendor'), 'QEMU    \n');
    await writeFile(join(device, 'model'), 'QEMU DVD-ROM    \n');
    // The node does not exist here: the name is taken from the path.
    expect(await readSysfsIdentity(join(dir, 'dev', 'sr0'), join(dir, 'sys'))).toEqual({ vendor: 'QEMU', model: 'QEMU DVD-ROM' });
    expect(await readSysfsIdentity(join(dir, 'dev', 'sr1'), join(dir, 'sys'))).toEqual({ vendor: null, model: null });
  });

  it('follows the device number of a block device (any symlink name works)', async (ctx) => {
    // /dev/loop0 is block major 7 minor 0 when the host has loop devices; fake its sysfs entry.
    const { statSync } = await import('node:fs');
    const info = statSync('/dev/loop0', { throwIfNoEntry: false });
    if (info === undefined || !info.isBlockDevice()) return skipUnlessCi(ctx, 'no block device /dev/loop0 on this machine');
    const { major, minor } = splitDevT(info.rdev);
    const device = join(dir, 'sys', 'dev', 'block', `${major}:${minor}`, 'device');
    await mkdir(device, { recursive: true });
    await writeFile(join(device, 'vendor'), 'ASUS\n');
    await writeFile(join(device, 'model'), 'BW-16D1HT\n');
    expect(await readSysfsIdentity('/dev/loop0', join(dir, 'sys'))).toEqual({ vendor: 'ASUS', model: 'BW-16D1HT' });
  });
});

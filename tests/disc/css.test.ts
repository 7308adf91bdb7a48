import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileSectorSource, identifyDisc, type SectorSource } from '../../src/disc/index.js';
import { isScrambledSector } from '../../src/disc/css.js';
import { fileExtent, makeDvdVideo, scrambledCopy } from '../helpers/dvd-video.js';
import { makeDataIso } from '../helpers/images.js';
import { makeTempDir } from '../helpers/tmp.js';

/** A 2048-byte MPEG-2 pack: pack header, then a PES header of `stream` with `flags` at 0x14. */
function pack(stream: number, flags: number, stuffing = 0): Buffer {
  const sector = Buffer.alloc(2048);
  sector.writeUInt32BE(0x000001ba, 0);
  sector[4] = 0x44;
  sector[0x0d] = 0xf8 | stuffing;
  const pes = 0x0e + stuffing;
  sector.writeUInt32BE(0x00000100 | stream, pes);
  sector[pes + 6] = flags;
  return sector;
}

describe('isScrambledSector', () => {
  it('is true only for a pack whose PES scrambling control bits are set', () => {
    expect(isScrambledSector(pack(0xe0, 0x80))).toBe(false);
    expect(isScrambledSector(pack(0xe0, 0x90))).toBe(true);
    expect(isScrambledSector(pack(0xbd, 0xa0))).toBe(true);
    expect(isScrambledSector(pack(0xe0, 0x90, 3))).toBe(true);
    expect(isScrambledSector(pack(0xe0, 0x80, 3))).toBe(false);
  });

  it('ignores navigation, padding and system-header packs and anything that is not a pack', () => {
    for (const stream of [0xbb, 0xbe, 0xbf]) expect(isScrambledSector(pack(stream, 0x30))).toBe(false);
    const notPack = pack(0xe0, 0x90);
    notPack[3] = 0xb3;
    expect(isScrambledSector(notPack)).toBe(false);
    expect(isScrambledSector(pack(0xe0, 0x90).subarray(0, 100))).toBe(false);
  });
});

describe('identifyDisc: CSS sampling of a DVD-Video', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let clear: string;
  let scrambled: string;
  beforeAll(async () => {
    ({ dir, cleanup } = await makeTempDir());
    clear = (await makeDvdVideo(dir)).iso;
    scrambled = await scrambledCopy(clear, join(dir, 'scrambled.iso'));
  });
  afterAll(async () => {
    await cleanup();
  });

  const identify = (read: SectorSource, mediumBytes = 0) => identifyDisc(read, { discKind: 'data', toc: null, mediumBytes });

  it('an authored (unencrypted) DVD-Video reads as clear, a scrambled one as encrypted', async () => {
    expect(await identify(fileSectorSource(clear))).toMatchObject({ type: 'dvd-video', cssEncrypted: false });
    expect(await identify(fileSectorSource(scrambled))).toMatchObject({ type: 'dvd-video', cssEncrypted: true });
  });

  it('a read error in the title VOB counts as possibly encrypted', async () => {
    const plain = fileSectorSource(clear);
    const probe = await identify(plain);
    expect(probe.cssEncrypted).toBe(false);
    // The drive refuses the VOB's sectors (as one does for CSS sectors before authentication).
    const vob = await fileExtent(clear, '/VIDEO_TS/VTS_01_1.VOB');
    const locked: SectorSource = async (lba, count) => {
      if (lba + count > vob.lba && lba < vob.lba + vob.sectors) throw new Error('EIO');
      return plain(lba, count);
    };
    expect(await identify(locked)).toMatchObject({ type: 'dvd-video', cssEncrypted: true });
  });

  it('is null for discs that are not DVD-Video', async () => {
    const data = await makeDataIso(dir, { label: 'DATA', seed: 3 });
    expect((await identify(fileSectorSource(data))).cssEncrypted).toBeNull();
  });
});

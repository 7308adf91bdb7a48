import { copyFile, open } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';

/** A real DVD-Video: 2 s of PAL MPEG-2 (ffmpeg), authored by dvdauthor, imaged by genisoimage -dvd-video. */
export async function makeDvdVideo(dir: string, label = 'SOURCE_DVD'): Promise<{ iso: string; videoTs: string }> {
  const mpg = join(dir, 'title.mpg');
  await execa('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=720x576:rate=25', '-f', 'lavfi', '-i', 'sine', '-t', '2', '-target', 'pal-dvd', mpg]);
  const authored = join(dir, 'authored');
  const env = { VIDEO_FORMAT: 'PAL' };
  await execa('dvdauthor', ['-o', authored, '-t', mpg], { env });
  await execa('dvdauthor', ['-o', authored, '-T'], { env });
  const iso = join(dir, 'source.iso');
  await execa('genisoimage', ['-quiet', '-dvd-video', '-V', label, '-o', iso, authored]);
  return { iso, videoTs: join(authored, 'VIDEO_TS') };
}

/** First sector (LBA) and length in sectors of a file inside an image, from xorriso's report. */
export async function fileExtent(image: string, path: string): Promise<{ lba: number; sectors: number }> {
  const { stdout } = await execa('xorriso', ['-indev', image, '-find', path, '-exec', 'report_lba', '--'], { stderr: 'ignore' });
  const match = /^File data lba:\s*\d+\s*,\s*(\d+)\s*,\s*(\d+)/m.exec(stdout);
  if (!match) throw new Error(`${path} not found in ${image}`);
  return { lba: Number(match[1]), sectors: Number(match[2]) };
}

/**
 * A copy of a DVD-Video image whose first title VOB looks CSS-encrypted: the PES scrambling
 * control bits of its video packs among the first sectors are set, as on a pressed CSS disc.
 */
export async function scrambledCopy(image: string, into: string): Promise<string> {
  await copyFile(image, into);
  const start = (await fileExtent(image, '/VIDEO_TS/VTS_01_1.VOB')).lba;
  const handle = await open(into, 'r+');
  try {
    let patched = 0;
    for (let lba = start; lba < start + 32; lba++) {
      const sector = Buffer.alloc(2048);
      await handle.read(sector, 0, 2048, lba * 2048);
      // A pack with a video PES (stream 0xE0) and no pack stuffing.
      if (sector.readUInt32BE(0) !== 0x000001ba || (sector[0x0d] ?? 0) & 7 || sector.readUInt32BE(0x0e) !== 0x000001e0) continue;
      sector[0x14] = ((sector[0x14] ?? 0) & ~0x30) | 0x10;
      await handle.write(sector, 0, 2048, lba * 2048);
      patched++;
    }
    if (patched === 0) throw new Error('no video pack found to scramble');
  } finally {
    await handle.close();
  }
  return into;
}

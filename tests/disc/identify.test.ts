import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identifyDisc, type SectorSource } from '../../src/disc/index.js';
import type { Toc } from '../../src/drive/index.js';
import { HEX64, identifyFile, isoinfo, makeTmpDir, run } from './helpers.js';
import { requireTools } from '../helpers/ci.js';

const AUDIO_TOC: Toc = {
  firstTrack: 1,
  lastTrack: 3,
  leadOut: 60_000,
  tracks: [
    { number: 1, start: 0, type: 'audio' },
    { number: 2, start: 20_000, type: 'audio' },
    { number: 3, start: 40_000, type: 'audio' },
  ],
};

function countingSource(): { read: SectorSource; calls: () => number } {
  let calls = 0;
  return {
    read: () => {
      calls += 1;
      return Promise.reject(new Error('EIO'));
    },
    calls: () => calls,
  };
}

describe('audio CDs and unreadable media', () => {
  it('types an audio CD from the drive and the TOC without reading sectors, fingerprinting the TOC', async () => {
    const source = countingSource();
    const id = await identifyDisc(source.read, { discKind: 'audio', toc: AUDIO_TOC, mediumBytes: 0 });
    expect(id).toMatchObject({ type: 'audio-cd', label: null, volumeId: null, filesystem: null, sizeBytes: null, hasVideoTs: false, hasBdmv: false });
    expect(source.calls()).toBe(0);
    expect(id.fingerprint).toMatch(HEX64);
    const again = await identifyDisc(source.read, { discKind: 'audio', toc: AUDIO_TOC, mediumBytes: 0 });
    expect(again.fingerprint).toBe(id.fingerprint);
    const otherToc = { ...AUDIO_TOC, leadOut: 60_001 };
    expect((await identifyDisc(source.read, { discKind: 'audio', toc: otherToc, mediumBytes: 0 })).fingerprint).not.toBe(id.fingerprint);
  });

  it('trusts a TOC of audio tracks only even when the drive cannot tell the disc kind', async () => {
    const id = await identifyDisc(countingSource().read, { discKind: 'unknown', toc: AUDIO_TOC, mediumBytes: 0 });
    expect(id.type).toBe('audio-cd');
  });

  it('degrades to unknown with warnings when every read fails', async () => {
    const source = countingSource();
    const id = await identifyDisc(source.read, { discKind: 'data', toc: null, mediumBytes: 700 * 1024 * 1024 });
    expect(id.type).toBe('unknown');
    expect(id.fingerprint).toMatch(HEX64);
    expect(id.warnings.some((w) => w.startsWith('read error at sector'))).toBe(true);
    expect(id.warnings).toContain('no ISO 9660 or UDF filesystem recognised');
    // Failed reads are bounded: a dying disc is not hammered.
    expect(source.calls()).toBeLessThanOrEqual(8);
  });

  it('treats a blank medium (reads return nothing) as unknown', async () => {
    const id = await identifyDisc(() => Promise.resolve(Buffer.alloc(0)), { discKind: 'data', toc: null, mediumBytes: 0 });
    expect(id).toMatchObject({ type: 'unknown', filesystem: null, label: null, sizeBytes: null });
  });
});

const HAS_DVD_TOOLS = requireTools(['ffmpeg', 'dvdauthor', 'genisoimage', 'isoinfo'], 'ffmpeg dvdauthor genisoimage');

describe.skipIf(!HAS_DVD_TOOLS)('a real DVD-Video image (ffmpeg → dvdauthor → genisoimage -dvd-video)', () => {
  let dir = '';
  let cleanup = async (): Promise<void> => {};
  const path = (name: string): string => join(dir, name);
  beforeAll(async () => {
    ({ dir, cleanup } = await makeTmpDir('dvd'));
    await run('ffmpeg', ['-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=duration=1:size=352x288:rate=25', '-f', 'lavfi', '-i', 'anullsrc=r=48000:cl=stereo', '-t', '1', '-target', 'pal-dvd', '-b:v', '500k', '-y', path('title.mpg')]);
    await run('dvdauthor', ['-o', path('dvd'), '-t', path('title.mpg')], { VIDEO_FORMAT: 'PAL' });
    await run('dvdauthor', ['-o', path('dvd'), '-T'], { VIDEO_FORMAT: 'PAL' });
    await run('genisoimage', ['-quiet', '-dvd-video', '-V', 'MY_MOVIE', '-o', path('dvd.iso'), path('dvd')]);
  }, 300_000);
  afterAll(() => cleanup());

  it('is a dvd-video with its label and exact size', async () => {
    const id = await identifyFile(path('dvd.iso'));
    expect(id).toMatchObject({ type: 'dvd-video', label: 'MY_MOVIE', volumeId: 'MY_MOVIE', filesystem: 'iso9660+udf', hasVideoTs: true, hasBdmv: false, warnings: [] });
    expect(id.sizeBytes).toBe((await isoinfo(path('dvd.iso'))).blocks * 2048);
    expect(id.sizeBytes).toBe((await stat(path('dvd.iso'))).size);
  });
});

import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSampleIso } from '../../src/demo/sample-iso.js';
import { identifyFile, makeTmpDir } from '../disc/helpers.js';

let temp: Awaited<ReturnType<typeof makeTmpDir>>;
beforeAll(async () => {
  temp = await makeTmpDir('disk2iso-sample-');
});
afterAll(async () => {
  await temp?.cleanup();
});

describe('the demo’s sample discs (made without external tools)', () => {
  it('a sample DVD-Video: VIDEO_TS with its IFOs and VOB, which isoinfo lists and disc2iso identifies as a DVD-Video', async () => {
    const iso = join(temp.dir, 'dvd.iso');
    const bytes = await writeSampleIso(iso, { label: 'MY_MOVIE_DISC_1', dataBytes: 3 * 1024 * 1024 + 5, dvdVideo: true });
    const { stdout } = await execa('isoinfo', ['-f', '-i', iso]);
    expect(stdout.split('\n').sort()).toEqual(['/README.TXT;1', '/VIDEO_TS', '/VIDEO_TS/VIDEO_TS.IFO;1', '/VIDEO_TS/VTS_01_0.IFO;1', '/VIDEO_TS/VTS_01_1.VOB;1']);
    const vob = Buffer.from((await execa('isoinfo', ['-i', iso, '-x', '/VIDEO_TS/VTS_01_1.VOB;1'], { encoding: 'buffer' })).stdout);
    expect(vob.length).toBe(3 * 1024 * 1024 + 5);
    const ifo = Buffer.from((await execa('isoinfo', ['-i', iso, '-x', '/VIDEO_TS/VIDEO_TS.IFO;1'], { encoding: 'buffer' })).stdout);
    expect(ifo.subarray(0, 12).toString('ascii')).toBe('DVDVIDEO-VMG');
    const found = await identifyFile(iso);
    expect(found).toMatchObject({ type: 'dvd-video', label: 'MY_MOVIE_DISC_1' });
    expect(bytes).toBe(Math.ceil((3 * 1024 * 1024 + 5) / 2048) * 2048 + 25 * 2048);
  });

  it('a sample data disc keeps its layout: README.TXT and DATA.BIN', async () => {
    const iso = join(temp.dir, 'data.iso');
    await writeSampleIso(iso, { label: 'DATA_X', dataBytes: 1024 * 1024 });
    const { stdout } = await execa('isoinfo', ['-f', '-i', iso]);
    expect(stdout.split('\n').sort()).toEqual(['/DATA.BIN;1', '/README.TXT;1']);
    expect(await identifyFile(iso)).toMatchObject({ type: 'cd-rom', label: 'DATA_X' });
  });
});

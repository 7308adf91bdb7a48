import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { accurateRipIds, accurateRipUrl } from '../../src/copy/audio/accuraterip.js';
import { parseCueLayout } from '../../src/drive/cue.js';
import { SimulatedDrive, simInsert } from '../../src/drive/index.js';
import { writeSampleAudioCd } from '../../src/demo/sample-audio.js';
import { history, startTestCore, stateTrail, testConfig } from '../helpers/core.js';
import { waitFor } from '../helpers/wait.js';
import { dbarFile, referenceAccurateRip, startFakeAccurateRip } from '../fixtures/audio/accuraterip-server.js';
import { startFakeMusicBrainz } from '../fixtures/audio/musicbrainz-server.js';
import { useSimCore } from '../helpers/sim-core.js';

describe('parseCueLayout', () => {
  it('reads track starts from INDEX 01, the lead-out from the BIN size, and shifts a second session by 11400', () => {
    const cue = [
      'FILE "disc.bin" BINARY',
      '  TRACK 01 MODE1/2352',
      '    INDEX 01 00:00:00',
      '  TRACK 02 AUDIO',
      '    INDEX 00 00:10:00',
      '    INDEX 01 00:12:00',
      'REM SESSION 02',
      '  TRACK 03 MODE2/2352',
      '    INDEX 01 00:20:00',
    ].join('\n');
    const layout = parseCueLayout(cue, 1600 * 2352);
    expect(layout?.binFile).toBe('disc.bin');
    expect(layout?.toc).toEqual({
      firstTrack: 1,
      lastTrack: 3,
      leadOut: 1600 + 11_400,
      tracks: [
        { number: 1, start: 0, type: 'data' },
        { number: 2, start: 900, type: 'audio' },
        { number: 3, start: 1500 + 11_400, type: 'data' },
      ],
    });
    expect(layout?.data).toEqual([
      { start: 0, end: 900, binSector: 0, userOffset: 16 },
      { start: 12_900, end: 13_000, binSector: 1500, userOffset: 24 },
    ]);
  });

  it('refuses what is not a single-BIN cue sheet', () => {
    expect(parseCueLayout('FILE "a.wav" WAVE\n TRACK 01 AUDIO\n INDEX 01 00:00:00\n', 100)).toBeNull();
    expect(parseCueLayout('hello', 100)).toBeNull();
  });
});

describe('simulated drive with a BIN/CUE', () => {
  const fx = useSimCore();

  it('reports an audio disc with the TOC cd-paranoia sees', async () => {
    const disc = await writeSampleAudioCd(join(fx.dir, 'cd', 'disc.cue'), { tracks: [{ sectors: 300, pregapSectors: 150 }, { sectors: 200, pregapSectors: 75 }, { sectors: 100 }] });
    await simInsert(fx.sim, disc.cuePath);
    const drive = new SimulatedDrive('sim0', fx.sim);
    expect(await drive.discKind()).toBe('audio');
    expect(await drive.toc()).toEqual(disc.toc);
    expect(disc.toc.tracks.map((t) => t.start)).toEqual([150, 525, 725]);
    const reader = await drive.open();
    expect(reader.devicePath).toBe(disc.cuePath);
    await reader.close();
    // cd-paranoia's own TOC of the same image: track, length, begin.
    const { stderr } = await execa('cd-paranoia', ['-Q', '-d', disc.cuePath], { reject: false });
    const rows = [...stderr.matchAll(/^\s+(\d+)\.\s+(\d+) \[[^\]]*\]\s+(\d+) /gm)].map((m) => [Number(m[1]), Number(m[2]), Number(m[3])]);
    expect(rows).toEqual([
      [1, 375, 150],
      [2, 200, 525],
      [3, 100, 725],
    ]);
  });

  it('`disk2iso sim insert DIR disc.cue` puts the BIN/CUE into the tray', async () => {
    const disc = await writeSampleAudioCd(join(fx.dir, 'cd', 'cli.cue'), { tracks: [{ sectors: 100 }, { sectors: 100 }] });
    const { main } = await import('../../src/demo/sim-cli.js');
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = () => true;
    try {
      expect(await main(['insert', fx.sim, disc.cuePath])).toBe(0);
    } finally {
      process.stdout.write = write;
    }
    const drive = new SimulatedDrive('sim0', fx.sim);
    expect(await drive.discKind()).toBe('audio');
    expect(await drive.toc()).toEqual(disc.toc);
  });

  it('a mixed-mode disc: data track 1 read as 2048-byte sectors, kind mixed; an Enhanced CD reports its data session 11400 sectors on', async () => {
    const mixed = await writeSampleAudioCd(join(fx.dir, 'cd', 'mixed.cue'), { tracks: [{ sectors: 40, data: true }, { sectors: 100 }] });
    await simInsert(fx.sim, mixed.cuePath);
    const drive = new SimulatedDrive('sim0', fx.sim);
    expect(await drive.discKind()).toBe('mixed');
    const reader = await drive.open();
    expect(reader.sizeBytes).toBe(40 * 2048);
    const buffer = Buffer.alloc(4096);
    expect(await reader.read(buffer, 2048 * 5, 4096)).toBe(4096);
    // The generator writes the user data as LBA*2048+i (little-endian 32-bit words).
    expect(buffer.readUInt32LE(0)).toBe(5 * 2048);
    expect(buffer.readUInt32LE(2048 + 8)).toBe(6 * 2048 + 8);
    await reader.close();

    const enhanced = await writeSampleAudioCd(join(fx.dir, 'cd', 'enhanced.cue'), { tracks: [{ sectors: 100 }, { sectors: 80 }], enhancedData: { sectors: 30 } });
    await simInsert(fx.sim, enhanced.cuePath);
    expect(await drive.toc()).toEqual({
      firstTrack: 1,
      lastTrack: 3,
      leadOut: 180 + 11_400 + 30,
      tracks: [
        { number: 1, start: 0, type: 'audio' },
        { number: 2, start: 100, type: 'audio' },
        { number: 3, start: 180 + 11_400, type: 'data' },
      ],
    });
    const data = await drive.open();
    const sector = Buffer.alloc(2048);
    await data.read(sector, (180 + 11_400 + 2) * 2048, 2048);
    expect(sector.readUInt32LE(0)).toBe((180 + 11_400 + 2) * 2048);
    await expect(data.read(sector, 50 * 2048, 2048)).rejects.toMatchObject({ code: 'EIO' });
    await data.close();
  });

  it('the real core rips an inserted BIN/CUE with cd-paranoia: analyzing → copying → completed, named from CD-TEXT, AccurateRip in history', async () => {
    const disc = await writeSampleAudioCd(join(fx.dir, 'cd', 'disc.cue'), {
      title: 'Sim Album',
      performer: 'Sim Artist',
      tracks: [
        { sectors: 150, title: 'First Tone' },
        { sectors: 120, title: 'Second Tone', pregapSectors: 30 },
      ],
    });
    const pcm = await readFile(disc.binPath);
    const sums = disc.audio.map((t, i) => referenceAccurateRip(pcm.subarray(t.binOffset, t.binOffset + t.bytes), i === 0, i === disc.audio.length - 1));
    const ids = accurateRipIds(disc.toc);
    const accurateRip = await startFakeAccurateRip();
    const musicBrainz = await startFakeMusicBrainz();
    accurateRip.discs.set(
      new URL(accurateRipUrl(ids, accurateRip.baseUrl)).pathname.replace(/^\/accuraterip/, ''),
      dbarFile(ids, [{ tracks: [{ confidence: 4, checksum: sums[0]!.v2 }, { confidence: 6, checksum: 0x0badcafe }] }]),
    );
    const saved = { ar: process.env.DISK2ISO_ACCURATERIP_URL, mb: process.env.DISK2ISO_MUSICBRAINZ_URL };
    process.env.DISK2ISO_ACCURATERIP_URL = accurateRip.baseUrl;
    process.env.DISK2ISO_MUSICBRAINZ_URL = musicBrainz.baseUrl;
    try {
      const config = testConfig(fx.dir, [fx.sim], { metadata_lookup: true, eject_after_copy: false });
      fx.core = await startTestCore(config);
      await simInsert(fx.sim, disc.cuePath);
      await waitFor(async () => ((await history(config))?.entries.length ?? 0) > 0 && (await stateTrail(config, 'sim0')).includes('completed'), {
        timeoutMs: 60_000,
        message: 'the rip in history',
      });
      const trail = await stateTrail(config, 'sim0');
      expect(trail.slice(trail.indexOf('analyzing'), trail.indexOf('completed') + 1)).toEqual(['analyzing', 'copying', 'completed']);
      const entry = (await history(config))?.entries[0];
      expect(entry).toMatchObject({ result: 'success', disc_type: 'audio-cd', disc_label: 'Sim Artist - Sim Album', method: 'cd-paranoia + flac' });
      expect(entry?.audio_tracks?.map((t) => [t.number, t.accuraterip, t.accuraterip_confidence])).toEqual([
        [1, 'match', 4],
        [2, 'mismatch', 0],
      ]);
      expect(musicBrainz.requests).toHaveLength(1);
      const folder = entry?.image_path ?? '';
      for (const [i, name] of ['01 - First_Tone.flac', '02 - Second_Tone.flac'].entries()) {
        const { stdout } = await execa('flac', ['-d', '-s', '-c', '--force-raw-format', '--endian=little', '--sign=signed', join(folder, name)], { encoding: 'buffer' });
        const track = disc.audio[i]!;
        expect(Buffer.compare(Buffer.from(stdout), pcm.subarray(track.binOffset, track.binOffset + track.bytes)), name).toBe(0);
      }
    } finally {
      for (const [key, value] of [['DISK2ISO_ACCURATERIP_URL', saved.ar], ['DISK2ISO_MUSICBRAINZ_URL', saved.mb]] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      await accurateRip.close();
      await musicBrainz.close();
    }
  });
});

describe('Enhanced and mixed-mode CDs', () => {
  const fx = useSimCore();

  /** Inserts the disc into a started core, waits for its history entry; the entry and its ripped PCM checked bit-exact. */
  async function ripOf(name: string, spec: Parameters<typeof writeSampleAudioCd>[1], files: readonly string[]) {
    const disc = await writeSampleAudioCd(join(fx.dir, 'cd', `${name}.cue`), spec);
    const config = testConfig(fx.dir, [fx.sim], { eject_after_copy: false });
    fx.core = await startTestCore(config);
    await simInsert(fx.sim, disc.cuePath);
    await waitFor(async () => ((await history(config))?.entries.length ?? 0) > 0, { timeoutMs: 60_000, message: `${name} in history` });
    const entry = (await history(config))?.entries[0];
    const pcm = await readFile(disc.binPath);
    const folder = entry?.image_path ?? '';
    for (const [i, file] of files.entries()) {
      const { stdout } = await execa('flac', ['-d', '-s', '-c', '--force-raw-format', '--endian=little', '--sign=signed', join(folder, file)], { encoding: 'buffer' });
      const track = disc.audio[i]!;
      expect(Buffer.compare(Buffer.from(stdout), pcm.subarray(track.binOffset, track.binOffset + track.bytes)), file).toBe(0);
    }
    return entry;
  }

  it('an Enhanced CD (audio session + data session) is ripped as an album by the real core, the data session skipped', async () => {
    const entry = await ripOf(
      'enhanced',
      { title: 'Extra Album', performer: 'Extra Artist', tracks: [{ sectors: 120, title: 'One' }, { sectors: 90, title: 'Two' }], enhancedData: { sectors: 40 } },
      ['01 - One.flac', '02 - Two.flac'],
    );
    expect(entry).toMatchObject({ result: 'success', disc_type: 'audio-cd', method: 'cd-paranoia + flac' });
    expect(entry?.audio_tracks?.map((t) => t.number)).toEqual([1, 2]);
  });

  it('a mixed-mode CD (data track 1, then audio) is ripped from track 2 on', async () => {
    const entry = await ripOf('mixed', { title: 'Game', performer: 'Studio', tracks: [{ sectors: 60, data: true }, { sectors: 100, title: 'Theme' }, { sectors: 80, title: 'Credits' }] }, [
      '02 - Theme.flac',
      '03 - Credits.flac',
    ]);
    expect(entry).toMatchObject({ result: 'success', disc_type: 'audio-cd' });
    expect(entry?.audio_tracks?.map((t) => t.number)).toEqual([2, 3]);
  });
});

describe('demo sample-audio', () => {
  const fx = useSimCore();

  it('`disk2iso demo sample-audio` writes a BIN/CUE with CD-TEXT and inserts it into the demo drive', async () => {
    const { main } = await import('../../src/demo/main.js');
    const saved = process.env.DISK2ISO_DEMO_DIR;
    process.env.DISK2ISO_DEMO_DIR = fx.dir;
    try {
      expect(await main(['sample-audio'])).toBe(0);
    } finally {
      if (saved === undefined) delete process.env.DISK2ISO_DEMO_DIR;
      else process.env.DISK2ISO_DEMO_DIR = saved;
    }
    const drive = new SimulatedDrive('sim0', join(fx.dir, 'sim0'));
    expect(await drive.discKind()).toBe('audio');
    expect((await drive.toc())?.tracks).toHaveLength(3);
    const reader = await drive.open();
    await reader.close();
    const { stdout } = await execa('cd-info', ['--no-header', '--cue-file', reader.devicePath ?? '']);
    expect(stdout).toContain('TITLE: disk2iso Demo Tones');
    expect(stdout).toContain('TITLE: Coda');
  });
});

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accurateRipIds, accurateRipUrl } from '../../src/copy/audio/accuraterip.js';
import { readCdText, runAudioRip, type AlbumMetadata, type AudioRipRequest } from '../../src/copy/index.js';
import { writeSampleAudioCd, type SampleAudioCd } from '../../src/demo/sample-audio.js';
import { dbarFile, referenceAccurateRip, startFakeAccurateRip, type FakeAccurateRip } from '../fixtures/audio/accuraterip-server.js';
import { listDir, silentLogger, tempDir } from './helpers.js';

/** Raw PCM of a FLAC file, decoded by the real flac. */
async function decode(path: string): Promise<Buffer> {
  const { stdout } = await execa('flac', ['-d', '-s', '-c', '--force-raw-format', '--endian=little', '--sign=signed', path], { encoding: 'buffer' });
  return Buffer.from(stdout);
}

async function tags(path: string): Promise<Record<string, string>> {
  const { stdout } = await execa('metaflac', ['--export-tags-to=-', path]);
  return Object.fromEntries(stdout.split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

const hex8 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');

describe('audio rip of a BIN/CUE by the real cd-paranoia and flac', () => {
  let dir: string;
  let disc: SampleAudioCd;
  let bin: Buffer;
  let album: AlbumMetadata;
  let server: FakeAccurateRip;
  /** Per track: the PCM cd-paranoia must deliver, and its reference AccurateRip sums. */
  let expected: { pcm: Buffer; v1: number; v2: number }[];

  beforeAll(async () => {
    dir = await tempDir('audio-bincue-');
    disc = await writeSampleAudioCd(join(dir, 'cd', 'disc.cue'), {
      title: 'Tone Poems',
      performer: 'The Oscillators',
      tracks: [
        { sectors: 400, title: 'Opening', pregapSectors: 150 },
        // A cue sheet cannot escape `"`: the generator writes it as `'`, as cd-info then reads it.
        { sectors: 300, title: 'Middle "Part"', pregapSectors: 75 },
        { sectors: 350, title: 'Finale', performer: 'The Oscillators & Guest' },
      ],
    });
    bin = await readFile(disc.binPath);
    expected = disc.audio.map((t, i) => {
      const pcm = bin.subarray(t.binOffset, t.binOffset + t.bytes);
      return { pcm, ...referenceAccurateRip(pcm, i === 0, i === disc.audio.length - 1) };
    });
    const cdText = await readCdText({ cueFile: disc.cuePath }, { timeoutMs: 10_000, logger: silentLogger });
    if (!cdText) throw new Error('cd-info read no CD-TEXT from the cue');
    album = cdText;
    server = await startFakeAccurateRip();
    // The database knows tracks 1 and 2 (v1 of one submission, v2 of another); track 3 only with other audio.
    const ids = accurateRipIds(disc.toc);
    const path = new URL(accurateRipUrl(ids, server.baseUrl)).pathname.replace(/^\/accuraterip/, '');
    server.discs.set(
      path,
      dbarFile(ids, [
        { tracks: [{ confidence: 12, checksum: expected[0]!.v1 }, { confidence: 3, checksum: expected[1]!.v2 }, { confidence: 9, checksum: 0x12345678 }] },
        { tracks: [{ confidence: 2, checksum: expected[0]!.v2 }, { confidence: 0, checksum: 0 }, { confidence: 1, checksum: 0x0badf00d }] },
      ]),
    );
  });
  afterAll(async () => {
    await server.close();
  });

  const request = (targetPath: string, overrides: Partial<AudioRipRequest> = {}): AudioRipRequest => ({
    devicePath: disc.cuePath,
    ripper: 'cd-paranoia',
    toc: disc.toc,
    format: 'flac',
    output: 'folder',
    targetPath,
    metadata: album,
    checksums: ['sha256'],
    signal: new AbortController().signal,
    stallTimeoutMs: 60_000,
    onProgress: () => undefined,
    logger: silentLogger,
    accurateRip: { baseUrl: server.baseUrl, timeoutMs: 5000 },
    ...overrides,
  });

  it('every track bit-exact, tagged from CD-TEXT, Copy CRC and AccurateRip per track, cue sheet and log', async () => {
    const target = join(dir, 'out', 'Tone_Poems');
    const result = await runAudioRip(request(target));

    expect(result).toMatchObject({ outcome: 'success', imagePath: target, badSectors: 0 });
    const names = ['01 - Opening.flac', '02 - Middle_Part.flac', '03 - Finale.flac'];
    // Track 1's 2 s pregap holds sound: a hidden track, ripped into its own file.
    expect(await listDir(target)).toEqual(['00 - Hidden_Track.flac', ...names, 'Tone_Poems.cue', 'Tone_Poems.log', 'checksums.sha256']);
    expect((await decode(join(target, '00 - Hidden_Track.flac'))).equals(bin.subarray(0, 150 * 2352))).toBe(true);
    for (const [i, name] of names.entries()) {
      expect((await decode(join(target, name))).equals(expected[i]!.pcm), `${name} is bit-exact`).toBe(true);
    }
    expect(await tags(join(target, names[1]!))).toMatchObject({ TITLE: "Middle 'Part'", ALBUM: 'Tone Poems', ARTIST: 'The Oscillators', TRACKNUMBER: '2', TRACKTOTAL: '3' });
    expect((await tags(join(target, names[2]!))).ARTIST).toBe('The Oscillators & Guest');

    expect(result.audioTracks).toEqual(
      expected.map((e, i) => ({
        number: i + 1,
        file: names[i],
        sectors: e.pcm.length / 2352,
        crc32: hex8(crc32(e.pcm)),
        ar_v1: hex8(e.v1),
        ar_v2: hex8(e.v2),
        accuraterip: i < 2 ? 'match' : 'mismatch',
        accuraterip_confidence: [14, 3, 0][i],
        bad_sectors: 0,
      })),
    );
    const log = await readFile(join(target, 'Tone_Poems.log'), 'utf8');
    expect(log).toContain(`Copy CRC ${hex8(crc32(expected[0]!.pcm)).toUpperCase()}`);
    expect(log).toContain('Accurately ripped (confidence 14)');
    expect(log).toContain('the database has other checksums (mismatch)');
    expect(log).toContain('AccurateRip: 2 of 3 track(s) accurately ripped');
    expect(log).toContain(`AccurateRip id   : 003-${accurateRipIds(disc.toc).id1}`);
    const cue = await readFile(join(target, 'Tone_Poems.cue'), 'utf8');
    expect(cue).toContain('TITLE "Tone Poems"');
    expect(cue).toContain('FILE "00 - Hidden_Track.flac" WAVE\n  TRACK 01 AUDIO\n    TITLE "Opening"\n    PERFORMER "The Oscillators"\n    INDEX 00 00:00:00\nFILE "01 - Opening.flac" WAVE\n    INDEX 01 00:00:00\n');
    expect(log).toContain('Hidden track (before track 1)');
    expect(cue.match(/^FILE ".*\.flac" WAVE$/gm)).toHaveLength(4);
    expect((await execa('sha256sum', ['-c', 'checksums.sha256'], { cwd: target })).exitCode).toBe(0);
  });

  it('the cue sheet re-creates the disc: the files joined in its order equal the whole BIN, hidden track included', async () => {
    const target = join(dir, 'out', 'recreate');
    const result = await runAudioRip(request(target, { format: 'wav' }));
    expect(result.outcome).toBe('success');
    const cue = await readFile(join(target, 'Tone_Poems.cue'), 'utf8');
    const files = [...cue.matchAll(/^FILE "(.*)" WAVE$/gm)].map((m) => m[1]!);
    const joined = Buffer.concat(await Promise.all(files.map(async (f) => (await readFile(join(target, f))).subarray(44))));
    expect(joined.equals(bin)).toBe(true);
  });

  it('a pregap of digital silence before track 1 is no hidden track: no file, PREGAP in the cue', async () => {
    const silent = await writeSampleAudioCd(join(dir, 'cd-silent', 'disc.cue'), { tracks: [{ sectors: 200, pregapSectors: 100, silentPregap: true }, { sectors: 150 }] });
    const target = join(dir, 'out', 'silent');
    const result = await runAudioRip(request(target, { devicePath: silent.cuePath, toc: silent.toc, metadata: null, checksums: [], accurateRip: null }));
    expect(result.outcome).toBe('success');
    expect(await listDir(target)).toEqual(['Track 01.flac', 'Track 02.flac', 'silent.cue', 'silent.log']);
    expect(await readFile(join(target, 'silent.cue'), 'utf8')).toContain('  TRACK 01 AUDIO\n    PREGAP 00:01:25\n');
  });

  it('without CD-TEXT or MusicBrainz names: generic "Track NN" files and titles', async () => {
    const target = join(dir, 'out', 'nameless');
    const result = await runAudioRip(request(target, { metadata: null, checksums: [] }));
    expect(result.outcome).toBe('success');
    expect(await listDir(target)).toEqual(['00 - Hidden_Track.flac', 'Track 01.flac', 'Track 02.flac', 'Track 03.flac', 'nameless.cue', 'nameless.log']);
    expect(await tags(join(target, 'Track 02.flac'))).toEqual({ TITLE: 'Track 02', TRACKNUMBER: '2', TRACKTOTAL: '3' });
  });

  it('not in the database, or the database unreachable: the rip still succeeds and says so per track', async () => {
    const missing = await runAudioRip(request(join(dir, 'out', 'missing'), { accurateRip: { baseUrl: `${server.baseUrl}/elsewhere`, timeoutMs: 5000 } }));
    expect(missing.outcome).toBe('success');
    expect(missing.audioTracks?.map((t) => t.accuraterip)).toEqual(['not_found', 'not_found', 'not_found']);
    const down = await runAudioRip(request(join(dir, 'out', 'down'), { accurateRip: { baseUrl: 'http://127.0.0.1:1/accuraterip', timeoutMs: 2000 } }));
    expect(down.outcome).toBe('success');
    expect(down.audioTracks?.map((t) => t.accuraterip)).toEqual(['unavailable', 'unavailable', 'unavailable']);
    expect(await readFile(join(dir, 'out', 'down', 'Tone_Poems.log'), 'utf8')).toContain('AccurateRip: the database could not be reached');
  });

  it('audio_output iso: the same bit-exact files inside a verified ISO image', async () => {
    const target = join(dir, 'out-iso', 'Tone_Poems.iso');
    const result = await runAudioRip(request(target, { output: 'iso', verify: true }));
    expect(result).toMatchObject({ outcome: 'success', imagePath: target, sidecars: [`${target}.sha256`] });
    expect(await listDir(join(dir, 'out-iso'))).toEqual(['Tone_Poems.iso', 'Tone_Poems.iso.sha256']);
    const extracted = join(dir, 'iso-extracted');
    await execa('xorriso', ['-osirrox', 'on', '-indev', target, '-extract', '/', extracted]);
    expect((await decode(join(extracted, '03 - Finale.flac'))).equals(expected[2]!.pcm)).toBe(true);
    expect(await listDir(extracted)).toContain('Tone_Poems.log');
  });
});

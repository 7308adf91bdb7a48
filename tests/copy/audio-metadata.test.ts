import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  audioDiscBytes,
  audioRipSpaceBytes,
  audioTracks,
  cleanText,
  musicbrainzDiscId,
  type AlbumMetadata,
} from '../../src/copy/index.js';
import { cueSheet, msf, parseCdInfoCdText, readCdText, trackFileName, type CueTrack } from '../../src/copy/audio/index.js';
import type { Toc } from '../../src/drive/index.js';
import { FIXTURE_DISC_ID, FIXTURE_TOC } from '../fixtures/audio/musicbrainz-server.js';
import { silentLogger, tempDir } from './helpers.js';

function toc(starts: number[], leadOut: number, types: ('audio' | 'data')[] = []): Toc {
  return {
    firstTrack: 1,
    lastTrack: starts.length,
    leadOut,
    tracks: starts.map((start, i) => ({ number: i + 1, start, type: types[i] ?? 'audio' })),
  };
}

describe('MusicBrainz disc id', () => {
  it('matches the worked example of the Disc ID Calculation page', () => {
    // https://musicbrainz.org/doc/Disc_ID_Calculation: 6 tracks, lead-out LBA 95312.
    const example = toc([0, 15213, 32164, 46442, 63264, 80339], 95312);
    expect(musicbrainzDiscId(example)).toBe('49HHV7Eb8UKF3aQiNmu1GR8vKTY-');
  });

  it('is 28 characters of the URL-safe alphabet and changes with any offset', () => {
    const id = musicbrainzDiscId(FIXTURE_TOC);
    expect(id).toBe(FIXTURE_DISC_ID);
    expect(id).toMatch(/^[A-Za-z0-9._]{27}-$/);
    expect(musicbrainzDiscId(toc([0, 180, 330, 525, 676], 900))).not.toBe(id);
    expect(musicbrainzDiscId(toc([0, 180, 330, 525, 675], 901))).not.toBe(id);
  });

  it('counts only the audio session of an Enhanced CD (lead-out 11400 sectors before the data track)', () => {
    const enhanced = toc([0, 15213, 32164, 46442, 63264, 80339, 95312 + 11400], 200_000, ['audio', 'audio', 'audio', 'audio', 'audio', 'audio', 'data']);
    expect(musicbrainzDiscId(enhanced)).toBe('49HHV7Eb8UKF3aQiNmu1GR8vKTY-');
    const tracks = audioTracks(enhanced);
    expect(tracks.map((t) => t.number)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(tracks.at(-1)).toEqual({ number: 6, start: 80339, sectors: 95312 - 80339 });
  });

  it('gives the PCM size of the audio tracks for the free-space check', () => {
    expect(audioDiscBytes(FIXTURE_TOC)).toBe(900 * 2352);
    expect(audioRipSpaceBytes(FIXTURE_TOC, 'folder')).toBe(900 * 2352);
    expect(audioRipSpaceBytes(FIXTURE_TOC, 'iso')).toBe(2 * 900 * 2352);
  });
});

describe('names, text and cue sheet', () => {
  it.each([
    [1, 'Smells Like / Fixture Spirit', '01 - Smells_Like_Fixture_Spirit.flac'],
    [3, '../../etc/passwd', '03 - etc_passwd.flac'],
    [5, '---', 'Track 05.flac'],
    [7, null, 'Track 07.flac'],
    [12, 'CON', '12 - CON.flac'],
    [9, 'x'.repeat(300), `09 - ${'x'.repeat(88)}.flac`],
  ])('track %i %j → %s', (n, title, name) => {
    expect(trackFileName(n, title, 'flac')).toBe(name);
  });

  it('cleans untrusted text', () => {
    expect(cleanText('  a\u0000b\r\n\tc\u202Ed  ')).toBe('a b c d');
    expect(cleanText('\uD800x')).toBe('\uFFFDx');
    expect(cleanText('e\u0301')).toBe('é');
    expect(cleanText(' \u0007 ')).toBeNull();
    expect(cleanText(42)).toBeNull();
    expect(Array.from(cleanText('☃'.repeat(500)) ?? '')).toHaveLength(200);
  });

  it('writes one FILE/TRACK/INDEX 01 per track, quotes safely and keeps a hidden pregap', () => {
    const tracks: CueTrack[] = audioTracks(toc([32, 180], 300)).map((track) => ({ track, fileName: trackFileName(track.number, null, 'mp3') }));
    const metadata: AlbumMetadata = {
      album: 'Say "Hi"',
      artist: 'Band',
      year: 2001,
      discId: FIXTURE_DISC_ID,
      tracks: [{ number: 1, title: 'One\nFILE "x" WAVE', artist: null }],
    };
    expect(cueSheet(metadata, tracks, 'mp3')).toBe(
      [
        'REM DATE 2001',
        `REM MUSICBRAINZ_DISCID ${FIXTURE_DISC_ID}`,
        'REM COMMENT "disk2iso"',
        'PERFORMER "Band"',
        "TITLE \"Say 'Hi'\"",
        'FILE "Track 01.mp3" MP3',
        '  TRACK 01 AUDIO',
        "    TITLE \"One FILE 'x' WAVE\"",
        '    PREGAP 00:00:32',
        '    INDEX 01 00:00:00',
        'FILE "Track 02.mp3" MP3',
        '  TRACK 02 AUDIO',
        '    INDEX 01 00:00:00',
        '',
      ].join('\n'),
    );
    expect(msf(75 * 61 + 3)).toBe('01:01:03');
  });
});

describe('CD-TEXT via cd-info', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir('cdtext-');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads album and track titles of a disc image with CD-TEXT (real cd-info)', async () => {
    // libcdio takes a cue sheet's TITLE/PERFORMER as the disc's CD-TEXT.
    await writeFile(join(dir, 'cd.bin'), Buffer.alloc(2352 * 300));
    const cue = join(dir, 'cd.cue');
    await writeFile(
      cue,
      [
        'PERFORMER "Disc Artist"',
        'TITLE "Disc Title"',
        'FILE "cd.bin" BINARY',
        '  TRACK 01 AUDIO',
        '    TITLE "First Song"',
        '    PERFORMER "Artist One"',
        '    INDEX 01 00:00:00',
        '  TRACK 02 AUDIO',
        '    TITLE "Zweites Lied ü"',
        '    INDEX 01 00:02:00',
        '',
      ].join('\n'),
      // CD-TEXT is ISO 8859-1 on the disc; cd-info prints it as UTF-8.
      'latin1',
    );
    expect(await readCdText({ cueFile: cue }, { timeoutMs: 30_000, logger: silentLogger })).toEqual<AlbumMetadata>({
      album: 'Disc Title',
      artist: 'Disc Artist',
      year: null,
      tracks: [
        { number: 1, title: 'First Song', artist: 'Artist One' },
        { number: 2, title: 'Zweites Lied ü', artist: 'Disc Artist' },
      ],
    });
  });

  it('is null for a disc without CD-TEXT and when cd-info cannot read the source', async () => {
    await writeFile(join(dir, 'plain.bin'), Buffer.alloc(2352 * 300));
    const cue = join(dir, 'plain.cue');
    await writeFile(cue, 'FILE "plain.bin" BINARY\n  TRACK 01 AUDIO\n    INDEX 01 00:00:00\n');
    expect(await readCdText({ cueFile: cue }, { timeoutMs: 30_000, logger: silentLogger })).toBeNull();
    expect(await readCdText({ devicePath: join(dir, 'no-such-drive') }, { timeoutMs: 30_000, logger: silentLogger })).toBeNull();
  });

  it('keeps the first language only and cleans what it reads', () => {
    const output = [
      'CD Analysis Report',
      '',
      "Language 0 'English':",
      'CD-TEXT for Disc:',
      '\tTITLE: Album\u0007 One',
      'CD-TEXT for Track  1:',
      '\tTITLE: ../../x',
      '\tPERFORMER: Solo',
      'CD-TEXT for Track 100:',
      '\tTITLE: ignored',
      "Language 1 'German':",
      'CD-TEXT for Disc:',
      '\tTITLE: Album Eins',
      '',
    ].join('\n');
    expect(parseCdInfoCdText(output)).toEqual({ album: 'Album One', artist: null, year: null, tracks: [{ number: 1, title: '../../x', artist: 'Solo' }] });
    expect(parseCdInfoCdText('CD-ROM Track List (1 - 2)\n')).toBeNull();
  });
});

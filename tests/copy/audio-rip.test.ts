import { mkdir, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runAudioRip, type AlbumMetadata, type AudioRipRequest, type MediaProgressSample } from '../../src/copy/index.js';
import { lookupDiscId } from '../../src/metadata/musicbrainz.js';
import { FIXTURE_DISC_ID, FIXTURE_TOC, startFakeMusicBrainz } from '../fixtures/audio/musicbrainz-server.js';
import { listDir, silentLogger, tempDir, waitFor } from './helpers.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'audio');
const DEVICE = '/dev/fake-sr0';
/** Sectors of the fixture's tracks (TOC starts 0, 180, 330, 525, 675, lead-out 900). */
const SECTORS = [180, 150, 195, 150, 225];
const FAKE_ENV = ['FAKE_CDPARANOIA_FAIL', 'FAKE_CDPARANOIA_HANG', 'FAKE_CDPARANOIA_SKIP', 'FAKE_CDPARANOIA_RATE'];

function request(targetPath: string, overrides: Partial<AudioRipRequest> = {}) {
  const samples: MediaProgressSample[] = [];
  const controller = new AbortController();
  const req: AudioRipRequest = {
    devicePath: DEVICE,
    toc: FIXTURE_TOC,
    format: 'flac',
    output: 'folder',
    targetPath,
    metadata: null,
    checksums: ['sha256'],
    signal: controller.signal,
    stallTimeoutMs: 120_000,
    onProgress: (s) => samples.push(s),
    logger: silentLogger,
    ...overrides,
  };
  return { req, samples, controller };
}

async function runs(log: string): Promise<{ pid: number; args: string[] }[]> {
  const text = await readFile(log, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { pid: number; args: string[] });
}

/** Raw PCM of an encoded file, decoded by the real tool. */
async function decodedBytes(path: string): Promise<number> {
  const { stdout } = await execa('flac', ['-d', '-s', '-c', '--force-raw-format', '--endian=little', '--sign=signed', path], { encoding: 'buffer' });
  return stdout.length;
}

async function tags(path: string): Promise<Record<string, string>> {
  const { stdout } = await execa('metaflac', ['--export-tags-to=-', path]);
  return Object.fromEntries(stdout.split('\n').map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('audio CD rip (cdparanoia replaced by a fixture)', () => {
  let dir: string;
  let log: string;
  let metadata: AlbumMetadata;
  const savedPath = process.env.PATH;

  beforeAll(async () => {
    dir = await tempDir('audio-');
    log = join(dir, 'cdparanoia.log');
    process.env.PATH = `${FIXTURES}${delimiter}${savedPath ?? ''}`;
    process.env.FAKE_CDPARANOIA_TOC = JSON.stringify(FIXTURE_TOC);
    process.env.FAKE_CDPARANOIA_DEVICE = DEVICE;
    process.env.FAKE_CDPARANOIA_LOG = log;
    const server = await startFakeMusicBrainz();
    try {
      const ctx = { userAgent: 'disk2iso-test', timeoutMs: 10_000, cache: null, logger: silentLogger };
      const { candidates, albums } = await lookupDiscId(ctx, FIXTURE_DISC_ID, FIXTURE_TOC, { baseUrl: server.baseUrl });
      const found = albums.get(candidates[0]?.id ?? '');
      if (!found) throw new Error('the MusicBrainz fixture gave no metadata');
      metadata = found;
    } finally {
      await server.close();
    }
  });
  afterEach(async () => {
    for (const name of FAKE_ENV) delete process.env[name];
    await rm(log, { force: true });
  });
  afterAll(async () => {
    process.env.PATH = savedPath;
    await rm(dir, { recursive: true, force: true });
  });

  it('rips to FLAC files named and tagged from MusicBrainz, with a cue sheet and a checkable manifest', async () => {
    const target = join(dir, 'audio', 'Songs_for_Testing');
    const { req, samples } = request(target, { metadata });
    const result = await runAudioRip(req);

    expect(result).toMatchObject({ outcome: 'success', reason: null, imagePath: target, badSectors: 0, sidecars: [join(target, 'checksums.sha256')] });
    expect(await listDir(join(dir, 'audio'))).toEqual(['Songs_for_Testing']);
    const files = [
      '01 - Smells_Like_Fixture_Spirit.flac',
      '02 - A_Quoted_Title.flac',
      '03 - etc_passwd.flac',
      '04 - Ünïcødé_Snow_FILE_evil.wav_WAVE.flac',
      'Songs_for_Testing_Vol._1_2.cue',
      'Songs_for_Testing_Vol._1_2.log',
      'Track 05.flac',
      'checksums.sha256',
    ];
    expect(await listDir(target)).toEqual(files);

    const check = await execa('sha256sum', ['-c', 'checksums.sha256'], { cwd: target, reject: false });
    expect(check.exitCode).toBe(0);
    expect(check.stdout.split('\n').sort()).toEqual(files.filter((f) => f !== 'checksums.sha256').map((f) => `${f}: OK`).sort());

    for (const [i, sectors] of SECTORS.entries()) {
      const name = files.find((f) => f.startsWith(`0${i + 1} - `)) ?? `Track 0${i + 1}.flac`;
      expect(await decodedBytes(join(target, name)), name).toBe(sectors * 2352);
    }
    expect(await tags(join(target, '02 - A_Quoted_Title.flac'))).toMatchObject({
      TITLE: 'A "Quoted" Title',
      ARTIST: 'Guest Star feat. Someone',
      ALBUM: 'Songs for "Testing": Vol. 1/2',
      ALBUMARTIST: 'The Fixtures & Ünïcødé Band',
      TRACKNUMBER: '2',
      TRACKTOTAL: '5',
      DATE: '1999',
      MUSICBRAINZ_DISCID: FIXTURE_DISC_ID,
    });
    expect((await tags(join(target, '04 - Ünïcødé_Snow_FILE_evil.wav_WAVE.flac'))).TITLE).toBe('Ünïcødé ☃ Snow FILE "evil.wav" WAVE');

    const cue = await readFile(join(target, 'Songs_for_Testing_Vol._1_2.cue'), 'utf8');
    expect(cue).toContain("PERFORMER \"The Fixtures & Ünïcødé Band\"\nTITLE \"Songs for 'Testing': Vol. 1/2\"\n");
    expect(cue).toContain("FILE \"04 - Ünïcødé_Snow_FILE_evil.wav_WAVE.flac\" WAVE\n  TRACK 04 AUDIO\n    TITLE \"Ünïcødé ☃ Snow FILE 'evil.wav' WAVE\"\n");
    expect(cue.match(/^FILE /gm)).toHaveLength(5);
    expect(cue.match(/^ {4}INDEX 01 00:00:00$/gm)).toHaveLength(5);
    expect(cue).not.toMatch(/^FILE "evil/m);

    const invocations = await runs(log);
    expect(invocations.map((r) => r.args.slice(0, 5))).toEqual([1, 2, 3, 4, 5].map((n) => ['-e', '-d', DEVICE, '-w', String(n)]));
    expect(invocations.every((r) => r.args[5]?.endsWith('.wav'))).toBe(true);

    expect(new Set(samples.map((s) => s.phase))).toEqual(new Set(['reading', 'encoding', 'verifying']));
    const reading = samples.filter((s) => s.phase === 'reading');
    expect([...new Set(reading.map((s) => s.track))]).toEqual([1, 2, 3, 4, 5]);
    expect(reading.every((s) => s.tracks === 5 && s.bytesTotal === 900 * 2352)).toBe(true);
    expect(samples.filter((s) => s.phase !== 'verifying').every((s, i, all) => i === 0 || s.bytesDone >= (all[i - 1]?.bytesDone ?? 0))).toBe(true);
  });

  it('rips to MP3 named "Track NN" without metadata', async () => {
    const target = join(dir, 'audio', 'Unknown_disc');
    const { req } = request(target, { format: 'mp3' });
    const result = await runAudioRip(req);

    expect(result.outcome).toBe('success');
    expect(await listDir(target)).toEqual(['Track 01.mp3', 'Track 02.mp3', 'Track 03.mp3', 'Track 04.mp3', 'Track 05.mp3', 'Unknown_disc.cue', 'Unknown_disc.log', 'checksums.sha256']);
    const { stdout } = await execa('ffprobe', ['-v', 'error', '-show_entries', 'format_tags=track:format=duration', '-of', 'json', join(target, 'Track 03.mp3')]);
    const probe = JSON.parse(stdout) as { format: { duration: string; tags: { track: string } } };
    expect(probe.format.tags.track).toBe('3/5');
    expect(Number(probe.format.duration)).toBeCloseTo(195 / 75, 1);
    expect(await readFile(join(target, 'Unknown_disc.cue'), 'utf8')).toContain('FILE "Track 05.mp3" MP3\n  TRACK 05 AUDIO\n    INDEX 01 00:00:00\n');
    expect((await execa('sha256sum', ['-c', 'checksums.sha256'], { cwd: target })).exitCode).toBe(0);
  });

  it('wraps the album folder in an ISO image with a checkable sidecar', async () => {
    const target = join(dir, 'audio-iso', 'Songs.iso');
    const { req } = request(target, { metadata, output: 'iso', verify: true });
    const result = await runAudioRip(req);

    expect(result).toMatchObject({ outcome: 'success', imagePath: target, sidecars: [`${target}.sha256`] });
    expect(await listDir(join(dir, 'audio-iso'))).toEqual(['Songs.iso', 'Songs.iso.sha256']);
    expect((await execa('sha256sum', ['-c', 'Songs.iso.sha256'], { cwd: join(dir, 'audio-iso') })).stdout).toBe('Songs.iso: OK');
    const { stdout } = await execa('isoinfo', ['-d', '-i', target]);
    expect(stdout).toMatch(/^Volume id: SONGS_FOR_TESTING_VOL_1_2$/m);
    const extracted = join(dir, 'iso-extracted');
    await execa('xorriso', ['-osirrox', 'on', '-indev', target, '-extract', '/', extracted]);
    expect((await readdir(extracted)).sort()).toContain('04 - Ünïcødé_Snow_FILE_evil.wav_WAVE.flac');
    expect((await execa('sha256sum', ['-c', 'checksums.sha256'], { cwd: extracted })).exitCode).toBe(0);
  });

  it('cancel mid-track kills cdparanoia and leaves nothing', async () => {
    process.env.FAKE_CDPARANOIA_RATE = '25';
    const out = join(dir, 'cancel');
    const { req, samples, controller } = request(join(out, 'Album'), { metadata });
    const running = runAudioRip(req);
    await waitFor(() => samples.some((s) => s.phase === 'reading' && s.track === 1 && s.bytesDone > 0), 30_000, 'reading track 1');
    controller.abort();
    const result = await running;

    expect(result).toMatchObject({ outcome: 'cancelled', reason: 'cancelled', imagePath: null });
    expect(result.bytes).toBeGreaterThan(0);
    expect(result.bytes).toBeLessThan(SECTORS[0]! * 2352);
    expect(await listDir(out)).toEqual([]);
    const [run] = await runs(log);
    expect(run).toBeDefined();
    await waitFor(() => !alive(run!.pid), 10_000, 'cdparanoia to exit');
  });

  it('a failure of track 3 fails the rip with a clear message and removes the partial folder', async () => {
    process.env.FAKE_CDPARANOIA_FAIL = '3';
    const out = join(dir, 'fail');
    const { req } = request(join(out, 'Album'), { metadata });
    const result = await runAudioRip(req);

    expect(result).toMatchObject({ outcome: 'failed', reason: 'read_error', imagePath: null });
    expect(result.error?.message).toMatch(
      /^Copy of \/dev\/fake-sr0 to .*Album failed after .*: cdparanoia failed while reading track 3 of 5 \(exit code 1\): paranoia_read: CDROM drive unavailable, bailing\.$/,
    );
    expect(await listDir(out)).toEqual([]);
    expect((await runs(log)).map((r) => r.args[4])).toEqual(['1', '2', '3']);
  });

  it('ends a hung read as stalled', async () => {
    process.env.FAKE_CDPARANOIA_HANG = '2';
    const out = join(dir, 'hang');
    const { req } = request(join(out, 'Album.iso'), { output: 'iso', stallTimeoutMs: 1500 });
    const result = await runAudioRip(req);

    expect(result).toMatchObject({ outcome: 'failed', reason: 'stalled', imagePath: null });
    expect(await listDir(out)).toEqual([]);
  });

  it.each([1, 2])('encodes track N while track N+1 is read (%i encoder(s)), never a track not yet read', async (parallelism) => {
    // A flac that starts only once the reader has begun the next track: a rip that read and
    // encoded in turn would wait here (it records "waited-out" after 20 s and encodes anyway).
    const bin = join(dir, `overlap-bin-${parallelism}`);
    await mkdir(bin, { recursive: true });
    const marks = join(bin, 'marks.log');
    const realFlac = (await execa('which', ['flac'])).stdout;
    const script = [
      '#!/bin/sh',
      'n=""; total=""',
      'for a in "$@"; do case "$a" in TRACKNUMBER=*) n="${a#TRACKNUMBER=}";; TRACKTOTAL=*) total="${a#TRACKTOTAL=}";; esac; done',
      `echo "encode $n" >> '${marks}'`,
      'if [ "$n" != "$total" ]; then',
      '  next=$((n + 1)); i=0',
      `  until grep -qF -- '"-w","'"$next"'"' '${log}' 2>/dev/null; do i=$((i + 1)); if [ $i -gt 400 ]; then echo "waited-out $n" >> '${marks}'; break; fi; sleep 0.05; done`,
      'fi',
      `exec '${realFlac}' "$@"`,
    ].join('\n');
    await writeFile(join(bin, 'flac'), `${script}\n`, { mode: 0o755 });
    process.env.PATH = `${bin}${delimiter}${FIXTURES}${delimiter}${savedPath ?? ''}`;
    try {
      const target = join(dir, `overlap-${parallelism}`, 'Album');
      const result = await runAudioRip(request(target, { parallelism }).req);
      expect(result.outcome).toBe('success');
    } finally {
      process.env.PATH = `${FIXTURES}${delimiter}${savedPath ?? ''}`;
    }
    const lines = (await readFile(marks, 'utf8')).trim().split('\n');
    expect(lines.filter((l) => l.startsWith('waited-out'))).toEqual([]);
    expect(lines.sort()).toEqual(['encode 1', 'encode 2', 'encode 3', 'encode 4', 'encode 5']);
    // Each track was read before it was encoded: cdparanoia ran in track order, one run per track.
    expect((await runs(log)).map((r) => r.args[4])).toEqual(['1', '2', '3', '4', '5']);
  });

  it('reports sectors cdparanoia had to skip as a degraded rip', async () => {
    process.env.FAKE_CDPARANOIA_SKIP = '2';
    const target = join(dir, 'skip', 'Album');
    const { req, samples } = request(target);
    const result = await runAudioRip(req);

    expect(result).toMatchObject({ outcome: 'degraded', imagePath: target, badSectors: 3 });
    expect(samples.at(-1)?.badSectors).toBe(3);
    // Recorded on the track that had them, in the result and in the rip log.
    expect(result.audioTracks?.map((t) => t.bad_sectors)).toEqual([0, 3, 0, 0, 0]);
    const log = await readFile(join(target, 'Album.log'), 'utf8');
    expect(log).toMatch(/Track 02\n\n(?:.*\n){4} {5}Suspicious: 3 sector\(s\) could not be read\n/);
    expect(log).toContain('1 track(s) with unreadable sectors: the rip is degraded');
  });

  it.each([
    { tool: 'cdparanoia', keep: ['node', 'flac'] },
    { tool: 'flac', keep: ['node', 'dirname', 'readlink', 'cdparanoia'] },
  ])('fails with a message naming $tool when it is not installed', async ({ tool, keep }) => {
    const bin = join(dir, `without-${tool}`);
    await mkdir(bin, { recursive: true });
    for (const name of keep) {
      await symlink(name === 'cdparanoia' ? join(FIXTURES, 'cdparanoia') : (await execa('which', [name])).stdout, join(bin, name));
    }
    const out = join(dir, `missing-${tool}`);
    const { req } = request(join(out, 'Album'));
    process.env.PATH = bin;
    const result = await runAudioRip(req).finally(() => {
      process.env.PATH = `${FIXTURES}${delimiter}${savedPath ?? ''}`;
    });

    expect(result).toMatchObject({ outcome: 'failed', reason: 'io_error', imagePath: null });
    expect(result.error?.message).toContain(`${tool} is not installed (not found on PATH); it is needed for`);
    expect(await listDir(out)).toEqual([]);
  });

  it('reports a full output disk as disk_full and removes the partial folder', async (ctx) => {
    const mnt = join(dir, 'small');
    await mkdir(mnt, { recursive: true });
    // Smaller than the first track's WAV.
    const mounted = await execa('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt], { reject: false });
    if (mounted.failed) ctx.skip();
    try {
      const { req } = request(join(mnt, 'Album'));
      const result = await runAudioRip(req);
      expect(result).toMatchObject({ outcome: 'failed', reason: 'disk_full', imagePath: null });
      expect(result.error?.message).toContain('no space left on device while reading track 1 of 5');
      expect(await listDir(mnt)).toEqual([]);
    } finally {
      await execa('umount', [mnt]);
    }
  });

  it('fails without touching the drive when the TOC has no audio track', async () => {
    const out = join(dir, 'data-only');
    const { req } = request(join(out, 'Album'), { toc: { firstTrack: 1, lastTrack: 1, leadOut: 1000, tracks: [{ number: 1, start: 0, type: 'data' }] } });
    const result = await runAudioRip(req);
    expect(result).toMatchObject({ outcome: 'failed', reason: 'read_error' });
    expect(result.error?.message).toContain('the disc has no audio tracks');
    expect(await runs(log)).toEqual([]);
    expect(await listDir(out)).toEqual([]);
  });
});

import { mkdir, readFile, rm, symlink } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAudioRip } from '../../src/copy/index.js';
import { FIXTURE_TOC } from '../fixtures/audio/musicbrainz-server.js';
import { listDir, silentLogger, tempDir } from './helpers.js';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'audio', 'cdparanoia');
const DEVICE = '/dev/fake-sr0';

describe('audio rip fallbacks (the cdparanoia fixture installed as libcdio cd-paranoia only)', () => {
  let dir: string;
  let log: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    dir = await tempDir('audio-fallback-');
    const bin = join(dir, 'bin');
    await mkdir(bin);
    await symlink(FIXTURE, join(bin, 'cd-paranoia'));
    log = join(dir, 'runs.log');
    // Only cd-paranoia is found first; a cdparanoia run would fail (the real one finds no drive).
    process.env.PATH = `${bin}${delimiter}${saved.PATH ?? ''}`;
    process.env.FAKE_CDPARANOIA_TOC = JSON.stringify(FIXTURE_TOC);
    process.env.FAKE_CDPARANOIA_DEVICE = DEVICE;
    process.env.FAKE_CDPARANOIA_LOG = log;
  });
  afterAll(async () => {
    process.env.PATH = saved.PATH;
    for (const name of ['FAKE_CDPARANOIA_TOC', 'FAKE_CDPARANOIA_DEVICE', 'FAKE_CDPARANOIA_LOG']) delete process.env[name];
    await rm(dir, { recursive: true, force: true });
  });

  it('rips with cd-paranoia and keeps the tracks as WAV when the encoder is missing', async () => {
    const target = join(dir, 'audio', 'Album');
    const result = await runAudioRip({
      devicePath: DEVICE,
      ripper: 'cd-paranoia',
      toc: FIXTURE_TOC,
      format: 'wav',
      output: 'folder',
      targetPath: target,
      metadata: null,
      checksums: ['sha256'],
      signal: new AbortController().signal,
      stallTimeoutMs: 60_000,
      onProgress: () => undefined,
      logger: silentLogger,
    });
    expect(result).toMatchObject({ outcome: 'success', imagePath: target });
    const files = await listDir(target);
    expect(files.filter((f) => f.endsWith('.wav'))).toEqual(['Track 01.wav', 'Track 02.wav', 'Track 03.wav', 'Track 04.wav', 'Track 05.wav']);
    const wav = await readFile(join(target, 'Track 01.wav'));
    expect(wav.subarray(0, 4).toString('ascii')).toBe('RIFF');
    const cue = await readFile(join(target, files.find((f) => f.endsWith('.cue')) ?? ''), 'utf8');
    expect(cue).toContain('FILE "Track 01.wav" WAVE');
    expect((await readFile(log, 'utf8')).trim().split('\n')).toHaveLength(5);
  });
});

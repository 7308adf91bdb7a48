import { access, readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { scanOutputFolder, scanOne } from '../../src/archive/scan.js';
import { albumFolderNames } from '../../src/copy/audio/naming.js';
import { findArchivedByFingerprint, planTarget, writeImageMetadata } from '../../src/copy/index.js';
import { SAFE_NAME_PATTERN } from '../../src/disc/index.js';
import { simInsert, simRemoveDisc } from '../../src/drive/index.js';
import { writeSampleAudioCd } from '../../src/demo/sample-audio.js';
import { historyFromRecords } from '../../src/machine/history-rebuild.js';
import { removeOrphanPartials } from '../../src/machine/reconcile.js';
import { resolveArchivePath } from '../../src/web/archive-fs.js';
import { deleteArchiveItem } from '../../src/web/archive-ops.js';
import { history, startTestCore, testConfig, waitForState } from '../helpers/core.js';
import { useSimCore } from '../helpers/sim-core.js';
import { waitFor } from '../helpers/wait.js';
import { startFakeMusicBrainz } from '../fixtures/audio/musicbrainz-server.js';
import pino from 'pino';

const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false);

describe('albumFolderNames', () => {
  it('Artist/Album (Year), Artist/Album without a year, safe names for hostile strings', () => {
    expect(albumFolderNames({ artist: 'Sim Artist', album: 'Sim Album', year: 2004, tracks: [] }, 'x')).toEqual({ artist: 'Sim_Artist', album: 'Sim_Album (2004)' });
    expect(albumFolderNames({ artist: 'Sim Artist', album: 'Sim Album', year: null, tracks: [] }, 'x')).toEqual({ artist: 'Sim_Artist', album: 'Sim_Album' });
    expect(albumFolderNames(null, 'disc_2026-11-30')).toEqual({ artist: 'Unknown_Artist', album: 'disc_2026-11-30' });
    for (const hostile of ['..', '../../etc', 'a/b\\c', '\u202Egnp.exe', 'CON', '.hidden', '\0\n', '/']) {
      const { artist, album } = albumFolderNames({ artist: hostile, album: hostile, year: 1999, tracks: [] }, 'disc');
      expect(artist, hostile).toMatch(SAFE_NAME_PATTERN);
      expect(album.replace(/ \(1999\)$/, ''), hostile).toMatch(SAFE_NAME_PATTERN);
      expect(`${artist}/${album}`.split('/')).toHaveLength(2);
      expect(`${artist}${album}`).not.toContain('..');
    }
    // A year that is no year is not written.
    expect(albumFolderNames({ artist: 'A', album: 'B', year: 12345, tracks: [] }, 'x').album).toBe('B');
  });
});

describe('audio_output folder: the Jellyfin/Plex layout, ripped by the real core', () => {
  const fx = useSimCore();

  it('MusicBrainz names: audio/<Artist>/<Album (Year)>/NN - Title.flac; the same disc again is found there (skip), history, archive index and deletion follow', { timeout: 120_000 }, async () => {
    // The fake MusicBrainz answers for this TOC (starts 0, 180, 330, 525, 675, lead-out 900).
    const disc = await writeSampleAudioCd(join(fx.dir, 'cd', 'mb.cue'), { tracks: [180, 150, 195, 150, 225].map((sectors) => ({ sectors })) });
    const musicBrainz = await startFakeMusicBrainz();
    const saved = process.env.DISK2ISO_MUSICBRAINZ_URL;
    process.env.DISK2ISO_MUSICBRAINZ_URL = musicBrainz.baseUrl;
    try {
      const config = testConfig(fx.dir, [fx.sim], { metadata_lookup: true, eject_after_copy: false, duplicate_policy: 'skip', audio_output: 'folder' });
      const output = join(fx.dir, 'output');
      fx.core = await startTestCore(config);
      await simInsert(fx.sim, disc.cuePath);
      await waitFor(async () => ((await history(config))?.entries.length ?? 0) > 0, { timeoutMs: 60_000, message: 'the rip in history' });
      const first = (await history(config))?.entries[0];
      expect(first?.result).toBe('success');
      const folder = first?.image_path ?? '';
      const [group, artist, album, ...rest] = relative(output, folder).split('/');
      expect([group, rest.length]).toEqual(['audio', 0]);
      expect(artist).toMatch(/^The_Fixtures/);
      expect(artist).toMatch(SAFE_NAME_PATTERN);
      expect(album).toMatch(/^Songs_for_Testing_Vol\.?_1_2 \(1999\)$/);
      const files = (await readdir(folder)).sort();
      expect(files.filter((f) => f.endsWith('.flac'))).toHaveLength(5);
      expect(files.filter((f) => /^(\d\d - .+|Track \d\d)\.flac$/.test(f)), files.join()).toHaveLength(5);
      // The track decodes to the disc's PCM: a real rip lands in the nested folder.
      const { stdout } = await execa('flac', ['-d', '-s', '-c', '--force-raw-format', '--endian=little', '--sign=signed', join(folder, files.find((f) => f.startsWith('01 - '))!)], { encoding: 'buffer' });
      expect(Buffer.from(stdout).length).toBe(disc.audio[0]!.bytes);
      expect(await exists(`${folder}.disk2iso.json`)).toBe(true);

      // The same disc again: duplicate detection looks into the artist folder.
      expect(await findArchivedByFingerprint(output, first?.fingerprint ?? '')).toBe(folder);
      await simRemoveDisc(fx.sim);
      await waitForState(config, 'sim0', 'waiting_for_media');
      await simInsert(fx.sim, disc.cuePath);
      await waitFor(async () => ((await history(config))?.entries.length ?? 0) > 1, { timeoutMs: 30_000, message: 'the second insert in history' });
      expect((await history(config))?.entries[0]).toMatchObject({ result: 'skipped_duplicate', image_path: folder });
      // The scrub reads the real rip back against the checksums.sha256 the rip wrote: whole.
      expect(files).toContain('checksums.sha256');
      const core = fx.core;
      await waitFor(async () => (await core.archive.get(relative(output, folder)))?.sidecars.sha256, { message: 'the album indexed with its manifest' });
      expect(core.scrub.start()).toBe(true);
      await core.scrub.settled();
      expect((await core.archive.get(relative(output, folder)))?.verify).toMatchObject({ status: 'ok', algorithm: 'sha256' });
      await fx.core.stop();
      fx.core = null;

      // suffix: the next name in the same artist folder.
      const plan = await planTarget({ outputDir: output, discType: 'audio-cd', baseName: album ?? '', subfolder: artist ?? '', policy: 'suffix', fingerprint: first?.fingerprint ?? null, extension: '' });
      expect(plan).toEqual({ action: 'copy', targetPath: `${folder}_1`, replaces: null });

      // History rebuilt from the records finds the album in its artist folder.
      const rebuilt = await historyFromRecords(output);
      expect(rebuilt.map((e) => [e.image_path, e.disc_type, e.fingerprint])).toEqual([[folder, 'audio-cd', first?.fingerprint]]);

      // The archive lists the album folder (not the artist folder), with its record.
      const rel = relative(output, folder);
      const scanned = (await scanOutputFolder(output)).filter((i) => i.group === 'audio');
      expect(scanned.map((i) => [i.path, i.kind, i.name, i.sidecars.metadata])).toEqual([[rel, 'folder', album, true]]);
      expect((await scanOne(output, rel))?.path).toBe(rel);
      expect(await scanOne(output, `audio/${artist}/..`)).toBeNull();

      // A leftover of an interrupted rip inside the artist folder is removed at start.
      await execa('mkdir', ['-p', join(output, 'audio', artist ?? '', 'Other (2001).part')]);
      await removeOrphanPartials(output, [], pino({ level: 'silent' }));
      expect(await exists(join(output, 'audio', artist ?? '', 'Other (2001).part'))).toBe(false);

      // Deleting through the UI's path: the album, its record and the emptied artist folder go.
      await expect(resolveArchivePath(output, `audio/${artist}/../${artist}`)).rejects.toMatchObject({ status: 400 });
      await expect(resolveArchivePath(output, `audio/${artist}/${album}/x`)).rejects.toMatchObject({ status: 400 });
      const item = await resolveArchivePath(output, rel);
      expect(item).toMatchObject({ kind: 'folder', group: 'audio', rel });
      expect(await deleteArchiveItem(item)).toEqual([rel, `${rel}.disk2iso.json`]);
      expect(await readdir(join(output, 'audio'))).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.DISK2ISO_MUSICBRAINZ_URL;
      else process.env.DISK2ISO_MUSICBRAINZ_URL = saved;
      await musicBrainz.close();
    }
  });

  it('CD-TEXT has no year: audio/<Artist>/<Album>/; an old flat audio/<Artist - Album>/ folder is still one archive item', async () => {
    const disc = await writeSampleAudioCd(join(fx.dir, 'cd', 'cdtext.cue'), {
      title: 'Sim Album',
      performer: 'Sim Artist',
      tracks: [{ sectors: 100, title: 'First Tone' }, { sectors: 90, title: 'Second Tone' }],
    });
    const config = testConfig(fx.dir, [fx.sim], { eject_after_copy: false });
    const output = join(fx.dir, 'output');
    // A rip of an older version, flat, with its record.
    await execa('mkdir', ['-p', join(output, 'audio', 'Old_Artist_-_Old_Album')]);
    await execa('cp', [disc.cuePath, join(output, 'audio', 'Old_Artist_-_Old_Album', 'Old_Album.cue')]);
    const old = { fingerprint: 'f'.repeat(64), label: 'Old Artist - Old Album', disc_type: 'audio-cd' as const, created: '2020-05-01T10:00:00.000Z', bytes: 1, checksums: {}, method: 'audio-rip', result: 'success' as const, bad_ranges: [] };
    await writeImageMetadata(join(output, 'audio', 'Old_Artist_-_Old_Album'), old);
    fx.core = await startTestCore(config);
    await simInsert(fx.sim, disc.cuePath);
    // The history starts rebuilt from the records (the old folder's), then gets the rip.
    const entry = await waitFor(async () => (await history(config))?.entries.find((e) => e.disc_label !== old.label), { timeoutMs: 60_000, message: 'the rip in history' });
    expect(entry.result).toBe('success');
    expect(relative(output, entry.image_path ?? '')).toBe('audio/Sim_Artist/Sim_Album');
    expect((await readdir(entry.image_path ?? '')).filter((f) => f.endsWith('.flac')).sort()).toEqual(['01 - First_Tone.flac', '02 - Second_Tone.flac']);
    const scanned = (await scanOutputFolder(output)).filter((i) => i.group === 'audio').map((i) => i.path).sort();
    expect(scanned).toEqual(['audio/Old_Artist_-_Old_Album', 'audio/Sim_Artist/Sim_Album']);
    // The core's own index takes the new album in as it is written, with its record's label.
    const indexed = async (): Promise<string> => readFile(join(fx.dir, 'api', 'archive', 'index.jsonl'), 'utf8').catch(() => '');
    await waitFor(async () => (await indexed()).includes('"audio/Sim_Artist/Sim_Album"'), { timeoutMs: 10_000, message: 'the album in the core index' });
    const line = (await indexed()).split('\n').filter((l) => l.includes('"audio/Sim_Artist/Sim_Album"')).at(-1) ?? '';
    expect(line).toContain('"disc_label":"Sim Artist - Sim Album"');
    // The flat folder's record is read too: its label, and the duplicate check finds it through the index.
    const flat = await fx.core.archive.get('audio/Old_Artist_-_Old_Album');
    expect(flat?.sidecars.metadata).toBe(true);
    expect(flat?.metadata).toMatchObject({ disc_label: 'Old Artist - Old Album', disc_type: 'audio-cd' });
    expect(await fx.core.archive.findByFingerprint(old.fingerprint)).toBe(join(output, 'audio', 'Old_Artist_-_Old_Album'));
  });
});

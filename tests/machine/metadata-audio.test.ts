import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiPaths, AttributesSchema, readContractValue } from '../../src/contract/index.js';
import { musicbrainzDiscId } from '../../src/copy/index.js';
import { startMetadataStandin, type MetadataStandin } from '../../src/demo/metadata-standin.js';
import { writeSampleAudioCd } from '../../src/demo/sample-audio.js';
import { simInsert } from '../../src/drive/index.js';
import { historyFromRecords } from '../../src/machine/history-rebuild.js';
import { history, startTestCore, testConfig, waitForState } from '../helpers/core.js';
import { useSimCore } from '../helpers/sim-core.js';
import { waitFor } from '../helpers/wait.js';

describe('metadata before the copy: an audio CD with two MusicBrainz releases, through the real core', () => {
  const fx = useSimCore();
  let standin: MetadataStandin;
  const saved: Record<string, string | undefined> = {};
  beforeAll(async () => {
    standin = await startMetadataStandin({ tmdbApiKey: 'k', titles: [], releases: [] });
    for (const [key, value] of Object.entries(standin.env())) {
      saved[key] = process.env[key];
      process.env[key] = value;
    }
  });
  afterAll(async () => {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await standin.close();
  });

  it('waits with both releases (Cover Art Archive covers), the choice names audio/<Artist>/<Album (Year)>/ with its tracks, folder cover and album.nfo', { timeout: 120_000 }, async () => {
    const disc = await writeSampleAudioCd(join(fx.dir, 'cd', 'two.cue'), { tracks: [150, 120, 135].map((sectors) => ({ sectors })) });
    const discId = musicbrainzDiscId(disc.toc);
    standin.catalogue = {
      tmdbApiKey: 'k',
      titles: [],
      releases: [
        { id: '11111111-1111-4111-8111-111111111111', title: 'Sim Album', artist: 'Sim Artist', date: '2004-05-06', discIds: [discId], tracks: ['One', 'Two', 'Three'], cover: true },
        { id: '22222222-2222-4222-8222-222222222222', title: 'Sim Album (Deluxe)', artist: 'Sim Artist', date: '2010', country: 'DE', discIds: [discId], tracks: ['Uno', 'Dos', 'Tres'], cover: true },
      ],
    };
    const cfg = testConfig(fx.dir, [fx.sim], { metadata_lookup: true, eject_after_copy: false, audio_output: 'folder' });
    fx.core = await startTestCore(cfg);
    await simInsert(fx.sim, disc.cuePath);
    await waitForState(cfg, 'sim0', 'waiting_for_metadata');
    const pending = (await readContractValue(apiPaths(cfg.api_dir).attributes('sim0'), AttributesSchema))?.pending;
    expect(pending?.awaiting).toBe('metadata');
    expect(pending?.candidates.map((c) => [c.id, c.title, c.artist, c.year])).toEqual([
      ['musicbrainz:11111111-1111-4111-8111-111111111111', 'Sim Album', 'Sim Artist', 2004],
      ['musicbrainz:22222222-2222-4222-8222-222222222222', 'Sim Album (Deluxe)', 'Sim Artist', 2010],
    ]);
    expect(pending?.candidates.every((c) => c.cover_file?.endsWith('.png'))).toBe(true);
    expect(standin.requests.some((r) => r.url.startsWith(`/ws/2/discid/${discId}?toc=`))).toBe(true);

    await fx.core.control.execute('sim0', { action: 'select_metadata', candidate_id: 'musicbrainz:22222222-2222-4222-8222-222222222222' });
    await waitFor(async () => ((await history(cfg))?.entries.length ?? 0) > 0, { timeoutMs: 90_000, message: 'the rip in history' });
    const entry = (await history(cfg))?.entries[0];
    expect(entry?.result).toBe('success');
    const output = join(fx.dir, 'output');
    expect(relative(output, entry?.image_path ?? '')).toBe('audio/Sim_Artist/Sim_Album_(Deluxe) (2010)');
    expect(entry?.disc_label).toBe('Sim Artist - Sim Album (Deluxe)');
    expect(entry?.metadata).toMatchObject({ source: 'musicbrainz', source_id: '22222222-2222-4222-8222-222222222222', kind: 'album', chosen_by: 'user' });
    const files = (await readdir(entry?.image_path ?? '')).sort();
    expect(files.filter((f) => f.endsWith('.flac'))).toEqual(['01 - Uno.flac', '02 - Dos.flac', '03 - Tres.flac']);
    expect(files).toContain('folder.png');
    expect(entry?.cover_path).toBe(join(entry?.image_path ?? '', 'folder.png'));
    const nfo = await readFile(join(entry?.image_path ?? '', 'album.nfo'), 'utf8');
    expect(nfo).toContain('<album>');
    expect(nfo).toContain('<title>Sim Album (Deluxe)</title>');
    expect(nfo).toContain('<artist>Sim Artist</artist>');
    expect(nfo).toContain('<year>2010</year>');
    expect(nfo).toContain('<musicbrainzalbumid>22222222-2222-4222-8222-222222222222</musicbrainzalbumid>');
    await fx.core.stop();
    fx.core = null;
    // Rebuilt from the record: the choice and the cover inside the album folder.
    const rebuilt = (await historyFromRecords(output))[0];
    expect(rebuilt?.metadata?.source_id).toBe('22222222-2222-4222-8222-222222222222');
    expect(rebuilt?.cover_path).toBe(join(entry?.image_path ?? '', 'folder.png'));
  });
  it('search_metadata on an audio CD: MusicBrainz release search; the tracks of the chosen release are read when chosen', { timeout: 120_000 }, async () => {
    const disc = await writeSampleAudioCd(join(fx.dir, 'cd', 'search.cue'), { tracks: [150, 120].map((sectors) => ({ sectors })) });
    const discId = musicbrainzDiscId(disc.toc);
    standin.catalogue = {
      tmdbApiKey: 'k',
      titles: [],
      releases: [
        { id: '33333333-3333-4333-8333-333333333333', title: 'First Pressing', artist: 'Band', date: '1990', discIds: [discId], tracks: ['A', 'B'], cover: false },
        { id: '44444444-4444-4444-8444-444444444444', title: 'Second Pressing', artist: 'Band', date: '1991', discIds: [discId], tracks: ['C', 'D'], cover: false },
        { id: '55555555-5555-4555-8555-555555555555', title: 'Live at Somewhere', artist: 'Other Band', date: '2002-02-02', discIds: [], tracks: ['Intro', 'Outro'], cover: true },
      ],
    };
    const cfg = testConfig(fx.dir, [fx.sim], { metadata_lookup: true, eject_after_copy: false, audio_output: 'folder' });
    fx.core = await startTestCore(cfg);
    await simInsert(fx.sim, disc.cuePath);
    await waitForState(cfg, 'sim0', 'waiting_for_metadata');
    expect(await fx.core.control.execute('sim0', { action: 'search_metadata', query: 'live somewhere' })).toMatchObject({ ok: true, params: { count: 1 } });
    const pending = (await readContractValue(apiPaths(cfg.api_dir).attributes('sim0'), AttributesSchema))?.pending;
    expect(pending?.candidates.map((c) => [c.id, c.title, c.artist, c.year])).toEqual([['musicbrainz:55555555-5555-4555-8555-555555555555', 'Live at Somewhere', 'Other Band', 2002]]);
    expect(pending?.candidates[0]?.cover_file).toMatch(/\.png$/);
    expect(standin.requests.some((r) => r.url.startsWith('/ws/2/release?'))).toBe(true);
    expect(await fx.core.control.execute('sim0', { action: 'select_metadata', candidate_id: 'musicbrainz:55555555-5555-4555-8555-555555555555' })).toMatchObject({ ok: true });
    await waitFor(async () => ((await history(cfg))?.entries.length ?? 0) > 0, { timeoutMs: 90_000, message: 'the rip in history' });
    const entry = (await history(cfg))?.entries[0];
    expect(relative(join(fx.dir, 'output'), entry?.image_path ?? '')).toBe('audio/Other_Band/Live_at_Somewhere (2002)');
    expect((await readdir(entry?.image_path ?? '')).filter((f) => f.endsWith('.flac')).sort()).toEqual(['01 - Intro.flac', '02 - Outro.flac']);
    expect(standin.requests.some((r) => r.url.startsWith('/ws/2/release/55555555-5555-4555-8555-555555555555?'))).toBe(true);
  });
});

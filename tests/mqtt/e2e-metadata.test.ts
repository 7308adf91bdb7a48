/**
 * End to end, metadata before the copy: the real core (`node dist/cli.js run`) asking the
 * loopback TMDB stand-in, the real bridge (`node dist/cli.js mqtt`), a real Mosquitto. A
 * DVD-Video with several matches waits; Home Assistant's "Metadata" select and "Title" text
 * (here: messages on their command topics, as HA publishes them) decide its name.
 */
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { connectAsync } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { HistorySchema, type History } from '../../src/contract/index.js';
import { DEMO_CATALOGUE, startMetadataStandin } from '../../src/demo/metadata-standin.js';
import { writeSampleIso } from '../../src/demo/sample-iso.js';
import { simInsert } from '../../src/drive/index.js';
import { cleanupsAfterAll } from '../helpers/cleanups.js';
import { MOSQUITTO_AVAILABLE, requireMosquitto } from '../helpers/mosquitto.js';
import { BUILT, CLI, e2eFolder, e2eRig, outputTails } from './cli-rig.js';
import { waitFor } from './support.js';

requireMosquitto();
if (!BUILT) console.warn(`SKIPPED: ${CLI} is missing; run "npm run build" for the MQTT end-to-end test`);

interface MetadataTopic {
  waiting: boolean;
  option: string;
  title: string;
  candidates: Array<{ id: string; label: string }>;
  chosen: { title: string; chosen_by: string } | null;
}

describe.skipIf(!MOSQUITTO_AVAILABLE || !BUILT)('end to end: choosing a disc’s name from Home Assistant', () => {
  const cleanups = cleanupsAfterAll();

  it('a DVD-Video with two films waits with both as select options and a cover; the select names the ISO, the Title text types one', { timeout: 240_000 }, async () => {
    const { broker, dir, recorder, spawn } = await e2eRig(cleanups, 'disk2iso-e2e-meta-');
    const standin = await startMetadataStandin(DEMO_CATALOGUE);
    cleanups.defer(() => standin.close());
    const { sim, apiDir, optionsPath } = await e2eFolder(dir, 'UNUSED', 1, broker.port, {
      tmdb_api_key: DEMO_CATALOGUE.tmdbApiKey,
      eject_after_copy: false,
      dvd_video_mode: 'raw',
    });
    const discs = [
      await sample(dir, 'MY_MOVIE_DISC_1', new Date('2026-01-01T10:00:00Z')),
      await sample(dir, 'MY_MOVIE_DISC_2', new Date('2026-01-02T10:00:00Z')),
    ];

    const core = spawn('run', optionsPath, standin.env());
    const bridge = spawn('mqtt', optionsPath);
    const logs = () => outputTails({ core, bridge });
    const state = () => recorder.last('disk2iso/sim0/state');
    const metadata = () => recorder.json<MetadataTopic>('disk2iso/sim0/metadata');
    const options = () => recorder.json<{ components: Record<string, { options?: string[] }> }>('homeassistant/device/disk2iso/sim0/config')?.components.metadata?.options ?? [];
    const history = async (): Promise<History | null> =>
      readFile(join(apiDir, 'history.json'), 'utf8').then(
        (text) => HistorySchema.parse(JSON.parse(text)),
        () => null,
      );
    const client = await connectAsync(broker.url);
    cleanups.defer(() => client.endAsync());
    await waitFor(() => state() === 'waiting_for_media', { timeout: 60_000, message: () => `waiting_for_media${logs()}` });

    // 1. Two films (and a series) match: they are the select's options, the default its state, its cover on the image topic.
    await simInsert(sim, discs[0]!);
    await waitFor(() => metadata()?.waiting, { timeout: 60_000, message: () => `a pending choice${logs()}` });
    expect(state()).toBe('waiting_for_metadata');
    await waitFor(() => options().length === 3, { message: () => `three options, have ${JSON.stringify(options())}` });
    expect(options()).toEqual(['My Movie (2004)', 'My Movie (2019)', 'My Movie: The Series (2021)']);
    expect(metadata()).toMatchObject({ option: 'My Movie (2004)', title: 'My Movie' });
    const cover = await waitFor(() => recorder.last('disk2iso/sim0/cover') || undefined, { message: 'a cover' });
    expect(Buffer.from(cover, 'base64').subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');

    await client.publishAsync('disk2iso/sim0/command/metadata', 'My Movie (2019)', { qos: 1 });
    await waitFor(async () => ((await history())?.entries.length ?? 0) === 1, { timeout: 60_000, message: () => `the first copy${logs()}` });
    const first = (await history())!.entries[0]!;
    expect(basename(first.image_path ?? '')).toBe('My_Movie (2019).iso');
    expect(first.metadata).toMatchObject({ source: 'tmdb', source_id: 'movie-9002', chosen_by: 'user', title: 'My Movie', year: 2019 });
    await waitFor(() => recorder.json<{ title: string }>('disk2iso/archive')?.title === 'My Movie', { message: 'Last archived names the film' });
    // The metadata topic follows attributes.json, Last archived follows history.json: no order between the two files.
    await waitFor(() => metadata()?.waiting === false, { message: () => `the choice made: ${JSON.stringify(metadata())}${logs()}` });
    expect(metadata()).toMatchObject({ waiting: false, chosen: { title: 'My Movie', chosen_by: 'user' } });

    // 2. The next disc gets a typed title through the Title text entity.
    await client.publishAsync('disk2iso/sim0/command/eject', 'PRESS', { qos: 1 });
    await waitFor(() => state() === 'waiting_for_media', { timeout: 30_000, message: () => `ejected${logs()}` });
    await simInsert(sim, discs[1]!);
    await waitFor(() => metadata()?.waiting, { timeout: 60_000, message: () => `the second pending choice${logs()}` });
    await client.publishAsync('disk2iso/sim0/command/title', 'Our Holiday 2020', { qos: 1 });
    await waitFor(async () => ((await history())?.entries.length ?? 0) === 2, { timeout: 60_000, message: () => `the second copy${logs()}` });
    const second = (await history())!.entries[0]!;
    expect(second.metadata).toMatchObject({ source: 'user', chosen_by: 'typed', title: 'Our Holiday 2020' });
    expect(basename(second.image_path ?? '')).toMatch(/^Our_Holiday_2020/);
    await waitFor(() => recorder.json<{ title: string }>('disk2iso/archive')?.title === 'Our Holiday 2020', { message: 'Last archived names the typed title' });
  });
});

/** A small DVD-Video (VIDEO_TS) made without external tools, as the demo makes it. */
async function sample(dir: string, label: string, date: Date): Promise<string> {
  const path = join(dir, `${label}.iso`);
  await writeSampleIso(path, { label, dataBytes: 4 * 1024 * 1024, date, dvdVideo: true });
  return path;
}

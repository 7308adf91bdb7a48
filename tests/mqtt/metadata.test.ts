import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { describe, expect, it } from 'vitest';
import type { Attributes, MetadataCandidate, PendingChoice } from '../../src/contract/index.js';
import { parseCommand } from '../../src/mqtt/commands.js';
import { metadataPayload, optionLabels } from '../../src/mqtt/metadata.js';
import { archivePayload } from '../../src/mqtt/projection.js';
import { startBridge, type RunningBridge } from '../../src/mqtt/index.js';
import { cleanupsAfterEach } from '../helpers/cleanups.js';
import { MOSQUITTO_AVAILABLE, requireMosquitto } from '../helpers/mosquitto.js';
import { checkDevicePayload } from './ha-rules.js';
import { fakeContract, FAST_SETTINGS, memoryLogger, readRetained, recorderFor, testConfig, useBroker, waitFor } from './support.js';

requireMosquitto();

function candidate(over: Partial<MetadataCandidate>): MetadataCandidate {
  return { id: 'tmdb:1', source: 'tmdb', kind: 'movie', title: 'A film', year: 2001, artist: null, overview: null, cover_url: null, cover_file: null, ...over };
}
const TWO: PendingChoice = {
  awaiting: 'metadata',
  candidates: [
    candidate({ id: 'tmdb:603', title: 'The Matrix', year: 1999, cover_file: 'tmdb-603.jpg' }),
    candidate({ id: 'tmdb:604', title: 'The Matrix', year: 1999, cover_file: 'tmdb-604.jpg' }),
  ],
  default_id: 'tmdb:604',
  query: 'matrix',
  deadline: '2026-01-01T00:02:00.000Z',
  notes: [{ code: 'some_future_note', params: {} }],
};
const attrs = (over: Partial<Attributes>) => ({ pending: null, metadata: null, ...over }) as Attributes;
/** Not a real JPEG; the bridge sends bytes as they are, HA decodes them. */
const COVER = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 1, 2, 3, 0xff, 0xd9]);

describe('the metadata topic and the select options (pure)', () => {
  it('labels candidates "Title (Year)", unique, cut to a length HA shows', () => {
    expect(optionLabels([{ title: 'Alien', year: 1979 }, { title: 'Alien', year: 1979 }, { title: 'Alien', year: null }, { title: 'None', year: null }])).toEqual([
      'Alien (1979)',
      'Alien (1979) [2]',
      'Alien',
      'None [2]',
    ]);
    const [long] = optionLabels([{ title: `${'x'.repeat(10_000)}\n<b>`, year: 2000 }]);
    expect(long!.length).toBeLessThanOrEqual(120);
    expect(long!.endsWith('…')).toBe(true);
  });

  it('gives the default as the select state and its title as the text state; None and empty when nothing waits', () => {
    const payload = metadataPayload(attrs({ pending: TWO }));
    expect(payload).toMatchObject({ waiting: true, awaiting: 'metadata', option: 'The Matrix (1999) [2]', title: 'The Matrix', default_id: 'tmdb:604', query: 'matrix' });
    expect(payload.candidates.map((c) => [c.id, c.label, c.has_cover])).toEqual([
      ['tmdb:603', 'The Matrix (1999)', true],
      ['tmdb:604', 'The Matrix (1999) [2]', true],
    ]);
    expect(payload.notes).toEqual([{ code: 'some_future_note', text: 'some_future_note' }]);
    expect(metadataPayload(null)).toMatchObject({ waiting: false, option: 'None', title: '', candidates: [], chosen: null });
    const chosen = metadataPayload(
      attrs({ metadata: { source: 'user', source_id: null, kind: null, title: 'Typed', year: null, artist: null, chosen_by: 'typed', cover_file: null } }),
    );
    expect(chosen).toMatchObject({ waiting: false, title: 'Typed', chosen: { title: 'Typed', chosen_by: 'typed' } });
  });

  it('turns a select option into select_metadata with the candidate id, a text into set_title / search_metadata', () => {
    const drives = new Set(['sr0']);
    const payload = metadataPayload(attrs({ pending: TWO }));
    const parse = (name: string, text: string) => parseCommand({ drive: 'sr0', name }, Buffer.from(text), false, drives, () => payload);
    expect(parse('metadata', 'The Matrix (1999) [2]')).toEqual({ ok: true, drive: 'sr0', command: { action: 'select_metadata', candidate_id: 'tmdb:604' } });
    expect(parse('metadata', 'Not offered')).toMatchObject({ ok: false, reason: 'bad_payload' });
    expect(parse('title', '  Mein Film (2001) ')).toEqual({ ok: true, drive: 'sr0', command: { action: 'set_title', title: 'Mein Film (2001)' } });
    expect(parse('metadata_search', 'matrix reloaded')).toEqual({ ok: true, drive: 'sr0', command: { action: 'search_metadata', query: 'matrix reloaded' } });
    expect(parse('skip_metadata', 'PRESS')).toEqual({ ok: true, drive: 'sr0', command: { action: 'skip_metadata' } });
    expect(parse('title', 'x'.repeat(201))).toMatchObject({ ok: false, reason: 'bad_payload' });
    expect(parse('title', 'é'.repeat(600))).toMatchObject({ ok: false, reason: 'bad_payload', detail: 'payload of 1200 bytes is too long' });
  });

  it('names the last archived disc by its chosen metadata, else its label', () => {
    const entry = { result: 'success', disc_label: 'MATRIX_D1', drive_id: 'sr0', disc_type: 'dvd-video', image_path: '/x.iso', finished: 'f' };
    const history = (e: object) => ({ schema_version: 1, entries: [e], archived_total: { sr0: 1 }, updated: 'u' }) as never;
    expect(archivePayload(history(entry)).title).toBe('MATRIX_D1');
    expect(archivePayload(history({ ...entry, metadata: { title: 'The Matrix' } })).title).toBe('The Matrix');
  });
});

describe.skipIf(!MOSQUITTO_AVAILABLE)('metadata entities against a real Mosquitto', () => {
  const broker = useBroker();
  const cleanups = cleanupsAfterEach();

  it('publishes the candidates as select options, the default as its state, the cover as base64; HA choices reach the control API', { timeout: 60_000 }, async () => {
    const { dir, apiDir, core, control } = await fakeContract(['sr0'], cleanups);
    const recorder = await recorderFor(cleanups, broker.url);
    const { logger } = memoryLogger();
    const running: RunningBridge = await startBridge(testConfig(apiDir, ['sr0']), logger, {
      broker: { url: broker.url },
      supervisor: null,
      configurationUrl: null,
      stateDir: join(dir, 'mqtt'),
      ...FAST_SETTINGS,
    });
    cleanups.defer(() => running.stop());
    const discovery = () => recorder.json<{ components: Record<string, { options?: string[] }> }>('homeassistant/device/disk2iso/sr0/config');
    await waitFor(() => discovery()?.components.metadata?.options?.[0] === '—', { message: 'idle Metadata select' });
    await core.writeAttributes('sr0');
    await waitFor(() => recorder.json<{ option: string }>('disk2iso/sr0/metadata')?.option === 'None', { message: 'nothing pending' });
    expect(recorder.last('disk2iso/sr0/cover') ?? '').toBe('');

    // Two matches wait, each with a cover in the contract's covers folder.
    await mkdir(core.paths.covers('sr0'), { recursive: true });
    await writeFile(join(core.paths.covers('sr0'), 'tmdb-604.jpg'), COVER);
    await core.transition('sr0', 'waiting_for_metadata');
    await core.writeAttributes('sr0', { pending: TWO, metadata: null });
    await waitFor(() => discovery()?.components.metadata?.options?.length === 2, { message: 'candidates as options' });
    expect(discovery()!.components.metadata!.options).toEqual(['The Matrix (1999)', 'The Matrix (1999) [2]']);
    expect(checkDevicePayload('sr0', discovery())).toEqual([]);
    await waitFor(() => recorder.json<{ option: string }>('disk2iso/sr0/metadata')?.option === 'The Matrix (1999) [2]', { message: 'default as state' });
    await waitFor(() => recorder.last('disk2iso/sr0/cover') === COVER.toString('base64'), { message: 'the default candidate’s cover' });
    // The select's options reach HA before the state that names one of them.
    const order = recorder.messages.map((m) => m.topic);
    expect(order.lastIndexOf('homeassistant/device/disk2iso/sr0/config')).toBeLessThan(order.lastIndexOf('disk2iso/sr0/metadata'));

    const client = await connectAsync(broker.url);
    cleanups.defer(() => client.endAsync());
    await client.publishAsync('disk2iso/sr0/command/metadata', 'The Matrix (1999)', { qos: 1 });
    await client.publishAsync('disk2iso/sr0/command/title', 'Matrix, mein Lieblingsfilm', { qos: 1 });
    await client.publishAsync('disk2iso/sr0/command/metadata_search', 'matrix 1999', { qos: 1 });
    await client.publishAsync('disk2iso/sr0/command/skip_metadata', 'PRESS', { qos: 1 });
    await client.publishAsync('disk2iso/sr0/command/metadata', 'Not a candidate', { qos: 1 });
    await waitFor(() => control.commands.length === 4, { message: 'four commands' });
    expect(control.commands.map((c) => c.command)).toEqual([
      { action: 'select_metadata', candidate_id: 'tmdb:603' },
      { action: 'set_title', title: 'Matrix, mein Lieblingsfilm' },
      { action: 'search_metadata', query: 'matrix 1999' },
      { action: 'skip_metadata' },
    ]);

    // Chosen: the cover follows the choice, the select goes back to its idle list.
    await writeFile(join(core.paths.covers('sr0'), 'tmdb-603.jpg'), Buffer.concat([COVER, Buffer.from('603')]));
    await core.writeAttributes('sr0', {
      pending: null,
      metadata: { source: 'tmdb', source_id: '603', kind: 'movie', title: 'The Matrix', year: 1999, artist: null, chosen_by: 'user', cover_file: 'tmdb-603.jpg' },
    });
    await waitFor(() => discovery()?.components.metadata?.options?.[0] === '—', { message: 'idle again' });
    await waitFor(() => recorder.last('disk2iso/sr0/cover') === Buffer.concat([COVER, Buffer.from('603')]).toString('base64'), { message: 'the chosen cover' });
    expect(recorder.json('disk2iso/sr0/metadata')).toMatchObject({ waiting: false, option: 'None', title: 'The Matrix', chosen: { chosen_by: 'user' } });
    const retained = await readRetained(broker.url, 'disk2iso/sr0/#');
    expect(retained.get('disk2iso/sr0/cover')).toBe(Buffer.concat([COVER, Buffer.from('603')]).toString('base64'));

    // The disc leaves: no cover.
    await core.writeAttributes('sr0', { pending: null, metadata: null });
    await waitFor(() => recorder.last('disk2iso/sr0/cover') === '', { message: 'cover cleared' });
  });
});

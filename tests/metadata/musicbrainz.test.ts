import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import type { LookupContext } from '../../src/metadata/fetch-json.js';
import { LookupError, Pacer } from '../../src/metadata/http.js';
import { lookupDiscId } from '../../src/metadata/musicbrainz.js';
import { FIXTURE_DISC_ID, FIXTURE_TOC, startFakeMusicBrainz, type FakeMusicBrainz } from '../fixtures/audio/musicbrainz-server.js';

const silent = pino({ level: 'silent' });
const noWait = new Pacer(0);

describe('lookupDiscId against a loopback MusicBrainz', () => {
  let server: FakeMusicBrainz;
  const ctx = (extra: Partial<LookupContext> = {}): LookupContext => ({ userAgent: 'disk2iso-test/1.0 ( test@example.invalid )', timeoutMs: 10_000, cache: null, logger: silent, ...extra });
  const lookUp = (extra: Partial<LookupContext> = {}, toc = FIXTURE_TOC, discId = FIXTURE_DISC_ID, baseUrl = server.baseUrl) =>
    lookupDiscId(ctx(extra), discId, toc, { baseUrl, coverArtUrl: 'http://caa.invalid', pacer: noWait });

  beforeAll(async () => {
    server = await startFakeMusicBrainz();
  });
  afterAll(async () => {
    await server.close();
  });

  it('the release holding the disc: a candidate with cover address, and the album, artists, year and track titles (track names keep working)', async () => {
    server.mode = 'musicbrainz';
    const { candidates, albums } = await lookUp();
    expect(candidates).toEqual([
      {
        id: 'musicbrainz:0b6a4e5c-2f7d-4c61-9d3c-6f1b8f3e9a01',
        source: 'musicbrainz',
        kind: 'album',
        title: 'Songs for "Testing": Vol. 1/2',
        year: 1999,
        artist: 'The Fixtures & Ünïcødé Band',
        overview: expect.stringContaining('1999-05-04 · XE') as string,
        cover_url: 'http://caa.invalid/release/0b6a4e5c-2f7d-4c61-9d3c-6f1b8f3e9a01/front-250',
        cover_file: null,
      },
    ]);
    expect(albums.get(candidates[0]!.id)).toEqual({
      album: 'Songs for "Testing": Vol. 1/2',
      artist: 'The Fixtures & Ünïcødé Band',
      year: 1999,
      releaseId: '0b6a4e5c-2f7d-4c61-9d3c-6f1b8f3e9a01',
      discId: FIXTURE_DISC_ID,
      tracks: [
        { number: 1, title: 'Smells Like / Fixture Spirit', artist: 'The Fixtures' },
        { number: 2, title: 'A "Quoted" Title', artist: 'Guest Star feat. Someone' },
        { number: 3, title: '../../etc/passwd', artist: 'The Fixtures & Ünïcødé Band' },
        { number: 4, title: 'Ünïcødé ☃ Snow FILE "evil.wav" WAVE', artist: 'The Fixtures & Ünïcødé Band' },
        { number: 5, title: '---', artist: 'The Fixtures & Ünïcødé Band' },
      ],
    });
    const request = server.requests.at(-1);
    expect(request?.url).toBe(`/ws/2/discid/${FIXTURE_DISC_ID}?toc=1+5+1050+150+330+480+675+825&inc=recordings+artist-credits&cdstubs=no&fmt=json`);
    expect(request?.headers['user-agent']).toBe('disk2iso-test/1.0 ( test@example.invalid )');
    expect(request?.headers.accept).toBe('application/json');
  });

  it('no candidates for a disc MusicBrainz does not know (404), or whose medium has another number of tracks', async () => {
    server.mode = 'musicbrainz';
    expect((await lookUp({}, FIXTURE_TOC, 'unknownDiscIdxxxxxxxxxxxxxx-')).candidates).toEqual([]);
    const fewer = { ...FIXTURE_TOC, lastTrack: 4, tracks: FIXTURE_TOC.tracks.slice(0, 4) };
    expect((await lookUp({}, fewer)).candidates).toEqual([]);
  });

  it.each([
    ['garbage', 'invalid'],
    ['wrong-schema', 'invalid'],
    ['huge', 'too_large'],
    ['unavailable', 'http'],
  ] as const)('a LookupError when the server answers %s', async (mode, reason) => {
    server.mode = mode;
    const before = server.requests.length;
    await expect(lookUp()).rejects.toMatchObject({ name: 'LookupError', reason });
    expect(server.requests.length).toBe(before + 1);
  });

  it('gives up within the time limit, on cancel, and when nothing listens', async () => {
    server.mode = 'hang';
    await expect(lookUp({ timeoutMs: 300 })).rejects.toMatchObject({ reason: 'timeout' });
    const controller = new AbortController();
    const pending = lookUp({ timeoutMs: 60_000, signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(LookupError);
    await expect(lookUp({}, FIXTURE_TOC, FIXTURE_DISC_ID, 'http://127.0.0.1:9/ws/2')).rejects.toMatchObject({ reason: 'offline' });
  });
});

describe('Pacer: one MusicBrainz request per second', () => {
  it('spaces turns by the interval, in order', async () => {
    const pacer = new Pacer(200);
    const times: number[] = [];
    const start = Date.now();
    await Promise.all([0, 1, 2].map(async () => {
      await pacer.turn();
      times.push(Date.now() - start);
    }));
    expect(times).toHaveLength(3);
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(190);
    expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(190);
  });
});

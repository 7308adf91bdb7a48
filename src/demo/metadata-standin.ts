// A loopback stand-in for the metadata services disk2iso asks (they cannot be reached from the
// demo or the tests): MusicBrainz /ws/2 (disc id lookup, release search, release lookup), the
// Cover Art Archive (front-250, answered with a redirect like the real one), TMDB v3
// (/search/movie, /search/tv with api_key) and its image CDN. Answers have the documented shapes.
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { deflateSync } from 'node:zlib';

export interface StandinTitle {
  readonly id: number;
  readonly kind: 'movie' | 'tv';
  readonly title: string;
  /** `YYYY-MM-DD` (release_date / first_air_date). */
  readonly date: string;
  readonly overview: string;
  /** `/name.jpg` at the image CDN; null: no poster. */
  readonly poster: string | null;
}

export interface StandinRelease {
  /** The release MBID. */
  readonly id: string;
  readonly title: string;
  readonly artist: string;
  readonly date: string;
  readonly country?: string;
  /** MusicBrainz disc ids of its medium. */
  readonly discIds: readonly string[];
  readonly tracks: readonly string[];
  /** Whether the Cover Art Archive has a front cover. */
  readonly cover: boolean;
}

/** What an image path answers: bytes, or a hostile answer (an endless 50 MB "JPEG"). */
export type StandinImage = Buffer | 'huge';

export interface StandinCatalogue {
  /** The TMDB key the stand-in accepts; others get TMDB's 401. */
  readonly tmdbApiKey: string;
  readonly titles: readonly StandinTitle[];
  readonly releases: readonly StandinRelease[];
  /** Image CDN paths (`/w342/x.jpg`) or cover art (`/release/<mbid>`) with special answers; others get a generated PNG. */
  readonly images?: Readonly<Record<string, StandinImage>>;
}

export interface MetadataStandin {
  readonly baseUrl: string;
  /** Every request, in order (path and query, headers). */
  readonly requests: { url: string; headers: IncomingHttpHeaders }[];
  catalogue: StandinCatalogue;
  /** `DISK2ISO_*_URL` variables that point the core at this stand-in. */
  env(): Record<string, string>;
  close(): Promise<void>;
}

/** The demo's catalogue: the sample DVD `MY_MOVIE_DISC_1` has two films and a series to choose from. */
export const DEMO_CATALOGUE: StandinCatalogue = {
  tmdbApiKey: 'demo-key',
  titles: [
    { id: 9001, kind: 'movie', title: 'My Movie', date: '2004-06-18', overview: 'A disc archiver learns to tell films apart.', poster: '/my-movie-2004.jpg' },
    { id: 9002, kind: 'movie', title: 'My Movie', date: '2019-10-02', overview: 'The remake, with more covers.', poster: '/my-movie-2019.jpg' },
    { id: 9101, kind: 'tv', title: 'My Movie: The Series', date: '2021-01-15', overview: 'Every disc, one episode.', poster: '/my-movie-series.jpg' },
  ],
  releases: [],
};

// ── a small PNG so posters are real images in the browser ───────────────────────────────

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** A poster-shaped PNG in one colour derived from `seed`. */
export function posterPng(seed: string, width = 60, height = 90): Buffer {
  const hash = crc32(Buffer.from(seed));
  const rgb = [hash & 0xff, (hash >> 8) & 0xff, (hash >> 16) & 0xff];
  const row = Buffer.alloc(1 + width * 3);
  for (let x = 0; x < width; x++) row.set(rgb, 1 + x * 3);
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

// ── answers in the services' documented shapes ──────────────────────────────────────────

const words = (s: string): string[] => s.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
const matches = (title: string, query: string): boolean => words(query).every((w) => words(title).includes(w));

function tmdbResult(t: StandinTitle): Record<string, unknown> {
  const common = { id: t.id, overview: t.overview, poster_path: t.poster, backdrop_path: null, popularity: 10, vote_average: 7.1, vote_count: 100, original_language: 'en', genre_ids: [18], adult: false };
  return t.kind === 'movie'
    ? { ...common, title: t.title, original_title: t.title, release_date: t.date, video: false }
    : { ...common, name: t.title, original_name: t.title, first_air_date: t.date, origin_country: ['US'] };
}

function mbRelease(r: StandinRelease, withTracks: boolean): Record<string, unknown> {
  return {
    id: r.id,
    title: r.title,
    status: 'Official',
    date: r.date,
    country: r.country ?? 'XE',
    disambiguation: '',
    'artist-credit': [{ name: r.artist, joinphrase: '', artist: { id: '00000000-0000-4000-8000-000000000001', name: r.artist, 'sort-name': r.artist } }],
    'label-info': [{ 'catalog-number': 'SIM-1', label: { id: '00000000-0000-4000-8000-000000000002', name: 'Stand-in Records' } }],
    'cover-art-archive': { artwork: r.cover, front: r.cover, back: false, count: r.cover ? 1 : 0 },
    media: [
      {
        position: 1,
        format: 'CD',
        'track-count': r.tracks.length,
        ...(withTracks
          ? {
              discs: r.discIds.map((id) => ({ id, sectors: 0, 'offset-count': r.tracks.length, offsets: [] })),
              tracks: r.tracks.map((title, i) => ({ id: `t-${i}`, position: i + 1, number: String(i + 1), title, length: 1000, recording: { id: `r-${i}`, title } })),
            }
          : {}),
      },
    ],
  };
}

/**
 * Starts the stand-in on 127.0.0.1 (a free port): MusicBrainz under `/ws/2`, the Cover Art
 * Archive under `/coverart`, TMDB under `/3`, its images under `/t/p`.
 */
export async function startMetadataStandin(catalogue: StandinCatalogue = DEMO_CATALOGUE): Promise<MetadataStandin> {
  const requests: { url: string; headers: IncomingHttpHeaders }[] = [];
  const state = { catalogue };
  const open = new Set<ServerResponse>();
  const server: Server = createServer((req, res) => {
    requests.push({ url: req.url ?? '', headers: req.headers });
    open.add(res);
    res.on('close', () => open.delete(res));
    const url = new URL(req.url ?? '/', 'http://standin');
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
    };
    const image = (key: string, fallbackSeed: string): void => {
      const special = state.catalogue.images?.[key];
      if (special === 'huge') {
        // An "image" of 50 MB with no length announced: only a size cap on the stream stops it.
        res.writeHead(200, { 'content-type': 'image/jpeg' });
        const block = Buffer.alloc(1024 * 1024, 0x41);
        block.set([0xff, 0xd8, 0xff, 0xe0], 0);
        let sent = 0;
        const pump = (): void => {
          while (sent < 50 && !res.destroyed) {
            sent++;
            if (!res.write(block)) {
              res.once('drain', pump);
              return;
            }
          }
          res.end();
        };
        pump();
        return;
      }
      const bytes = special ?? posterPng(fallbackSeed);
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': bytes.length }).end(bytes);
    };
    const cat = state.catalogue;
    const path = url.pathname;
    // TMDB v3
    const search = /^\/3\/search\/(movie|tv)$/.exec(path);
    if (search) {
      if (url.searchParams.get('api_key') !== cat.tmdbApiKey) {
        return json(401, { status_code: 7, status_message: 'Invalid API key: You must be granted a valid key.', success: false });
      }
      const query = url.searchParams.get('query') ?? '';
      const results = cat.titles.filter((t) => t.kind === search[1] && matches(t.title, query)).map(tmdbResult);
      return json(200, { page: 1, results, total_pages: 1, total_results: results.length });
    }
    if (path.startsWith('/t/p/')) return image(path.slice('/t/p'.length), path);
    // MusicBrainz /ws/2
    const discid = /^\/ws\/2\/discid\/([^/]+)$/.exec(path);
    if (discid) {
      const found = cat.releases.filter((r) => r.discIds.includes(decodeURIComponent(discid[1] ?? '')));
      if (found.length === 0) return json(404, { error: 'Not Found', help: 'For usage, please see: https://musicbrainz.org/development/mmd' });
      return json(200, { id: discid[1], sectors: 0, 'offset-count': 0, offsets: [], releases: found.map((r) => mbRelease(r, true)) });
    }
    if (path === '/ws/2/release') {
      const query = url.searchParams.get('query') ?? '';
      const found = cat.releases.filter((r) => matches(`${r.title} ${r.artist}`, query));
      return json(200, { created: new Date().toISOString(), count: found.length, offset: 0, releases: found.map((r) => ({ ...mbRelease(r, false), score: 100 })) });
    }
    const release = /^\/ws\/2\/release\/([0-9a-f-]{36})$/.exec(path);
    if (release) {
      const found = cat.releases.find((r) => r.id === release[1]);
      return found ? json(200, mbRelease(found, true)) : json(404, { error: 'Not Found' });
    }
    // Cover Art Archive: a redirect to the image, as coverartarchive.org sends to archive.org.
    const front = /^\/coverart\/release\/([0-9a-f-]{36})\/front(?:-250|-500)?$/.exec(path);
    if (front) {
      const found = cat.releases.find((r) => r.id === front[1]);
      if (!found?.cover) return res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
      return res.writeHead(307, { location: `/coverart-files/${front[1]}.png` }).end();
    }
    const file = /^\/coverart-files\/([0-9a-f-]{36})\.png$/.exec(path);
    if (file) return image(`/release/${file[1]}`, file[1] ?? '');
    return json(404, { error: 'Not Found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    baseUrl,
    requests,
    get catalogue() {
      return state.catalogue;
    },
    set catalogue(value: StandinCatalogue) {
      state.catalogue = value;
    },
    env: () => ({
      DISK2ISO_MUSICBRAINZ_URL: `${baseUrl}/ws/2`,
      DISK2ISO_COVERART_URL: `${baseUrl}/coverart`,
      DISK2ISO_TMDB_URL: `${baseUrl}/3`,
      DISK2ISO_TMDB_IMAGE_URL: `${baseUrl}/t/p`,
    }),
    close: async () => {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

import { join } from 'node:path';
import { coded, type CodedMessage, type MetadataCandidate } from '../contract/index.js';
import type { Logger } from '../log/index.js';
import { errorMessage } from '../util/errors.js';
import { PACKAGE } from '../util/version.js';
import { MetadataCache } from './cache.js';
import { fetchCover, storeCover } from './covers.js';
import type { LookupContext } from './fetch-json.js';
import { LookupError } from './http.js';
import { lookupDiscId, releaseAlbum, searchReleases, type AlbumRelease, type DiscToc } from './musicbrainz.js';
import { searchTmdb } from './tmdb.js';
import { titleFromLabel } from './title.js';

/** The add-on's metadata options and where the services are (env overrides for tests and the demo). */
export interface MetadataSettings {
  /** Option metadata_lookup: off asks no service at all. */
  readonly enabled: boolean;
  readonly tmdbApiKey: string;
  /** TMDB result language (`en`, `de`, `pt-BR`). */
  readonly language: string;
  /** `<data>/metadata-cache`; null: no cache. */
  readonly cacheDir: string | null;
  readonly userAgent: string;
  /** Per request. */
  readonly requestTimeoutMs: number;
  readonly urls: { readonly musicbrainz?: string; readonly coverArt?: string; readonly tmdb?: string; readonly tmdbImage?: string };
}

/** What a disc is looked up by: an audio CD's disc id and TOC, a video disc's label; data discs are not. */
export type DiscQuery =
  | { readonly kind: 'audio'; readonly discId: string; readonly toc: DiscToc }
  | { readonly kind: 'video'; readonly label: string | null }
  | { readonly kind: 'none' };

export interface LookupOutcome {
  readonly candidates: MetadataCandidate[];
  /** Audio candidates' track names by candidate id (a searched release gets them when chosen). */
  readonly albums: Map<string, AlbumRelease>;
  /** The search the candidates answer; null when nothing was searched. */
  readonly query: string | null;
  /** Why nothing was looked up or found (message codes for the UI and the log). */
  readonly notes: CodedMessage[];
}

const EMPTY: LookupOutcome = { candidates: [], albums: new Map(), query: null, notes: [] };

/**
 * How disk2iso introduces itself to MusicBrainz, which asks every client for a name, a version and
 * a contact (https://musicbrainz.org/doc/MusicBrainz_API/Rate_Limiting): package.json's homepage
 * or repository when it has one.
 */
export const USER_AGENT = `disk2iso/${PACKAGE.version} ( ${PACKAGE.supportUrl ?? 'Home Assistant add-on disk2iso'} )`;

/** Service names as users know them (log and notes). */
const SERVICE_NAMES = { musicbrainz: 'MusicBrainz', tmdb: 'TMDB' } as const;

/** The environment's overrides of the services' addresses (tests, the demo's stand-in). */
export function serviceUrlsFromEnv(env: NodeJS.ProcessEnv = process.env): MetadataSettings['urls'] {
  return {
    musicbrainz: env.DISK2ISO_MUSICBRAINZ_URL || undefined,
    coverArt: env.DISK2ISO_COVERART_URL || undefined,
    tmdb: env.DISK2ISO_TMDB_URL || undefined,
    tmdbImage: env.DISK2ISO_TMDB_IMAGE_URL || undefined,
  };
}

/**
 * The metadata lookups of one core: MusicBrainz for audio CDs, TMDB for video discs, covers from
 * the Cover Art Archive and TMDB's image CDN, all cached on disk. Every method resolves (never
 * rejects): a service that cannot be asked becomes a note, and the disc keeps its label.
 */
export class MetadataLookup {
  readonly #settings: MetadataSettings;
  readonly #cache: MetadataCache | null;
  readonly #log: Logger;
  /** When the cache was last pruned: at the first lookup, then at most once a day. */
  #pruned = 0;

  constructor(settings: MetadataSettings, logger: Logger) {
    this.#settings = settings;
    this.#cache = settings.cacheDir ? new MetadataCache(settings.cacheDir) : null;
    this.#log = logger.child({ ns: 'metadata' });
  }

  #pruneDaily(): void {
    const cache = this.#cache;
    if (!cache || Date.now() - this.#pruned < 24 * 3600 * 1000) return;
    this.#pruned = Date.now();
    void cache.prune().then(
      (result) => {
        if (result.removed > 0) this.#log.info(result, 'metadata cache: removed %d old file(s)', result.removed);
      },
      (error: unknown) => this.#log.warn({ err: errorMessage(error) }, 'metadata cache: pruning failed'),
    );
  }

  /** The service a query asks, for the status line; null when none is asked. */
  serviceFor(query: DiscQuery): string | null {
    if (!this.#settings.enabled || query.kind === 'none') return null;
    if (query.kind === 'audio') return SERVICE_NAMES.musicbrainz;
    return this.#settings.tmdbApiKey ? SERVICE_NAMES.tmdb : null;
  }

  #ctx(signal?: AbortSignal): LookupContext {
    return { userAgent: this.#settings.userAgent, timeoutMs: this.#settings.requestTimeoutMs, signal, cache: this.#cache, logger: this.#log };
  }

  /** The disc's candidates, best first. */
  async lookUp(query: DiscQuery, signal?: AbortSignal): Promise<LookupOutcome> {
    this.#pruneDaily();
    if (query.kind === 'none') return EMPTY;
    if (!this.#settings.enabled) return { ...EMPTY, notes: [coded('note_lookup_off')] };
    if (query.kind === 'audio') {
      return this.#guard('musicbrainz', null, async () => {
        const found = await lookupDiscId(this.#ctx(signal), query.discId, query.toc, this.#mbOptions());
        return { candidates: found.candidates, albums: found.albums, query: null, notes: [] };
      });
    }
    const title = titleFromLabel(query.label);
    if (title === null) return { ...EMPTY, notes: [coded('note_no_title', { label: query.label ?? '' })] };
    return this.search('video', title, signal);
  }

  /** The user's own search: TMDB for video discs, MusicBrainz release search for audio CDs. */
  async search(kind: 'audio' | 'video', text: string, signal?: AbortSignal): Promise<LookupOutcome> {
    if (!this.#settings.enabled) return { ...EMPTY, query: text, notes: [coded('note_lookup_off')] };
    if (kind === 'audio') {
      return this.#guard('musicbrainz', text, async () => ({ candidates: await searchReleases(this.#ctx(signal), text, this.#mbOptions()), albums: new Map(), query: text, notes: [] }));
    }
    const key = this.#settings.tmdbApiKey;
    if (!key) return { ...EMPTY, query: text, notes: [coded('note_tmdb_no_key')] };
    return this.#guard('tmdb', text, async () => {
      const candidates = await searchTmdb(this.#ctx(signal), text, { apiKey: key, language: this.#settings.language, baseUrl: this.#settings.urls.tmdb, imageUrl: this.#settings.urls.tmdbImage });
      return { candidates, albums: new Map(), query: text, notes: [] };
    });
  }

  /** The tracks of a release chosen from a search (the disc id lookup has them already). */
  async album(mbid: string, toc: DiscToc, discId: string | null, signal?: AbortSignal): Promise<AlbumRelease | null> {
    try {
      return await releaseAlbum(this.#ctx(signal), mbid, toc, discId, this.#mbOptions());
    } catch (error) {
      this.#log.warn({ mbid }, 'MusicBrainz release %s not read: %s', mbid, errorMessage(error));
      return null;
    }
  }

  /**
   * Downloads each candidate's cover into `dir` (`<n>-<source id>.<ext>`), checked and size-capped;
   * candidates whose cover failed keep `cover_file: null`.
   */
  async withCovers(candidates: readonly MetadataCandidate[], dir: string, signal?: AbortSignal): Promise<MetadataCandidate[]> {
    const ctx = this.#ctx(signal);
    const out: MetadataCandidate[] = [];
    for (const [i, c] of candidates.entries()) {
      if (c.cover_url === null || signal?.aborted) {
        out.push(c);
        continue;
      }
      const image = await fetchCover(ctx, c.cover_url);
      const stem = `${i + 1}-${c.id.replace(/[^A-Za-z0-9-]/g, '-')}`.slice(0, 76);
      const file = image ? await storeCover(dir, stem, image).catch(() => null) : null;
      out.push({ ...c, cover_file: file });
    }
    return out;
  }

  #mbOptions() {
    return { baseUrl: this.#settings.urls.musicbrainz, coverArtUrl: this.#settings.urls.coverArt };
  }

  async #guard(service: keyof typeof SERVICE_NAMES, query: string | null, run: () => Promise<LookupOutcome>): Promise<LookupOutcome> {
    try {
      const found = await run();
      this.#log.info({ service, query, candidates: found.candidates.length }, '%s: %d match(es)', SERVICE_NAMES[service], found.candidates.length);
      if (found.candidates.length === 0 && query !== null) return { ...found, notes: [...found.notes, coded('note_no_match', { query })] };
      return found;
    } catch (error) {
      const detail = error instanceof LookupError ? error.message.replace(/^[^:]*: /, '') : errorMessage(error);
      this.#log.warn({ service, query }, '%s lookup failed: %s', SERVICE_NAMES[service], detail);
      return { ...EMPTY, query, notes: [coded('note_lookup_failed', { service: SERVICE_NAMES[service], error: detail })] };
    }
  }
}

/** `<data>/metadata-cache` beside the API folder (`/data/api` in the add-on). */
export function metadataCacheDir(apiDir: string): string {
  return join(apiDir, '..', 'metadata-cache');
}

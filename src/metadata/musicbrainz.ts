import { z } from 'zod';
import type { MetadataCandidate } from '../contract/index.js';
import { cleanText } from '../util/clean-text.js';
import { getJson, type LookupContext } from './fetch-json.js';
import { Pacer } from './http.js';
import { yearOf } from './tmdb.js';

const MUSICBRAINZ_BASE_URL = 'https://musicbrainz.org/ws/2';
const COVERART_BASE_URL = 'https://coverartarchive.org';

/** MusicBrainz allows one request per second per client; every drive of this process shares it. */
const musicBrainzPacer = new Pacer(1000);

/** The TOC as the drive reads it (structurally `Toc` of src/drive). */
export interface DiscToc {
  readonly firstTrack: number;
  readonly lastTrack: number;
  readonly leadOut: number;
  readonly tracks: readonly { readonly number: number; readonly start: number; readonly type: 'audio' | 'data' }[];
}

/** A release's names for a rip (structurally `AlbumMetadata` of src/copy): every text cleaned. */
export interface AlbumRelease {
  album: string | null;
  artist: string | null;
  year: number | null;
  tracks: { number: number; title: string | null; artist: string | null }[];
  releaseId: string | null;
  discId: string | null;
}

export interface MusicBrainzOptions {
  readonly baseUrl?: string;
  readonly coverArtUrl?: string;
  /** Default: the process's one request per second. */
  readonly pacer?: Pacer;
}

const Text = z.string().max(10_000);
const ArtistCredit = z.array(z.object({ name: Text, joinphrase: Text.optional() })).max(50);
const TrackSchema = z.object({
  position: z.number().int().optional(),
  title: Text.optional(),
  'artist-credit': ArtistCredit.optional(),
  recording: z.object({ title: Text.optional(), 'artist-credit': ArtistCredit.optional() }).optional(),
});
const MediumSchema = z.object({
  format: Text.nullable().optional(),
  'track-count': z.number().int().optional(),
  discs: z.array(z.object({ id: Text })).max(200).optional(),
  tracks: z.array(TrackSchema).max(200).optional(),
});
const ReleaseSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9-]{1,64}$/),
  title: Text,
  date: Text.nullable().optional(),
  country: Text.nullable().optional(),
  disambiguation: Text.nullable().optional(),
  'artist-credit': ArtistCredit.optional(),
  'label-info': z.array(z.object({ label: z.object({ name: Text.optional() }).nullable().optional() })).max(50).optional(),
  media: z.array(MediumSchema).max(200).optional(),
});
type Release = z.infer<typeof ReleaseSchema>;
/** `GET /discid/<id>?toc=…&inc=recordings+artist-credits&fmt=json`. */
const DiscIdResponseSchema = z.object({ releases: z.array(ReleaseSchema).max(500) });
/** `GET /release?query=…&fmt=json` (search). */
const SearchResponseSchema = z.object({ releases: z.array(ReleaseSchema).max(100) });

/** Most releases a disc offers to choose from. */
const MAX_RELEASES = 10;

const audioNumbers = (toc: DiscToc): number[] => toc.tracks.filter((t) => t.type === 'audio').map((t) => t.number);

/** The `toc` parameter (first, last, lead-out, offsets; +150 sectors) of an all-audio disc, for fuzzy matches; null otherwise. */
export function tocParameter(toc: DiscToc): string | null {
  if (toc.tracks.length === 0 || toc.tracks.some((t) => t.type !== 'audio')) return null;
  return [toc.firstTrack, toc.lastTrack, toc.leadOut + 150, ...toc.tracks.map((t) => t.start + 150)].join('+');
}

function credit(credits: z.infer<typeof ArtistCredit> | undefined): string | null {
  if (!credits || credits.length === 0) return null;
  return cleanText(credits.map((c) => `${c.name}${c.joinphrase ?? ''}`).join(''), 300);
}

/** The release's medium for this disc: the one with its disc id, else one with as many tracks. */
function albumOf(release: Release, discId: string | null, audio: readonly number[]): AlbumRelease | null {
  const media = release.media ?? [];
  const same = (m: z.infer<typeof MediumSchema>): boolean => (m.tracks?.length ?? m['track-count'] ?? -1) === audio.length;
  const medium = media.find((m) => discId !== null && (m.discs ?? []).some((d) => d.id === discId) && same(m)) ?? media.find(same);
  if (!medium) return null;
  const artist = credit(release['artist-credit']);
  const tracks = [...(medium.tracks ?? [])].sort((a, b) => (a.position ?? 0) - (b.position ?? 0));
  return {
    album: cleanText(release.title, 300),
    artist,
    year: yearOf(release.date),
    releaseId: release.id,
    discId,
    tracks: tracks.map((track, i) => ({
      number: audio[i] ?? i + 1,
      title: cleanText(track.title) ?? cleanText(track.recording?.title),
      artist: credit(track['artist-credit']) ?? credit(track.recording?.['artist-credit']) ?? artist,
    })),
  };
}

function candidateOf(release: Release, coverArtUrl: string): MetadataCandidate {
  const label = release['label-info']?.[0]?.label?.name;
  const formats = [...new Set((release.media ?? []).map((m) => m.format).filter((f): f is string => typeof f === 'string' && f !== ''))].join('+');
  const details = [release.date, release.country, cleanText(label), formats, cleanText(release.disambiguation)].filter((x): x is string => typeof x === 'string' && x !== '');
  return {
    id: `musicbrainz:${release.id}`,
    source: 'musicbrainz',
    kind: 'album',
    title: cleanText(release.title, 300) ?? '?',
    year: yearOf(release.date),
    artist: credit(release['artist-credit']),
    overview: cleanText(details.join(' · '), 1000),
    cover_url: `${coverArtUrl.replace(/\/+$/, '')}/release/${release.id}/front-250`,
    cover_file: null,
  };
}

export interface DiscMatches {
  readonly candidates: MetadataCandidate[];
  /** By candidate id: the names a rip takes from the release. */
  readonly albums: Map<string, AlbumRelease>;
}

/** The releases holding this disc (disc id, or the TOC for a fuzzy match), at most ten; throws `LookupError`. */
export async function lookupDiscId(ctx: LookupContext, discId: string, toc: DiscToc, opts: MusicBrainzOptions = {}): Promise<DiscMatches> {
  const base = (opts.baseUrl ?? MUSICBRAINZ_BASE_URL).replace(/\/+$/, '');
  const tocParam = tocParameter(toc);
  const url = `${base}/discid/${encodeURIComponent(discId)}?${tocParam ? `toc=${tocParam}&` : ''}inc=recordings+artist-credits&cdstubs=no&fmt=json`;
  const answer = await getJson(ctx, { service: 'musicbrainz', url, cacheKey: `musicbrainz:${url}`, schema: DiscIdResponseSchema, pacer: opts.pacer ?? musicBrainzPacer });
  const audio = audioNumbers(toc);
  const candidates: MetadataCandidate[] = [];
  const albums = new Map<string, AlbumRelease>();
  for (const release of answer?.releases ?? []) {
    const album = albumOf(release, discId, audio);
    if (!album || albums.has(`musicbrainz:${release.id}`)) continue;
    const c = candidateOf(release, opts.coverArtUrl ?? COVERART_BASE_URL);
    candidates.push(c);
    albums.set(c.id, album);
    if (candidates.length >= MAX_RELEASES) break;
  }
  return { candidates, albums };
}

/** Releases whose title or artist matches the user's words (MusicBrainz search); throws `LookupError`. */
export async function searchReleases(ctx: LookupContext, query: string, opts: MusicBrainzOptions = {}): Promise<MetadataCandidate[]> {
  const base = (opts.baseUrl ?? MUSICBRAINZ_BASE_URL).replace(/\/+$/, '');
  const url = `${base}/release?${new URLSearchParams({ query, limit: String(MAX_RELEASES), fmt: 'json' }).toString()}`;
  const answer = await getJson(ctx, { service: 'musicbrainz', url, cacheKey: `musicbrainz:${url}`, schema: SearchResponseSchema, pacer: opts.pacer ?? musicBrainzPacer });
  return (answer?.releases ?? []).slice(0, MAX_RELEASES).map((r) => candidateOf(r, opts.coverArtUrl ?? COVERART_BASE_URL));
}

/** One release with its tracks (a release found by search has none yet), for this disc's audio tracks. */
export async function releaseAlbum(ctx: LookupContext, mbid: string, toc: DiscToc, discId: string | null, opts: MusicBrainzOptions = {}): Promise<AlbumRelease | null> {
  const base = (opts.baseUrl ?? MUSICBRAINZ_BASE_URL).replace(/\/+$/, '');
  const url = `${base}/release/${encodeURIComponent(mbid)}?inc=recordings+artist-credits+discids&fmt=json`;
  const release = await getJson(ctx, { service: 'musicbrainz', url, cacheKey: `musicbrainz:${url}`, schema: ReleaseSchema, pacer: opts.pacer ?? musicBrainzPacer });
  return release ? albumOf(release, discId, audioNumbers(toc)) : null;
}

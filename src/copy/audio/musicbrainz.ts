import { z } from 'zod';
import type { Toc } from '../../drive/index.js';
import type { Logger } from '../../log/index.js';
import { errorMessage } from '../../util/errors.js';
import { cleanText, type AlbumMetadata } from './metadata.js';
import { audioTracks } from './tracks.js';

const MUSICBRAINZ_BASE_URL = 'https://musicbrainz.org/ws/2';
/** A disc-id answer is a few kB per release; anything this large is not one. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface MusicBrainzOptions {
  /** Default `https://musicbrainz.org/ws/2`. */
  baseUrl?: string;
  /** MusicBrainz asks every client to identify itself: `disk2iso/0.1.0 ( contact )`. */
  userAgent: string;
  /** The whole lookup (connect, answer, body) gives up after this long. */
  timeoutMs: number;
  signal?: AbortSignal;
  logger: Logger;
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
  discs: z.array(z.object({ id: Text })).max(200).optional(),
  tracks: z.array(TrackSchema).max(200).optional(),
});
const ReleaseSchema = z.object({
  id: Text,
  title: Text,
  date: Text.nullable().optional(),
  'artist-credit': ArtistCredit.optional(),
  media: z.array(MediumSchema).max(200).optional(),
});
/** The part of `GET /discid/<id>?inc=recordings+artist-credits&fmt=json` a rip uses. */
const DiscIdResponseSchema = z.object({ releases: z.array(ReleaseSchema).max(500) });
type DiscIdResponse = z.infer<typeof DiscIdResponseSchema>;

/**
 * Album, artist, year and track titles of the disc with `discId` from the MusicBrainz web
 * service, or null when it is unknown there or anything goes wrong (network, HTTP status, size,
 * schema, a medium whose track count differs from the TOC): a lookup never fails a rip and never
 * holds it longer than `timeoutMs`.
 */
export async function lookupMusicBrainz(discId: string, toc: Toc, opts: MusicBrainzOptions): Promise<AlbumMetadata | null> {
  const base = (opts.baseUrl ?? MUSICBRAINZ_BASE_URL).replace(/\/+$/, '');
  const url = `${base}/discid/${encodeURIComponent(discId)}?inc=recordings+artist-credits&cdstubs=no&fmt=json`;
  const signal = opts.signal ? AbortSignal.any([opts.signal, AbortSignal.timeout(opts.timeoutMs)]) : AbortSignal.timeout(opts.timeoutMs);
  try {
    const response = await fetch(url, { signal, headers: { 'User-Agent': opts.userAgent, Accept: 'application/json' }, redirect: 'follow' });
    if (response.status === 404) {
      await response.body?.cancel();
      opts.logger.info({ discId }, 'disc %s is not in MusicBrainz', discId);
      return null;
    }
    if (!response.ok) {
      await response.body?.cancel();
      opts.logger.warn({ discId, status: response.status }, 'MusicBrainz lookup failed with HTTP %d', response.status);
      return null;
    }
    const parsed = DiscIdResponseSchema.safeParse(JSON.parse(await readBounded(response, MAX_BODY_BYTES)));
    if (!parsed.success) {
      opts.logger.warn({ discId, issues: parsed.error.issues.slice(0, 3) }, 'MusicBrainz answer not understood');
      return null;
    }
    const metadata = pickRelease(parsed.data, discId, toc);
    if (!metadata) opts.logger.warn({ discId }, 'MusicBrainz has no medium with disc %s and the same number of tracks', discId);
    else opts.logger.info({ discId, album: metadata.album, artist: metadata.artist }, 'MusicBrainz: %s', metadata.album ?? '?');
    return metadata;
  } catch (error) {
    const reason = signal.aborted && !opts.signal?.aborted ? `no answer within ${opts.timeoutMs} ms` : errorMessage(error);
    opts.logger.warn({ discId, url }, 'MusicBrainz lookup failed: %s', reason);
    return null;
  }
}

async function readBounded(response: Response, limit: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > limit) {
    await response.body?.cancel();
    throw new Error(`answer too large (${declared} bytes)`);
  }
  const reader: ReadableStreamDefaultReader<Uint8Array> | undefined = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new Error(`answer larger than ${limit} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function credit(credits: z.infer<typeof ArtistCredit> | undefined): string | null {
  if (!credits || credits.length === 0) return null;
  return cleanText(credits.map((c) => `${c.name}${c.joinphrase ?? ''}`).join(''));
}

/** The first release with a medium holding this disc id and as many tracks as the TOC has audio tracks. */
function pickRelease(data: DiscIdResponse, discId: string, toc: Toc): AlbumMetadata | null {
  const audio = audioTracks(toc);
  for (const release of data.releases) {
    for (const medium of release.media ?? []) {
      if (!(medium.discs ?? []).some((d) => d.id === discId)) continue;
      const tracks = [...(medium.tracks ?? [])].sort((a, b) => (a.position ?? 0) - (b.position ?? 0));
      if (tracks.length !== audio.length) continue;
      const artist = credit(release['artist-credit']);
      const year = /^(\d{4})/.exec(release.date ?? '')?.[1];
      return {
        album: cleanText(release.title),
        artist,
        year: year === undefined ? null : Number(year),
        releaseId: cleanText(release.id),
        discId,
        tracks: tracks.map((track, i) => ({
          number: audio[i]?.number ?? i + 1,
          title: cleanText(track.title) ?? cleanText(track.recording?.title),
          artist: credit(track['artist-credit']) ?? credit(track.recording?.['artist-credit']) ?? artist,
        })),
      };
    }
  }
  return null;
}

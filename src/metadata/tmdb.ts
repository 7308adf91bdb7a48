import { z } from 'zod';
import type { MetadataCandidate } from '../contract/index.js';
import { cleanText } from '../util/clean-text.js';
import { getJson, type LookupContext } from './fetch-json.js';

const TMDB_BASE_URL = 'https://api.themoviedb.org/3';
const TMDB_IMAGE_URL = 'https://image.tmdb.org/t/p';

export interface TmdbOptions {
  readonly apiKey: string;
  /** ISO 639-1, optionally with a region (`de`, `pt-BR`). */
  readonly language: string;
  readonly baseUrl?: string;
  readonly imageUrl?: string;
}

const Text = z.string().max(100_000);
const MovieSchema = z.object({
  id: z.number().int().nonnegative(),
  title: Text.optional(),
  original_title: Text.optional(),
  release_date: Text.nullable().optional(),
  overview: Text.nullable().optional(),
  poster_path: Text.nullable().optional(),
});
const TvSchema = z.object({
  id: z.number().int().nonnegative(),
  name: Text.optional(),
  original_name: Text.optional(),
  first_air_date: Text.nullable().optional(),
  overview: Text.nullable().optional(),
  poster_path: Text.nullable().optional(),
});
/** `GET /search/movie` and `/search/tv` (TMDB API v3): a page of results. */
const searchSchema = <T extends z.ZodTypeAny>(result: T) => z.object({ page: z.number().optional(), results: z.array(result).max(100), total_results: z.number().optional() });
const MovieSearchSchema = searchSchema(MovieSchema);
const TvSearchSchema = searchSchema(TvSchema);

/** Most candidates a search offers (each gets its cover fetched). */
const MAX_PER_KIND = { movie: 8, tv: 4 } as const;

export function yearOf(date: string | null | undefined): number | null {
  const match = /^(\d{4})/.exec(date ?? '');
  const year = match ? Number(match[1]) : NaN;
  return year >= 1800 && year <= 2200 ? year : null;
}

/** `/w342/abc.jpg` at the image CDN, when the path is one TMDB gives (a file name, no tricks). */
function posterUrl(path: string | null | undefined, imageUrl: string): string | null {
  if (!path || !/^\/[A-Za-z0-9_-]{1,100}\.(jpg|jpeg|png|webp)$/i.test(path)) return null;
  return `${imageUrl.replace(/\/+$/, '')}/w342${path}`;
}

/**
 * Films, then TV series, whose title matches `query`, in TMDB's order (best first). Throws
 * `LookupError` when TMDB cannot be asked or answers nonsense; an empty list is "no match".
 */
export async function searchTmdb(ctx: LookupContext, query: string, opts: TmdbOptions): Promise<MetadataCandidate[]> {
  const base = (opts.baseUrl ?? TMDB_BASE_URL).replace(/\/+$/, '');
  const imageUrl = opts.imageUrl ?? TMDB_IMAGE_URL;
  const params = (withKey: boolean) =>
    new URLSearchParams({ ...(withKey ? { api_key: opts.apiKey } : {}), query, language: opts.language, include_adult: 'false', page: '1' }).toString();
  const movies = await getJson(ctx, { service: 'tmdb', url: `${base}/search/movie?${params(true)}`, cacheKey: `tmdb:${base}/search/movie?${params(false)}`, schema: MovieSearchSchema });
  const shows = await getJson(ctx, { service: 'tmdb', url: `${base}/search/tv?${params(true)}`, cacheKey: `tmdb:${base}/search/tv?${params(false)}`, schema: TvSearchSchema });
  const out: MetadataCandidate[] = [];
  for (const m of (movies?.results ?? []).slice(0, MAX_PER_KIND.movie)) {
    const title = cleanText(m.title, 300) ?? cleanText(m.original_title, 300);
    if (title === null) continue;
    out.push(candidate(`movie-${m.id}`, 'movie', title, yearOf(m.release_date), m.overview, posterUrl(m.poster_path, imageUrl)));
  }
  for (const t of (shows?.results ?? []).slice(0, MAX_PER_KIND.tv)) {
    const title = cleanText(t.name, 300) ?? cleanText(t.original_name, 300);
    if (title === null) continue;
    out.push(candidate(`tv-${t.id}`, 'tv', title, yearOf(t.first_air_date), t.overview, posterUrl(t.poster_path, imageUrl)));
  }
  return out;
}

function candidate(id: string, kind: 'movie' | 'tv', title: string, year: number | null, overview: string | null | undefined, cover: string | null): MetadataCandidate {
  return { id: `tmdb:${id}`, source: 'tmdb', kind, title, year, artist: null, overview: cleanText(overview, 1000), cover_url: cover, cover_file: null };
}

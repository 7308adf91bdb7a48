/** What an NFO says about the archived disc; every text already cleaned (cleanText). */
export interface NfoFacts {
  readonly kind: 'movie' | 'tv' | 'album';
  readonly title: string;
  readonly year: number | null;
  readonly artist: string | null;
  readonly plot: string | null;
  /** `movie-603` / `tv-1399` for TMDB, the release MBID for MusicBrainz; null for a typed title. */
  readonly sourceId: string | null;
}

/** Text for XML 1.0: characters XML cannot hold dropped, markup characters escaped. */
export function xmlText(value: string): string {
  return value
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

const element = (name: string, value: string | number | null, attrs = ''): string[] => (value === null || value === '' ? [] : [`  <${name}${attrs}>${xmlText(String(value))}</${name}>`]);

/**
 * The NFO Kodi and Jellyfin read beside a film's image (`<name>.nfo`: `<movie>` or `<tvshow>`)
 * or in an album folder (`album.nfo`: `<album>`), with the source's id so they match it exactly.
 */
export function nfoXml(facts: NfoFacts): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'];
  if (facts.kind === 'album') {
    lines.push('<album>', ...element('title', facts.title), ...element('artist', facts.artist), ...element('year', facts.year));
    if (facts.sourceId && /^[0-9a-f-]{36}$/i.test(facts.sourceId)) lines.push(...element('musicbrainzalbumid', facts.sourceId));
    lines.push('</album>');
    return `${lines.join('\n')}\n`;
  }
  const root = facts.kind === 'tv' ? 'tvshow' : 'movie';
  const tmdbId = /^(?:movie|tv)-(\d{1,12})$/.exec(facts.sourceId ?? '')?.[1] ?? null;
  lines.push(`<${root}>`, ...element('title', facts.title), ...element('year', facts.year), ...element('plot', facts.plot));
  if (tmdbId) lines.push(...element('uniqueid', tmdbId, ' type="tmdb" default="true"'));
  lines.push(`</${root}>`);
  return `${lines.join('\n')}\n`;
}

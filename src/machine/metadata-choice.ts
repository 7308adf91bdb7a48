// Pure decisions of metadata before the copy (issue 13): what a disc is looked up by, which
// candidate is the default, what the archive is named after. The machine does the I/O.
import type { ChosenMetadata, DiscType, MetadataCandidate, PendingChoice } from '../contract/index.js';
import { safeFileName } from '../disc/index.js';
import type { DiscQuery, LookupOutcome } from '../metadata/index.js';
import { cleanText } from '../util/clean-text.js';

/** Video discs are looked up in TMDB by their title, audio CDs in MusicBrainz by their disc id; data discs not at all. */
export function lookupKind(type: DiscType): 'audio' | 'video' | 'none' {
  if (type === 'audio-cd') return 'audio';
  return type === 'dvd-video' || type === 'bd-video' ? 'video' : 'none';
}

export function discQuery(type: DiscType, label: string | null, audio: Omit<Extract<DiscQuery, { kind: 'audio' }>, 'kind'> | null): DiscQuery {
  const kind = lookupKind(type);
  if (kind === 'audio') return audio ? { kind, ...audio } : { kind: 'none' };
  return kind === 'video' ? { kind, label } : { kind: 'none' };
}

const fold = (s: string): string => s.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();

/** The best match: the first whose title is the searched title (films before series, TMDB's order), else the first. */
export function defaultCandidate(candidates: readonly MetadataCandidate[], query: string | null): MetadataCandidate | null {
  const wanted = query === null ? null : fold(query);
  return candidates.find((c) => wanted !== null && fold(c.title) === wanted) ?? candidates[0] ?? null;
}

/** What a drive waiting for the user shows (`attributes.pending`). */
export function pendingChoice(found: LookupOutcome, awaiting: PendingChoice['awaiting'], deadline: Date | null): PendingChoice {
  return {
    awaiting,
    candidates: found.candidates.slice(0, 20),
    default_id: defaultCandidate(found.candidates, found.query)?.id ?? null,
    query: found.query === null ? null : found.query.slice(0, 200),
    deadline: deadline?.toISOString() ?? null,
    notes: found.notes.slice(0, 10).map((n) => ({ code: n.code, params: n.params })),
  };
}

export function chosenCandidate(c: MetadataCandidate, chosenBy: ChosenMetadata['chosen_by']): ChosenMetadata {
  return {
    source: c.source,
    source_id: c.id.slice(c.id.indexOf(':') + 1),
    kind: c.kind,
    title: c.title,
    year: c.year,
    artist: c.artist,
    chosen_by: chosenBy,
    cover_file: c.cover_file,
  };
}

/** The disc keeps its label (no match, skipped); an audio CD's CD-TEXT names count as its label. */
export function chosenLabel(label: string | null, chosenBy: 'none' | 'skipped', cdText: { album: string | null; artist: string | null } | null = null): ChosenMetadata {
  if (cdText?.album) return { source: 'cd-text', source_id: null, kind: 'album', title: cdText.album, year: null, artist: cdText.artist, chosen_by: chosenBy, cover_file: null };
  return { source: 'label', source_id: null, kind: null, title: cleanText(label, 300) ?? '', year: null, artist: null, chosen_by: chosenBy, cover_file: null };
}

export function chosenTitle(title: string, kind: ChosenMetadata['kind']): ChosenMetadata {
  return { source: 'user', source_id: null, kind, title: cleanText(title, 300) ?? '', year: null, artist: null, chosen_by: 'typed', cover_file: null };
}

/** Names come from the metadata when a source or the user gave them; the label and CD-TEXT keep today's names. */
export function namesFromMetadata(m: ChosenMetadata | null): boolean {
  return m !== null && (m.source === 'tmdb' || m.source === 'musicbrainz' || m.source === 'user') && m.title !== '';
}

/** Part of a name the year is appended to; room left for ` (YYYY)` and `_12`. */
const MAX_TITLE_IN_NAME = 90;

/**
 * The image's name for a film or a typed title: `Title (Year)` (the title a safe file name, so
 * `Title_Words (1999)`), `Title` without a year; null when the metadata gives no name.
 */
export function videoBaseName(m: ChosenMetadata | null): string | null {
  if (!namesFromMetadata(m) || m === null) return null;
  // A title with no letter or digit left (`../`, markup only) gives no name: the label is used.
  if (!/[\p{L}\p{N}]/u.test(m.title)) return null;
  const stem = safeFileName(m.title, 'disc');
  const cut = Array.from(stem).slice(0, MAX_TITLE_IN_NAME).join('').replace(/[._-]+$/, '');
  return m.year !== null ? `${cut} (${m.year})` : cut;
}

import { englishText, isMessageCode, type Attributes, type MetadataCandidate } from '../contract/index.js';
import type { MetadataCandidatePayload, MetadataPayload } from './topics.js';

/**
 * Pure: the drive's pending choice (attributes.json `pending`) as the metadata topic and the
 * option list of the "Metadata" select. HA keeps a select's options in its discovery config, so
 * the drive's discovery changes with the candidates.
 */

/** HA's state for "no option" (the select shows nothing). */
const NO_OPTION = 'None';
/** The option list while nothing is pending: a select needs at least one option. */
export const IDLE_OPTIONS: readonly string[] = ['—'];
/** HA keeps states up to 255 characters; the text entity accepts what `set_title` accepts. */
const MAX_LABEL = 120;
export const MAX_TITLE = 200;

function cut(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).trimEnd()}…`;
}

/** "Title (Year)" per candidate, cut to a length HA shows, made unique with " [2]", " [3]" … */
export function optionLabels(candidates: readonly Pick<MetadataCandidate, 'title' | 'year'>[]): string[] {
  const seen = new Set<string>();
  return candidates.map((c) => {
    const base = cut(c.year === null ? c.title : `${c.title} (${c.year})`, MAX_LABEL) || '?';
    let label = base;
    for (let n = 2; seen.has(label) || label === NO_OPTION || IDLE_OPTIONS.includes(label); n++) label = `${base} [${n}]`;
    seen.add(label);
    return label;
  });
}

export function metadataPayload(attributes: Attributes | null): MetadataPayload {
  const pending = attributes?.pending ?? null;
  const chosen = attributes?.metadata ?? null;
  const labels = optionLabels(pending?.candidates ?? []);
  const candidates: MetadataCandidatePayload[] = (pending?.candidates ?? []).map((c, i) => ({
    id: c.id,
    label: labels[i] ?? c.title,
    title: c.title,
    year: c.year,
    artist: c.artist,
    source: c.source,
    kind: c.kind,
    has_cover: c.cover_file !== null,
  }));
  const byDefault = candidates.find((c) => c.id === pending?.default_id) ?? null;
  return {
    waiting: pending !== null,
    awaiting: pending?.awaiting ?? null,
    option: byDefault?.label ?? NO_OPTION,
    candidates,
    default_id: pending?.default_id ?? null,
    query: pending?.query ?? null,
    deadline: pending?.deadline ?? null,
    notes: (pending?.notes ?? []).map((n) => ({ code: n.code, text: isMessageCode(n.code) ? englishText(n.code, n.params) : n.code })),
    title: cut(chosen?.title ?? byDefault?.title ?? '', MAX_TITLE),
    chosen: chosen ? { title: chosen.title, year: chosen.year, artist: chosen.artist, source: chosen.source, chosen_by: chosen.chosen_by } : null,
  };
}

/** The select's options for the drive's discovery: the candidates' labels, or the idle list. */
export function selectOptions(payload: MetadataPayload): string[] {
  return payload.candidates.length > 0 ? payload.candidates.map((c) => c.label) : [...IDLE_OPTIONS];
}

/** The candidate an option (as HA sends it back) stands for, or null. */
export function candidateOfOption(payload: MetadataPayload, option: string): string | null {
  return payload.candidates.find((c) => c.label === option)?.id ?? null;
}

/** The cover of the current disc: the chosen one, else the default candidate's while the drive waits. */
export function currentCoverFile(attributes: Attributes | null): string | null {
  if (attributes?.metadata) return attributes.metadata.cover_file;
  const pending = attributes?.pending;
  if (!pending) return null;
  return pending.candidates.find((c) => c.id === pending.default_id)?.cover_file ?? null;
}

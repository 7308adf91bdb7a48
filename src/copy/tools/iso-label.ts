/** Longest ISO 9660 volume identifier. */
const MAX_VOLUME_ID = 32;

/**
 * A label made into an ISO 9660 volume identifier: d-characters only (A–Z, 0–9, `_`), accents
 * dropped, everything else `_`, at most 32 characters; `fallback` when nothing is left.
 */
export function isoVolumeId(label: string | null, fallback: string): string {
  const id = (label ?? '')
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/[^A-Z0-9_]/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_+/, '')
    .slice(0, MAX_VOLUME_ID)
    .replace(/_+$/, '');
  return id === '' ? fallback : id;
}

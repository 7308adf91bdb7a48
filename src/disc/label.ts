/** Which of the labels a disc carries is shown and names the file. */

/** The labels read from a disc's descriptors; null where a descriptor is missing or unreadable. */
export interface DiscLabels {
  /** ISO 9660 primary volume id (32 bytes, UTF-8 or Latin-1). */
  readonly primary: string | null;
  /** Joliet volume id (16 UCS-2 characters: often a cut-off copy of the primary). */
  readonly joliet: string | null;
  /** UDF logical volume id (up to 126 characters). */
  readonly udf: string | null;
  /** UDF file set id (a fallback when the logical volume id is empty). */
  readonly udfFileSet: string | null;
}

/** Case, `_` versus space and surrounding blanks do not make two labels different. */
function loose(label: string): string {
  return label.normalize('NFC').toLowerCase().replace(/[\s_]+/g, ' ').trim();
}

/**
 * The longest faithful label: the Unicode ones (Joliet, UDF) first, and a later one only when it
 * says more of the same — it starts with the current choice, loosely compared, and goes on. So a
 * Joliet id cut at 16 characters gives way to the full primary id, while a Joliet id with
 * characters the primary lacks (`Café` against `CAFE`) stays.
 */
export function bestLabel(labels: DiscLabels): string | null {
  const candidates = [labels.joliet, labels.udf, labels.udfFileSet, labels.primary].filter((label): label is string => label !== null && label !== '');
  let best: string | null = null;
  for (const candidate of candidates) {
    if (best === null) best = candidate;
    else if (loose(candidate).length > loose(best).length && loose(candidate).startsWith(loose(best))) best = candidate;
  }
  return best;
}

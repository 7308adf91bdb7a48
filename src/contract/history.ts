import { z } from 'zod';
import { HistoryEntrySchema, SCHEMA_VERSION, type History, type HistoryEntry } from './schema.js';

export function emptyHistory(): History {
  return { schema_version: SCHEMA_VERSION, entries: [], archived_total: {}, updated: new Date().toISOString() };
}

function countsAsArchived(entry: Pick<HistoryEntry, 'result'>): boolean {
  return entry.result === 'success' || entry.result === 'degraded';
}

/** Pure: the history with `entry` added newest-first, trimmed to `limit`, totals updated. */
export function addHistoryEntry(history: History, entry: HistoryEntry, limit: number): History {
  const entries = [entry, ...history.entries.filter((e) => e.id !== entry.id)].slice(0, limit);
  const archived_total = { ...history.archived_total };
  if (countsAsArchived(entry)) archived_total[entry.drive_id] = (archived_total[entry.drive_id] ?? 0) + 1;
  return { ...history, entries, archived_total, updated: new Date().toISOString() };
}

/** What could be read of a history.json: the entries that still validate, and what was left out. */
export interface SalvagedHistory {
  readonly history: History;
  /** Entries that did not validate (left out of `history`, still in the file kept aside). */
  readonly dropped: number;
  /** False when `archived_total` could not be read and was counted from the kept entries. */
  readonly totalsRead: boolean;
  /** Anything changed against the file (entries dropped, totals recounted, a newer version read). */
  readonly changed: boolean;
}

const LenientHistorySchema = z
  .object({
    schema_version: z.number().int().positive(),
    entries: z.array(z.unknown()),
    archived_total: z.unknown().optional(),
    updated: z.unknown().optional(),
  })
  .passthrough();

const TotalsSchema = z.record(z.string(), z.number().int().nonnegative());

/** An entry as this version reads it, with the fields a newer version added carried along. */
const TolerantEntrySchema = HistoryEntrySchema.passthrough();

/** Per drive, the entries that count as archived (success, degraded). */
export function countArchived(entries: readonly Pick<HistoryEntry, 'drive_id' | 'result'>[]): Record<string, number> {
  const totals: Record<string, number> = {};
  for (const entry of entries) if (countsAsArchived(entry)) totals[entry.drive_id] = (totals[entry.drive_id] ?? 0) + 1;
  return totals;
}

/**
 * Pure: every entry of a parsed history.json that still validates, in order. Fields a newer
 * version added to an entry are kept (written back as they were), a newer `schema_version` is
 * read as far as this version understands it;
 * an entry the schema cannot read is left out and counted. Null when `json` is not a history
 * at all (no `entries` list).
 */
export function salvageHistory(json: unknown): SalvagedHistory | null {
  const outer = LenientHistorySchema.safeParse(json);
  if (!outer.success) return null;
  const entries: HistoryEntry[] = [];
  let dropped = 0;
  for (const raw of outer.data.entries) {
    const parsed = TolerantEntrySchema.safeParse(raw);
    if (parsed.success) entries.push(parsed.data);
    else dropped++;
  }
  const totals = TotalsSchema.safeParse(outer.data.archived_total);
  const archived_total = totals.success ? totals.data : countArchived(entries);
  const updated = typeof outer.data.updated === 'string' && outer.data.updated.length > 0 ? outer.data.updated : new Date().toISOString();
  const newer = outer.data.schema_version !== SCHEMA_VERSION;
  return {
    history: { schema_version: SCHEMA_VERSION, entries, archived_total, updated },
    dropped,
    totalsRead: totals.success,
    changed: dropped > 0 || !totals.success || newer,
  };
}

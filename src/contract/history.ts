import { SCHEMA_VERSION, type History, type HistoryEntry } from './schema.js';

export const DEFAULT_HISTORY_LIMIT = 500;

export function emptyHistory(): History {
  return { schema_version: SCHEMA_VERSION, entries: [], archived_total: {}, updated: new Date().toISOString() };
}

function countsAsArchived(entry: HistoryEntry): boolean {
  return entry.result === 'success' || entry.result === 'degraded';
}

/** Pure: the history with `entry` added newest-first, trimmed to `limit`, totals updated. */
export function addHistoryEntry(history: History, entry: HistoryEntry, limit: number): History {
  const entries = [entry, ...history.entries.filter((e) => e.id !== entry.id)].slice(0, limit);
  const archived_total = { ...history.archived_total };
  if (countsAsArchived(entry)) archived_total[entry.drive_id] = (archived_total[entry.drive_id] ?? 0) + 1;
  return { ...history, entries, archived_total, updated: new Date().toISOString() };
}

import { describe, expect, it } from 'vitest';
import { addHistoryEntry, emptyHistory, HistorySchema, salvageHistory } from '../../src/contract/index.js';
import { historyEntry as entry } from '../helpers/history.js';

describe('history', () => {
  it('keeps the newest first, bounded, while the archived totals keep counting', () => {
    let history = emptyHistory();
    for (let i = 0; i < 25; i++) history = addHistoryEntry(history, entry(`j${i}`, i % 5 === 0 ? 'failed' : 'success'), 10);
    expect(history.entries).toHaveLength(10);
    expect(history.entries[0]?.id).toBe('j24');
    expect(history.archived_total).toEqual({ sr0: 20 });
    expect(HistorySchema.safeParse(history).success).toBe(true);
  });

  it('counts degraded as archived and per drive; replaces an entry with the same id', () => {
    let history = emptyHistory();
    history = addHistoryEntry(history, entry('a', 'degraded', 'sr1'), 10);
    history = addHistoryEntry(history, entry('b', 'cancelled', 'sr1'), 10);
    history = addHistoryEntry(history, entry('b', 'skipped_duplicate', 'sr1'), 10);
    expect(history.entries.map((e) => e.id)).toEqual(['b', 'a']);
    expect(history.archived_total).toEqual({ sr1: 1 });
  });
});

describe('salvageHistory', () => {
  it('keeps every entry that validates, counts the others, and tolerates what a newer version added', () => {
    const salvaged = salvageHistory({
      schema_version: 3,
      entries: [{ ...entry('a', 'success'), stars: 5 }, { id: 'broken' }, entry('c', 'failed')],
      archived_total: { sr0: 7 },
      updated: '2026-01-01T00:00:00Z',
      shelf: 'new',
    });
    expect(salvaged?.history.entries.map((e) => e.id)).toEqual(['a', 'c']);
    expect(salvaged?.history.entries[0]).toMatchObject({ id: 'a', stars: 5 });
    expect(salvaged?.history.schema_version).toBe(1);
    expect(salvaged?.history.archived_total).toEqual({ sr0: 7 });
    expect(salvaged).toMatchObject({ dropped: 1, totalsRead: true, changed: true });
    expect(HistorySchema.safeParse(salvaged?.history).success).toBe(true);
  });

  it('recounts unreadable totals from the entries kept; a file that is no history gives null', () => {
    const salvaged = salvageHistory({ schema_version: 1, entries: [entry('a', 'success', 'sr1'), entry('b', 'degraded', 'sr1')], archived_total: 'x' });
    expect(salvaged?.history.archived_total).toEqual({ sr1: 2 });
    expect(salvaged).toMatchObject({ dropped: 0, totalsRead: false, changed: true });
    expect(salvageHistory([])).toBeNull();
    expect(salvageHistory({ schema_version: 1 })).toBeNull();
  });

  it('reports no change for a valid history', () => {
    const valid = addHistoryEntry(emptyHistory(), entry('a', 'success'), 10);
    expect(salvageHistory(valid)).toEqual({ history: valid, dropped: 0, totalsRead: true, changed: false });
  });
});

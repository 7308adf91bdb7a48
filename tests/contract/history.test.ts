import { describe, expect, it } from 'vitest';
import { addHistoryEntry, emptyHistory, HistorySchema, type HistoryEntry } from '../../src/contract/index.js';

function entry(id: string, result: HistoryEntry['result'], drive = 'sr0'): HistoryEntry {
  return {
    id,
    drive_id: drive,
    disc_label: 'X',
    disc_type: 'cd-rom',
    fingerprint: null,
    result,
    method: 'block-copy',
    started: '2026-01-01T00:00:00Z',
    finished: '2026-01-01T00:01:00Z',
    duration_s: 60,
    bytes: 1,
    avg_speed_bytes_per_s: 1,
    image_path: null,
    checksums: {},
    bad_sectors: 0,
    bad_ranges: [],
    error_message: null,
  };
}

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

import type { HistoryEntry } from '../../src/contract/index.js';

/** A complete history entry of job `id` with `result` on `drive`; the rest is fixed filler. */
export function historyEntry(id: string, result: HistoryEntry['result'], drive = 'sr0'): HistoryEntry {
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

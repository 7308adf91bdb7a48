import { describe, expect, it } from 'vitest';
import { SCHEMA_VERSION, type DriveStatus, type History } from '../../src/contract/index.js';
import { driveAvailability, projection, reconcileState } from '../../src/mqtt/index.js';

const status = (over: Partial<DriveStatus> = {}): DriveStatus => ({
  schema_version: SCHEMA_VERSION,
  drive_id: 'sr0',
  state: 'copying',
  previous_state: 'analyzing',
  since: '2025-01-01T10:00:00.000Z',
  message: 'copying',
  drive: { path: '/dev/sr0', vendor: 'V', model: 'M', present: true, simulated: false },
  auto_copy: true,
  job_id: 'j',
  heartbeat: '2025-01-01T10:00:00.000Z',
  heartbeat_interval_s: 10,
  ...over,
});
const at = (iso: string) => Date.parse(iso);

describe('heartbeat availability', () => {
  it('is online until the heartbeat is older than 3× its interval', () => {
    expect(driveAvailability(status(), at('2025-01-01T10:00:29.000Z'))).toBe('online');
    expect(driveAvailability(status(), at('2025-01-01T10:00:30.000Z'))).toBe('online');
    expect(driveAvailability(status(), at('2025-01-01T10:00:30.001Z'))).toBe('offline');
    expect(driveAvailability(null, at('2025-01-01T10:00:00.000Z'))).toBe('offline');
    expect(driveAvailability(status({ heartbeat: 'garbage' }), at('2025-01-01T10:00:00.000Z'))).toBe('offline');
  });
});

describe('reconcileState', () => {
  const now = at('2025-01-01T10:00:10.000Z');
  it('publishes status.json’s state when no event covered it and it has been stable', () => {
    expect(reconcileState({ published: null, lastEventTs: null }, status(), now, 2000)).toBe('copying');
    expect(reconcileState({ published: 'analyzing', lastEventTs: '2025-01-01T09:59:00.000Z' }, status(), now, 2000)).toBe('copying');
  });
  it('leaves the state to the event stream otherwise', () => {
    expect(reconcileState({ published: 'copying', lastEventTs: null }, status(), now, 2000)).toBeNull();
    // The event of the same transition (written after `since`) already set the state.
    expect(reconcileState({ published: 'completed', lastEventTs: '2025-01-01T10:00:00.005Z' }, status(), now, 2000)).toBeNull();
    // Too fresh: the event may still be on its way.
    expect(reconcileState({ published: 'analyzing', lastEventTs: null }, status({ since: '2025-01-01T10:00:09.500Z' }), now, 2000)).toBeNull();
    expect(reconcileState({ published: null, lastEventTs: null }, null, now, 2000)).toBeNull();
  });
});

describe('projections', () => {
  it('round speed to MB/s and ETA to whole seconds; empty progress reads as zeros', () => {
    const p = projection.progressPayload({
      schema_version: SCHEMA_VERSION,
      drive_id: 'sr0',
      job_id: 'j',
      phase: 'reading',
      percent: 42.345,
      bytes_done: 1,
      bytes_total: 2,
      speed_bytes_per_s: 12_345_678,
      eta_seconds: 61.6,
      bad_sectors: 3,
      bad_ranges: [],
      track: null,
      tracks: null,
      updated: 'x',
    });
    expect(p).toMatchObject({ percent: 42.3, speed_mb_s: 12.35, eta_s: 62, bad_sectors: 3, phase: 'reading' });
    expect(projection.progressPayload(null)).toMatchObject({ percent: 0, eta_s: null, speed_mb_s: 0 });
  });

  it('keeps the heartbeat out of the status topic (no republish every heartbeat)', () => {
    const a = projection.statusPayload(status());
    const b = projection.statusPayload(status({ heartbeat: '2025-01-01T11:00:00.000Z' }));
    expect(a).toEqual(b);
    expect(a).not.toHaveProperty('heartbeat');
  });

  it('last job: newest entry of that drive and the archived total', () => {
    const entry = {
      id: '1', drive_id: 'sr0', disc_label: 'A', disc_type: 'data' as const, fingerprint: null, result: 'success' as const, method: 'm',
      started: 's', finished: 'f', duration_s: 10.4, bytes: 5, avg_speed_bytes_per_s: 1, image_path: '/x/A.iso', checksums: {},
      bad_sectors: 0, bad_ranges: [], error_message: null,
    };
    const history: History = { schema_version: SCHEMA_VERSION, entries: [{ ...entry, id: '2', drive_id: 'sr1' }, entry], archived_total: { sr0: 7 }, updated: 'u' };
    expect(projection.lastJobPayload(history, 'sr0')).toMatchObject({ result: 'success', image_path: '/x/A.iso', archived_total: 7, duration_s: 10 });
    expect(projection.lastJobPayload(null, 'sr0')).toMatchObject({ result: null, archived_total: 0 });
  });

  it('legacy attributes use the original field names', () => {
    const legacy = projection.legacyAttributesPayload(status(), null, null);
    expect(Object.keys(legacy)).toEqual(expect.arrayContaining(['disc_label', 'disc_type', 'disc_size_mb', 'progress_percent', 'progress_mb', 'total_mb', 'eta', 'filename', 'method', 'error_message']));
  });
});

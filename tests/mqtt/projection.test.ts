import { describe, expect, it } from 'vitest';
import { CORE_LOCK_FRESH_MS, coreLiveness, SCHEMA_VERSION, type DriveStatus, type History } from '../../src/contract/index.js';
import { coreAvailability, driveAvailability, projection, reconcileState } from '../../src/mqtt/index.js';

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
    expect(driveAvailability(status(), at('2025-01-01T10:00:29.000Z'), 'running')).toBe('online');
    expect(driveAvailability(status(), at('2025-01-01T10:00:30.000Z'), 'running')).toBe('online');
    expect(driveAvailability(status(), at('2025-01-01T10:00:30.001Z'), 'running')).toBe('offline');
    expect(driveAvailability(null, at('2025-01-01T10:00:00.000Z'), 'running')).toBe('offline');
    expect(driveAvailability(status({ heartbeat: 'garbage' }), at('2025-01-01T10:00:00.000Z'), 'running')).toBe('offline');
  });

  it('is offline at once when the core is not running, whatever the heartbeat says', () => {
    expect(driveAvailability(status(), at('2025-01-01T10:00:01.000Z'), 'dead')).toBe('offline');
    expect(driveAvailability(status(), at('2025-01-01T10:00:01.000Z'), 'stopped')).toBe('offline');
    expect(coreAvailability('running')).toBe('online');
    expect(coreAvailability('dead')).toBe('offline');
  });
});

describe('coreLiveness (the api lock and system.json)', () => {
  const now = at('2025-01-01T10:00:10.000Z');
  it('runs while the lock was touched within 6 s', () => {
    expect(coreLiveness(now - 1000, null, now)).toBe('running');
    expect(coreLiveness(now - CORE_LOCK_FRESH_MS, { stopped: null }, now)).toBe('running');
  });
  it('is dead when the lock goes stale or is missing without a clean stop', () => {
    expect(coreLiveness(now - CORE_LOCK_FRESH_MS - 1, null, now)).toBe('dead');
    expect(coreLiveness(null, { stopped: undefined }, now)).toBe('dead');
  });
  it('is stopped once a clean stop was written, even while the stopping core still holds its lock', () => {
    expect(coreLiveness(null, { stopped: '2025-01-01T10:00:09.000Z' }, now)).toBe('stopped');
    expect(coreLiveness(now - 2000, { stopped: '2025-01-01T10:00:09.000Z' }, now)).toBe('stopped');
    // A new core took a new lock after that stop: running.
    expect(coreLiveness(now - 100, { stopped: '2025-01-01T10:00:09.000Z' }, now)).toBe('running');
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
    expect(p).toMatchObject({ percent: 42.3, speed_mb_s: 12.35, eta_s: 62, bad_sectors: 3, phase: 'reading', finishes_at: null });
    expect(projection.progressPayload(null)).toMatchObject({ percent: 0, eta_s: null, speed_mb_s: 0, finishes_at: null });
  });

  it('finishes_at is the last progress write plus the ETA, in whole seconds; none without a job', () => {
    const base = { job_id: 'j', eta_seconds: 61.6, updated: '2025-01-01T10:00:00.400Z' };
    expect(projection.finishesAt(base)).toBe('2025-01-01T10:01:02Z');
    expect(projection.finishesAt({ ...base, eta_seconds: null })).toBeNull();
    expect(projection.finishesAt({ ...base, job_id: null })).toBeNull();
    expect(projection.finishesAt({ ...base, updated: 'garbage' })).toBeNull();
  });

  it('the end value of a job: 100 % after a success, the last value otherwise', () => {
    const last = { ...projection.EMPTY_PROGRESS, job_id: 'j', percent: 97.5, bytes_done: 90, bytes_total: 100, eta_s: 3, finishes_at: 'x' };
    expect(projection.finalProgress(last, 'completed')).toMatchObject({ job_id: 'j', percent: 100, bytes_done: 100, eta_s: 0, finishes_at: null });
    expect(projection.finalProgress(last, 'ended')).toMatchObject({ job_id: 'j', percent: 97.5, bytes_done: 90, eta_s: null, finishes_at: null });
  });

  it('system: the tools a kind of disc misses, from the methods in effect', () => {
    expect(
      projection.toolsMissing({
        'dvd-video': "dvd-raw; dvdbackup is not installed (package 'dvdbackup'): copied raw",
        'audio-cd': "cd-paranoia is not installed (package 'cd-paranoia') and flac is not installed (package 'flac')",
        data: 'data-copy',
      }),
    ).toEqual(['cd-paranoia', 'dvdbackup', 'flac']);
    expect(projection.systemPayload(null)).toMatchObject({ version: null, tools_missing: [], methods: {} });
  });

  it('archive: total over all drives and the newest archived (not failed) disc', () => {
    const entry = {
      id: '1', drive_id: 'sr0', disc_label: 'OLD', disc_type: 'data' as const, fingerprint: null, result: 'success' as const, method: 'm',
      started: 's', finished: 'f', duration_s: 1, bytes: 5, avg_speed_bytes_per_s: 1, image_path: '/x/OLD.iso', checksums: {},
      bad_sectors: 0, bad_ranges: [], error_message: null,
    };
    const history: History = {
      schema_version: SCHEMA_VERSION,
      entries: [{ ...entry, id: '3', result: 'failed', disc_label: 'BAD' }, { ...entry, id: '2', drive_id: 'sr1', disc_label: 'NEW', result: 'degraded' }, entry],
      archived_total: { sr0: 7, sr1: 2 },
      updated: 'u',
    };
    expect(projection.archivePayload(history)).toEqual({ archived_total: 9, title: 'NEW', drive: 'sr1', type: 'data', image_path: '/x/OLD.iso', finished: 'f', result: 'degraded', images: null, corrupt_images: null, last_scrub: null });
    expect(projection.archivePayload(null)).toMatchObject({ archived_total: 0, title: null });
    const scrubbed = { last_scrub: { started: 's', finished: '2026-01-04T03:00:00.000Z', checked: 12, corrupt: 1, missing: 1, bytes: 9 }, images: 12, corrupt: 2 };
    expect(projection.archivePayload(history, scrubbed as Parameters<typeof projection.archivePayload>[1])).toMatchObject({ images: 12, corrupt_images: 2, last_scrub: '2026-01-04T03:00:00.000Z' });
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

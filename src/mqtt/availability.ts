import type { CoreLiveness, DriveState, DriveStatus } from '../contract/index.js';
import { heartbeatStale } from './projection.js';
import type { Availability } from './topics.js';

/** What the bridge last published for a drive's state topic, and when its last transition event was. */
export interface StateTrack {
  published: DriveState | null;
  lastEventTs: string | null;
}

/**
 * Pure: a drive is available while the core runs (its api lock is fresh, checked every second)
 * and the drive's heartbeat in status.json is fresh (< 3× interval, a machine that hangs).
 */
export function driveAvailability(status: DriveStatus | null, nowMs: number, core: CoreLiveness): Availability {
  return core === 'running' && !heartbeatStale(status, nowMs) ? 'online' : 'offline';
}

/** Pure: the core's availability topic. */
export function coreAvailability(core: CoreLiveness): Availability {
  return core === 'running' ? 'online' : 'offline';
}

/**
 * Pure: the state to publish from status.json when the event log did not deliver it (events
 * older than the replay bound, a lost or rotated-away log, the first start). The event stream
 * stays the source of every transition: status.json wins only when it describes a transition
 * newer than the last state event and has been stable for `graceMs`.
 */
export function reconcileState(track: StateTrack, status: DriveStatus | null, nowMs: number, graceMs: number): DriveState | null {
  if (!status || status.state === track.published) return null;
  const since = Date.parse(status.since);
  if (Number.isNaN(since) || since > nowMs - graceMs) return null;
  if (track.lastEventTs !== null && !(since > Date.parse(track.lastEventTs))) return null;
  return status.state;
}

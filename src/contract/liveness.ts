import type { SystemInfo } from './schema.js';

/** The lock file of the core that owns an api_dir (a dot file: the contract watchers ignore it). */
export const CORE_LOCK_NAME = '.core.lock';

/** A live core touches its lock this often (also its liveness signal for watchers). */
export const CORE_LOCK_REFRESH_MS = 2_000;

/** A lock touched within this long belongs to a live core: three missed touches mean it is gone. */
export const CORE_LOCK_FRESH_MS = 3 * CORE_LOCK_REFRESH_MS;

/** Whether a core serves the api_dir: `running`, `stopped` (said so on a clean stop) or `dead` (its lock went stale or missing). */
export type CoreLiveness = 'running' | 'stopped' | 'dead';

/**
 * Pure: the core's liveness from what a watcher can read — the mtime of its lock file (null when
 * there is none) and system.json. A clean stop writes `stopped` into system.json and removes the
 * lock; a crash leaves the lock behind, untouched, so it goes stale within CORE_LOCK_FRESH_MS.
 */
export function coreLiveness(lockMtimeMs: number | null, system: Pick<SystemInfo, 'stopped'> | null, nowMs: number): CoreLiveness {
  const stoppedAt = system?.stopped ? Date.parse(system.stopped) : Number.NaN;
  // A lock last touched before the stop was written is the stopping core's, about to be removed;
  // a lock touched after it is a new core's (which writes a fresh system.json in a moment).
  const fresh = lockMtimeMs !== null && nowMs - lockMtimeMs <= CORE_LOCK_FRESH_MS && !(lockMtimeMs <= stoppedAt);
  if (fresh) return 'running';
  return Number.isNaN(stoppedAt) ? 'dead' : 'stopped';
}

import type { DriveState } from '../../contract/index.js';
import type { DriveView } from '../contract-reader.js';

/** States in which each control makes sense; the core still has the last word (409). */
export const CANCELLABLE: readonly DriveState[] = ['analyzing', 'waiting_for_metadata', 'copying'];
export const STARTABLE: readonly DriveState[] = ['media_detected', 'idle', 'completed', 'error', 'waiting_for_removal'];
export const EJECT_BLOCKED: readonly DriveState[] = ['initializing', 'waiting_for_drive'];
/** States in which no job is shown any more (the disc has gone). */
const NO_JOB: readonly DriveState[] = ['initializing', 'waiting_for_drive', 'drive_detected', 'waiting_for_media'];

/** Whether the card shows the job's progress (the same rule as the client script). */
export function showsProgress(view: DriveView): boolean {
  const { status, progress } = view;
  if (!status || !progress || progress.job_id === null) return false;
  if (NO_JOB.includes(status.state)) return false;
  return status.job_id === null || status.job_id === progress.job_id;
}

export function driveTitle(view: DriveView): string {
  const drive = view.status?.drive;
  const name = [drive?.vendor, drive?.model].filter((part): part is string => Boolean(part)).join(' ');
  return name.length > 0 ? name : view.id;
}

import { commandContextOf, commandVerdict, type ControlAction, type DriveState } from '../../contract/index.js';
import type { DriveView } from '../contract-reader.js';

/** Whether the card enables a control: exactly when the core would accept its command (the command policy). */
export function enables(view: DriveView, action: ControlAction): boolean {
  return view.status !== null && commandVerdict(action, commandContextOf(view.status)).allowed;
}
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

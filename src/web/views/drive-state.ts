import { checkCommand, commandContextOf } from '../../contract/command-rules.js';
import type { ControlAction, DriveState } from '../../contract/index.js';
import type { DriveView } from '../contract-reader.js';

/*
 * The card's rules, used by the server's card and by the browser's updates of it (src/web/browser
 * bundles this file: type imports only, besides the command rules).
 */

/** Whether the card enables a control: exactly when the core would accept its command (the command policy). */
export function enables(view: Pick<DriveView, 'status'>, action: ControlAction): boolean {
  return view.status !== null && checkCommand(action, commandContextOf(view.status)).allowed;
}

/** Whether the control asks first: its command would end the running job (Cancel, Eject mid-copy). */
export function asksFirst(view: Pick<DriveView, 'status'>, action: ControlAction): boolean {
  if (view.status === null) return false;
  const check = checkCommand(action, commandContextOf(view.status));
  return check.allowed && check.confirm;
}
/** States in which no job is shown any more (the disc has gone). */
const NO_JOB: readonly DriveState[] = ['initializing', 'waiting_for_drive', 'drive_detected', 'waiting_for_media'];

/** Whether the card shows the job's progress. */
export function showsProgress(view: Pick<DriveView, 'status' | 'progress'>): boolean {
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

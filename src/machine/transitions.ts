import type { DriveState } from '../contract/index.js';
import type { DriveStatusKind } from '../drive/index.js';

/**
 * Pure decisions of the polling states: given the state and what the drive reports, the next
 * state (or null to keep polling). The loop in drive-machine.ts does the I/O.
 */
export function nextStateOnPoll(state: DriveState, drive: DriveStatusKind): DriveState | null {
  if (drive === 'absent') return state === 'waiting_for_drive' ? null : 'waiting_for_drive';
  switch (state) {
    case 'waiting_for_drive':
      return 'drive_detected';
    case 'waiting_for_media':
      return drive === 'disc_ok' ? 'media_detected' : null;
    case 'waiting_for_removal':
      // Tray open or empty both mean the disc has left; a failed eject keeps us here.
      return drive === 'disc_ok' || drive === 'not_ready' ? null : 'idle';
    case 'waiting_for_metadata':
      return drive === 'disc_ok' || drive === 'not_ready' ? null : 'idle';
    case 'initializing':
    case 'drive_detected':
    case 'media_detected':
    case 'analyzing':
    case 'copying':
    case 'completed':
    case 'error':
    case 'idle':
      return null;
  }
}

/** Which poll interval (option name) a waiting state uses. */
export function pollIntervalFor(
  state: DriveState,
  intervals: { drive: number; media: number; removal: number },
): number {
  switch (state) {
    case 'waiting_for_drive':
      return intervals.drive;
    case 'waiting_for_removal':
    case 'waiting_for_metadata':
      return intervals.removal;
    default:
      return intervals.media;
  }
}

/** Human message for a state, shown in the UI and sent to Home Assistant. */
export function defaultMessage(state: DriveState): string {
  switch (state) {
    case 'initializing':
      return 'Starting';
    case 'waiting_for_drive':
      return 'No drive found; checking again periodically';
    case 'drive_detected':
      return 'Drive found';
    case 'waiting_for_media':
      return 'Insert a disc';
    case 'media_detected':
      return 'Disc inserted';
    case 'analyzing':
      return 'Identifying the disc';
    case 'waiting_for_metadata':
      return 'Waiting for a decision: press Start to copy';
    case 'copying':
      return 'Copying';
    case 'completed':
      return 'Copy completed';
    case 'error':
      return 'Copy failed';
    case 'waiting_for_removal':
      return 'Remove the disc';
    case 'idle':
      return 'Ready';
  }
}

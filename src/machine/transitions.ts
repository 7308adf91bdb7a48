import { coded, type CodedMessage, type DriveState, type MessageCode } from '../contract/index.js';
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

/** A state's own status line (shown in the UI in its language, sent to Home Assistant in English). */
export function defaultMessage(state: DriveState): CodedMessage {
  return coded(DEFAULT_CODES[state]);
}

const DEFAULT_CODES = {
  initializing: 'starting',
  waiting_for_drive: 'no_drive',
  drive_detected: 'drive_found',
  waiting_for_media: 'insert_disc',
  media_detected: 'disc_inserted',
  analyzing: 'identifying',
  waiting_for_metadata: 'press_start',
  copying: 'copying',
  completed: 'copy_completed',
  error: 'copy_failed',
  waiting_for_removal: 'remove_disc',
  idle: 'ready',
} as const satisfies Record<DriveState, MessageCode>;

import type { ControlAction } from './control.js';
import type { DriveState, DriveStatus } from './schema.js';

/**
 * The command policy's rules and their check, in a file with no runtime imports: the browser
 * bundle imports it as it is (zod stays out), the core and the watchers through `command-policy.ts`.
 */

/** What decides whether a command fits: all of it is in `status.json`, so every watcher can decide alike. */
export interface CommandContext {
  readonly state: DriveState;
  /** A job is running (`job_id` is set). */
  readonly job: boolean;
  /** The drive is connected (`drive.present`). */
  readonly drivePresent: boolean;
}

interface ActionRule {
  /** The states it fits in; `all` but a few, or only the ones listed. */
  readonly states: { readonly only: readonly DriveState[] } | { readonly except: readonly DriveState[] };
  /** `required`: only while a job runs; `none`: only when none runs. */
  readonly job: 'required' | 'none' | 'any';
  readonly needsDrive: boolean;
  /** Ends the running job (and discards its partial): the UI asks first. */
  readonly endsJob: boolean;
}

const ALL = { except: [] } as const;
/** Every state in which a drive is known. */
const WITH_DRIVE = { except: ['initializing', 'waiting_for_drive'] } as const;
const WAITING = { only: ['waiting_for_metadata'] } as const;

/**
 * Which command the core accepts in which state (SPEC §2.2, §3). The core answers 409 outside
 * it, the web UI enables its controls by it, the MQTT bridge refuses by it.
 */
const COMMAND_RULES: Readonly<Record<ControlAction, ActionRule>> = {
  // Start copies the disc that waits for it: auto-copy off, or after a skip, failure or cancel.
  start: { states: { only: ['waiting_for_metadata', 'waiting_for_removal'] }, job: 'none', needsDrive: true, endsJob: false },
  cancel: { states: { only: ['copying'] }, job: 'required', needsDrive: false, endsJob: true },
  // Eject mid-copy cancels the copy first.
  eject: { states: WITH_DRIVE, job: 'any', needsDrive: true, endsJob: true },
  close_tray: {
    states: { except: [...WITH_DRIVE.except, 'media_detected', 'analyzing', 'copying'] },
    job: 'none',
    needsDrive: true,
    endsJob: false,
  },
  // A setting, not an action on the disc: always accepted.
  set_auto_copy: { states: ALL, job: 'any', needsDrive: false, endsJob: false },
  // Settings too; a running copy keeps what it started with, the next one uses the new value.
  set_duplicate_policy: { states: ALL, job: 'any', needsDrive: false, endsJob: false },
  set_checksum: { states: ALL, job: 'any', needsDrive: false, endsJob: false },
  // The answers to a drive waiting for the user (candidates, a typed title, skip, another search).
  select_metadata: { states: WAITING, job: 'none', needsDrive: true, endsJob: false },
  set_title: { states: WAITING, job: 'none', needsDrive: true, endsJob: false },
  skip_metadata: { states: WAITING, job: 'none', needsDrive: true, endsJob: false },
  search_metadata: { states: WAITING, job: 'none', needsDrive: true, endsJob: false },
};

export const CONTROL_ACTIONS = Object.keys(COMMAND_RULES) as ControlAction[];

/** Why a command does not fit; `command-policy.ts` turns it into the coded 409 message. */
export type CommandRefusal = 'no_drive' | 'not_in_state' | 'no_job' | 'job_running';

export type CommandCheck = { readonly allowed: true; readonly confirm: boolean } | { readonly allowed: false; readonly refusal: CommandRefusal };

function fitsState(rule: ActionRule, state: DriveState): boolean {
  return 'only' in rule.states ? rule.states.only.includes(state) : !rule.states.except.includes(state);
}

/** Whether `action` is accepted now, and whether the UI asks first (it ends a running job). */
export function checkCommand(action: ControlAction, ctx: CommandContext): CommandCheck {
  const rule = COMMAND_RULES[action];
  if (rule.needsDrive && !ctx.drivePresent) return { allowed: false, refusal: 'no_drive' };
  if (!fitsState(rule, ctx.state)) return { allowed: false, refusal: 'not_in_state' };
  if (rule.job === 'required' && !ctx.job) return { allowed: false, refusal: 'no_job' };
  if (rule.job === 'none' && ctx.job) return { allowed: false, refusal: 'job_running' };
  return { allowed: true, confirm: rule.endsJob && ctx.job };
}

export function commandContextOf(status: Pick<DriveStatus, 'state' | 'job_id' | 'drive'>): CommandContext {
  return { state: status.state, job: status.job_id !== null, drivePresent: status.drive.present };
}

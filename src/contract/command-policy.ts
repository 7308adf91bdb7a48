import type { ControlAction } from './control.js';
import { coded, type CodedMessage } from './messages.js';
import { DRIVE_STATES, type DriveState, type DriveStatus } from './schema.js';

/** What decides whether a command fits: all of it is in `status.json`, so every watcher can decide alike. */
export interface CommandContext {
  readonly state: DriveState;
  /** A job is running (`job_id` is set). */
  readonly job: boolean;
  /** The drive is connected (`drive.present`). */
  readonly drivePresent: boolean;
}

interface ActionRule {
  readonly states: readonly DriveState[];
  /** `required`: only while a job runs; `none`: only when none runs. */
  readonly job: 'required' | 'none' | 'any';
  readonly needsDrive: boolean;
  /** Ends the running job (and discards its partial): the UI asks first. */
  readonly endsJob: boolean;
}

const WITH_DRIVE = DRIVE_STATES.filter((s) => s !== 'initializing' && s !== 'waiting_for_drive');

/**
 * Which command the core accepts in which state (SPEC §2.2, §3). The core answers 409 outside
 * it, the web UI enables its controls by it, the MQTT bridge refuses by it.
 */
const COMMAND_POLICY: Readonly<Record<ControlAction, ActionRule>> = {
  // Start copies the disc that waits for it: auto-copy off, or after a skip, failure or cancel.
  start: { states: ['waiting_for_metadata', 'waiting_for_removal'], job: 'none', needsDrive: true, endsJob: false },
  cancel: { states: ['copying'], job: 'required', needsDrive: false, endsJob: true },
  // Eject mid-copy cancels the copy first.
  eject: { states: WITH_DRIVE, job: 'any', needsDrive: true, endsJob: true },
  close_tray: {
    states: WITH_DRIVE.filter((s) => s !== 'media_detected' && s !== 'analyzing' && s !== 'copying'),
    job: 'none',
    needsDrive: true,
    endsJob: false,
  },
  // A setting, not an action on the disc: always accepted.
  set_auto_copy: { states: DRIVE_STATES, job: 'any', needsDrive: false, endsJob: false },
  // Settings too; a running copy keeps what it started with, the next one uses the new value.
  set_duplicate_policy: { states: DRIVE_STATES, job: 'any', needsDrive: false, endsJob: false },
  set_checksum: { states: DRIVE_STATES, job: 'any', needsDrive: false, endsJob: false },
  // The answers to a drive waiting for the user (candidates, a typed title, skip, another search).
  select_metadata: { states: ['waiting_for_metadata'], job: 'none', needsDrive: true, endsJob: false },
  set_title: { states: ['waiting_for_metadata'], job: 'none', needsDrive: true, endsJob: false },
  skip_metadata: { states: ['waiting_for_metadata'], job: 'none', needsDrive: true, endsJob: false },
  search_metadata: { states: ['waiting_for_metadata'], job: 'none', needsDrive: true, endsJob: false },
};

export const CONTROL_ACTIONS = Object.keys(COMMAND_POLICY) as ControlAction[];

export type CommandVerdict =
  | { readonly allowed: true; readonly confirm: boolean }
  | { readonly allowed: false; readonly reason: string; readonly message: CodedMessage };

function refusal(message: CodedMessage): CommandVerdict {
  return { allowed: false, reason: message.text, message };
}

/** Whether `action` is accepted now; a refusal says why (the 409 message). */
export function commandVerdict(action: ControlAction, ctx: CommandContext): CommandVerdict {
  const rule = COMMAND_POLICY[action];
  if (rule.needsDrive && !ctx.drivePresent) return refusal(coded('cmd_no_drive'));
  if (!rule.states.includes(ctx.state)) return refusal(coded('cmd_not_in_state', { action, state: ctx.state }));
  if (rule.job === 'required' && !ctx.job) return refusal(coded('cmd_no_job', { action }));
  if (rule.job === 'none' && ctx.job) return refusal(coded('cmd_job_running', { action }));
  return { allowed: true, confirm: rule.endsJob && ctx.job };
}

export function commandContextOf(status: Pick<DriveStatus, 'state' | 'job_id' | 'drive'>): CommandContext {
  return { state: status.state, job: status.job_id !== null, drivePresent: status.drive.present };
}

/** Key of a context in `commandTable()`; the browser script builds the same from status.json. */
function policyKey(ctx: CommandContext): string {
  return `${ctx.state}|${ctx.job ? 'job' : 'nojob'}|${ctx.drivePresent ? 'drive' : 'nodrive'}`;
}

/** Every context → the allowed actions and those to confirm first; embedded in pages as data for the browser script. */
export function commandTable(): Record<string, { allowed: ControlAction[]; confirm: ControlAction[] }> {
  const table: Record<string, { allowed: ControlAction[]; confirm: ControlAction[] }> = {};
  for (const ctx of allCommandContexts()) {
    const verdicts = CONTROL_ACTIONS.map((action) => [action, commandVerdict(action, ctx)] as const);
    table[policyKey(ctx)] = {
      allowed: verdicts.filter(([, v]) => v.allowed).map(([a]) => a),
      confirm: verdicts.filter(([, v]) => v.allowed && v.confirm).map(([a]) => a),
    };
  }
  return table;
}

/** Every state × job × drive presence. */
export function allCommandContexts(): CommandContext[] {
  return DRIVE_STATES.flatMap((state) => [false, true].flatMap((job) => [false, true].map((drivePresent) => ({ state, job, drivePresent }))));
}

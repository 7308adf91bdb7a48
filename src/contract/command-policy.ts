import { checkCommand, type CommandContext, type CommandRefusal } from './command-rules.js';
import type { ControlAction } from './control.js';
import { coded, type CodedMessage } from './messages.js';
import { DRIVE_STATES } from './schema.js';

export { CONTROL_ACTIONS, commandContextOf, type CommandContext } from './command-rules.js';

export type CommandVerdict =
  | { readonly allowed: true; readonly confirm: boolean }
  | { readonly allowed: false; readonly reason: string; readonly message: CodedMessage };

function refusalMessage(refusal: CommandRefusal, action: ControlAction, ctx: CommandContext): CodedMessage {
  switch (refusal) {
    case 'no_drive':
      return coded('cmd_no_drive');
    case 'not_in_state':
      return coded('cmd_not_in_state', { action, state: ctx.state });
    case 'no_job':
      return coded('cmd_no_job', { action });
    case 'job_running':
      return coded('cmd_job_running', { action });
  }
}

/** Whether `action` is accepted now (the rules of `command-rules.ts`); a refusal says why (the 409 message). */
export function commandVerdict(action: ControlAction, ctx: CommandContext): CommandVerdict {
  const check = checkCommand(action, ctx);
  if (check.allowed) return check;
  const message = refusalMessage(check.refusal, action, ctx);
  return { allowed: false, reason: message.text, message };
}

/** Every state × job × drive presence. */
export function allCommandContexts(): CommandContext[] {
  return DRIVE_STATES.flatMap((state) => [false, true].flatMap((job) => [false, true].map((drivePresent) => ({ state, job, drivePresent }))));
}

import { ControlClient, ControlCommandSchema, type ControlCommand } from '../contract/index.js';
import type { Logger } from '../log/index.js';
import { candidateOfOption } from './metadata.js';
import {
  BUTTON_COMMANDS,
  SELECT_COMMANDS,
  SWITCH_COMMANDS,
  TEXT_COMMANDS,
  type ButtonCommand,
  type MetadataPayload,
  type SelectCommand,
  type SwitchCommand,
  type TextCommand,
} from './topics.js';

export type ParsedCommand =
  | { ok: true; drive: string; command: ControlCommand }
  | { ok: false; reason: 'retained' | 'empty' | 'unknown_drive' | 'unknown_command' | 'bad_payload'; detail: string };

const MAX_PAYLOAD = 64;
/** A title, a search or a candidate's option label: 200 characters of UTF-8 and some room. */
const MAX_TEXT_PAYLOAD = 1024;

function isButton(name: string): name is ButtonCommand {
  return (BUTTON_COMMANDS as readonly string[]).includes(name);
}
function isSwitch(name: string): name is SwitchCommand {
  return (SWITCH_COMMANDS as readonly string[]).includes(name);
}
function isSelect(name: string): name is SelectCommand {
  return (SELECT_COMMANDS as readonly string[]).includes(name);
}
function isText(name: string): name is TextCommand {
  return (TEXT_COMMANDS as readonly string[]).includes(name);
}

/** A select's option (as HA sends it) → the control command that sets it; the schema validates the value. */
function selectCommand(name: SelectCommand, option: string, metadata: MetadataPayload | null): unknown {
  switch (name) {
    case 'duplicate_policy':
      return { action: 'set_duplicate_policy', policy: option };
    case 'checksum':
      return { action: 'set_checksum', checksum: option };
    case 'metadata': {
      // The option is a candidate's label as published; the core is asked for that candidate's id.
      const id = metadata ? candidateOfOption(metadata, option) : null;
      return id === null ? null : { action: 'select_metadata', candidate_id: id };
    }
  }
}

function textCommand(name: TextCommand, text: string): unknown {
  switch (name) {
    case 'title':
      return { action: 'set_title', title: text };
    case 'metadata_search':
      return { action: 'search_metadata', query: text };
  }
}

/**
 * Pure: one message on `<base>/<drive>/command/<name>` → the control command to send, or why it
 * is ignored. A retained message is never a command: after a reconnect the broker replays it,
 * and a stale PRESS must not eject a disc. `metadata` gives the drive's published candidates,
 * which the "Metadata" select's options name.
 */
export function parseCommand(
  target: { drive: string; name: string },
  payload: Buffer,
  retained: boolean,
  drives: ReadonlySet<string>,
  metadata: (drive: string) => MetadataPayload | null = () => null,
): ParsedCommand {
  if (retained) return { ok: false, reason: 'retained', detail: 'retained command messages are ignored' };
  if (payload.length === 0) return { ok: false, reason: 'empty', detail: 'empty payload' };
  if (!drives.has(target.drive)) return { ok: false, reason: 'unknown_drive', detail: `no drive "${target.drive}" is configured` };
  const textual = isText(target.name) || target.name === 'metadata';
  if (payload.length > (textual ? MAX_TEXT_PAYLOAD : MAX_PAYLOAD)) return { ok: false, reason: 'bad_payload', detail: `payload of ${payload.length} bytes is too long` };
  const text = payload.toString('utf8').trim().toUpperCase();
  let command: unknown;
  if (isButton(target.name)) {
    if (text !== 'PRESS') return { ok: false, reason: 'bad_payload', detail: `expected PRESS, got ${JSON.stringify(payload.toString('utf8'))}` };
    command = { action: target.name };
  } else if (isSwitch(target.name)) {
    if (text !== 'ON' && text !== 'OFF') {
      return { ok: false, reason: 'bad_payload', detail: `expected ON or OFF, got ${JSON.stringify(payload.toString('utf8'))}` };
    }
    command = { action: 'set_auto_copy', enabled: text === 'ON' };
  } else if (isSelect(target.name)) {
    const option = payload.toString('utf8').trim();
    command = selectCommand(target.name, option, metadata(target.drive));
    const parsed = ControlCommandSchema.safeParse(command);
    if (!parsed.success) return { ok: false, reason: 'bad_payload', detail: `${JSON.stringify(option)} is not an option of ${target.name}` };
  } else if (isText(target.name)) {
    command = textCommand(target.name, payload.toString('utf8'));
  } else {
    return { ok: false, reason: 'unknown_command', detail: `unknown command "${target.name}"` };
  }
  const parsed = ControlCommandSchema.safeParse(command);
  if (!parsed.success) return { ok: false, reason: 'bad_payload', detail: parsed.error.message };
  return { ok: true, drive: target.drive, command: parsed.data };
}

/**
 * Sends parsed commands to the core's control API, one at a time per drive (in arrival order).
 * Commands are never queued for later: without a control URL they are dropped with a warning,
 * because a delayed eject is worse than none.
 */
export class CommandDispatcher {
  #url: string | null = null;
  #client: ControlClient | null = null;
  readonly #queues = new Map<string, Promise<void>>();

  constructor(
    private readonly logger: Logger,
    private readonly timeoutMs: number,
  ) {}

  /** The core's control URL from system.json. */
  setControlUrl(url: string | null): void {
    if (url === this.#url) return;
    this.#url = url;
    this.#client = url ? new ControlClient(url, this.timeoutMs) : null;
  }

  dispatch(drive: string, command: ControlCommand): Promise<void> {
    const previous = this.#queues.get(drive) ?? Promise.resolve();
    const next = previous.then(() => this.#send(drive, command));
    this.#queues.set(drive, next);
    return next;
  }

  async #send(drive: string, command: ControlCommand): Promise<void> {
    const client = this.#client;
    if (!client) {
      this.logger.warn({ drive, command }, "command %s for drive '%s' dropped: the core's control URL is unknown (no system.json yet)", command.action, drive);
      return;
    }
    const result = await client.send(drive, command);
    if (result.ok) this.logger.info({ drive, command }, "command %s for drive '%s': %s", command.action, drive, result.message);
    else this.logger.warn({ drive, command, status: result.status }, "command %s for drive '%s' refused: %s", command.action, drive, result.error);
  }
}

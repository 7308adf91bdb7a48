import { z } from 'zod';
import type { CodedMessage, MessageCode, MessageParams } from './messages.js';
import { CHECKSUM_CHOICES, DUPLICATE_POLICIES } from './schema.js';

/**
 * Commands the core accepts through its control API (web UI, MQTT bridge, scripts).
 * Anything else is rejected with a 4xx and changes nothing.
 */
export const ControlCommandSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('eject') }).strict(),
  z.object({ action: z.literal('close_tray') }).strict(),
  z.object({ action: z.literal('cancel') }).strict(),
  z.object({ action: z.literal('start') }).strict(),
  z.object({ action: z.literal('set_auto_copy'), enabled: z.boolean() }).strict(),
  z.object({ action: z.literal('set_duplicate_policy'), policy: z.enum(DUPLICATE_POLICIES) }).strict(),
  z.object({ action: z.literal('set_checksum'), checksum: z.enum(CHECKSUM_CHOICES) }).strict(),
  // Answers to `waiting_for_metadata` (issue 13): each also lets the copy go on.
  z.object({ action: z.literal('select_metadata'), candidate_id: z.string().min(1).max(80) }).strict(),
  z.object({ action: z.literal('set_title'), title: z.string().trim().min(1).max(200) }).strict(),
  z.object({ action: z.literal('skip_metadata') }).strict(),
  // A new search with the user's words; the drive keeps waiting with the new candidates.
  z.object({ action: z.literal('search_metadata'), query: z.string().trim().min(1).max(200) }).strict(),
]);
export type ControlCommand = z.infer<typeof ControlCommandSchema>;
export type ControlAction = ControlCommand['action'];

/** The reply's message as a code and parameters (the UI words it), `message`/`error` its English text. */
interface CodedReply {
  code: MessageCode;
  params: MessageParams;
}

export type ControlResult =
  | ({ ok: true; message: string } & CodedReply)
  | ({ ok: false; status: 404 | 409 | 500; error: string } & CodedReply);

/** An accepted command's reply. */
export function accepted(message: CodedMessage): ControlResult {
  return { ok: true, message: message.text, code: message.code, params: message.params };
}

/** A refused or failed command's reply. */
export function refused(status: 404 | 409 | 500, message: CodedMessage): ControlResult {
  return { ok: false, status, error: message.text, code: message.code, params: message.params };
}

/** What the core offers to its HTTP layer; implemented by the core, called by web routes. */
export interface ControlApi {
  driveIds(): readonly string[];
  execute(driveId: string, command: ControlCommand): Promise<ControlResult>;
}

/** Path of the command endpoint, relative to the core's base URL. */
export function commandPath(driveId: string): string {
  return `api/drives/${encodeURIComponent(driveId)}/command`;
}

/**
 * Header every state-changing request must carry; browsers cannot send it cross-site
 * without a CORS preflight, which the core never grants (CSRF protection).
 */
export const CONTROL_HEADER = 'x-disk2iso-request';

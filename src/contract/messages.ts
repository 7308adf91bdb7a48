import { z } from 'zod';
import { formatBytes } from '../util/format.js';
import { fillTemplate, isBytesParam } from './template.js';

/**
 * Every message the core writes into the contract (status line, job errors, events) or answers on
 * the control API, by code, with its English text: the contract carries the code and its
 * parameters, readers render them in their own language (the web UI) and the English text stays
 * next to them for logs, MQTT and older readers. `{name}` marks a parameter; parameters named
 * `bytes` or `*_bytes` are byte counts, `state`, `action` and `reason` are the contract's enum
 * values (a UI shows them in its words).
 */
export const MESSAGE_TEXTS = {
  // the states' own lines
  starting: 'Starting',
  no_drive: 'No drive found; checking again periodically',
  drive_found: 'Drive found',
  insert_disc: 'Insert a disc',
  disc_inserted: 'Disc inserted',
  identifying: 'Identifying the disc',
  press_start: 'Waiting for a decision: press Start to copy',
  copying: 'Copying',
  copy_completed: 'Copy completed',
  copy_failed: 'Copy failed',
  remove_disc: 'Remove the disc',
  ready: 'Ready',
  // the machine
  recovered: 'Recovered from an error: {error}',
  disc_present_at_start: 'A disc was in the drive at start; not copied (option copy_disc_present_at_start)',
  drive_disappeared: 'The drive disappeared; waiting for it to come back',
  drive_found_named: 'Drive found: {name}',
  disc_unreadable: 'The disc cannot be read: {error}',
  auto_copy_off: 'Auto-copy is off: press Start to copy this disc',
  looking_up_album: 'Looking up album and track names',
  // metadata before the copy (issue 13)
  looking_up_metadata: 'Looking up the disc in {service}',
  choose_metadata: '{count} matches for this disc: choose one, type a title or skip (the best match is taken when the time limit ends)',
  note_tmdb_no_key: 'No TMDB API key (option tmdb_api_key): films are not looked up; the disc keeps its label',
  note_lookup_off: 'Metadata lookups are off (option metadata_lookup)',
  note_lookup_failed: '{service} could not be asked: {error}',
  note_no_match: 'No match for “{query}”',
  note_no_title: 'The volume label “{label}” names no title to search for',
  interrupted: 'Interrupted: disk2iso stopped during the copy (crash, kill or power loss)',
  // a job's end
  copied: 'Copied {bytes} to {path}',
  copied_degraded: 'Copied with {sectors} unreadable sector(s) to {path}',
  drive_gone_during_copy: 'The drive or the disc disappeared during the copy',
  cancelled: 'Cancelled',
  cancelled_shutdown: 'Cancelled: disk2iso is shutting down',
  copy_error: 'Copy of {device} to {path} failed after {bytes}: {detail}',
  already_archived: 'Already archived as {path}',
  already_archived_start: 'Already archived as {path}; press Start to copy it again',
  no_data: 'Not archived: the disc holds no data ({bytes} to copy)',
  cannot_plan: 'Cannot plan the output file in {dir}: {error}',
  folder_unusable: 'Output folder {dir} is not usable: {error}',
  no_space: 'Not enough free space in {dir}: {needed_bytes} needed (disc {disc_bytes} + margin), {free_bytes} free',
  free_space_unknown: 'Cannot check free space in {dir}: {error}',
  drive_gone_before_copy: 'The drive or the disc disappeared before the copy started',
  cannot_open: 'Cannot open the disc: {error}',
  audio_needs_drive: 'Audio CDs can only be ripped from a real drive (cd-paranoia reads the device)',
  no_ripper: "Audio CD not ripped: neither cd-paranoia (package '{package}') nor cdparanoia (package '{alt_package}') is installed",
  // a copy method's fallbacks for a missing tool (job warnings, the System page)
  note_not_compared: "{tool} is not installed (package '{package}'): the new image is not compared with the disc's files",
  note_dvd_raw_missing: "{tool} is not installed (package '{package}'): DVD-Video copied raw",
  note_dvd_raw_no_device: 'the drive has no device path for dvdbackup: DVD-Video copied raw',
  note_dvd_raw_no_css: 'libdvdcss not available: encrypted DVD-Video copied raw',
  note_wav_no_flac: "{tool} is not installed (package '{package}'): tracks kept as WAV (lossless, not encoded)",
  note_flac_no_lame: "{tool} is not installed (package '{package}'): tracks encoded as FLAC instead of MP3",
  note_wav_no_encoder: "{tool} is not installed (package '{package}') and neither is flac: tracks kept as WAV (not encoded)",
  note_no_cdtext: "{tool} is not installed (package '{package}'): no CD-TEXT names, tracks named \"Track NN\"",
  note_folder_no_iso: "{tool} is not installed (package '{package}'): the album is kept as a folder instead of an ISO image",
  // control API replies
  cmd_metadata_selected: 'Chosen: {title}; copying',
  cmd_title_set: 'Title set: {title}; copying',
  cmd_metadata_skipped: 'No metadata: the disc keeps its label; copying',
  cmd_metadata_searched: '{count} matches for “{query}”',
  cmd_unknown_candidate: 'No candidate {candidate_id} for this disc',
  cmd_cancelling: 'cancelling the running job',
  cmd_cancelling_eject: 'cancelling the running job, then ejecting',
  cmd_tray_closed: 'tray closed',
  cmd_copy_requested: 'copy requested',
  cmd_auto_copy_on: 'auto-copy on',
  cmd_auto_copy_off: 'auto-copy off',
  cmd_duplicate_policy_set: 'duplicate policy {policy}',
  cmd_checksum_set: 'checksum {checksum}',
  cmd_ejected: 'ejected',
  cmd_eject_failed: 'eject failed: {error}',
  cmd_close_tray_failed: 'closing the tray failed: {error}',
  cmd_no_drive: 'no drive present',
  cmd_not_in_state: '{action} is not possible in state {state}',
  cmd_no_job: 'nothing to {action} (no job running)',
  cmd_job_running: '{action} is not possible while a job runs',
  cmd_unknown_drive: 'unknown drive "{drive}"',
  cmd_bad_request: '{error}',
  cmd_body_too_large: 'request body too large',
  cmd_unreachable: 'control API unreachable at {url}: {error}',
  /** A text that has no code (an older core's reply): shown as it is. */
  text: '{text}',
} as const;

export type MessageCode = keyof typeof MESSAGE_TEXTS;
export const MESSAGE_CODES = Object.keys(MESSAGE_TEXTS) as MessageCode[];

/**
 * Parameters a code carries beyond those its English text shows: a UI may word the message with
 * them instead (`copy_error`: the copy module's `reason`, where the English text has its detail).
 */
export const MESSAGE_EXTRA_PARAMS = {
  copy_error: ['reason'],
} as const satisfies Partial<Record<MessageCode, readonly string[]>>;

type Placeholders<S extends string> = S extends `${string}{${infer P}}${infer Rest}` ? P | Placeholders<Rest> : never;
type ExtraOf<C extends MessageCode> = C extends keyof typeof MESSAGE_EXTRA_PARAMS ? (typeof MESSAGE_EXTRA_PARAMS)[C][number] : never;
export type ParamName<C extends MessageCode> = Placeholders<(typeof MESSAGE_TEXTS)[C]> | ExtraOf<C>;
export type ParamsOf<C extends MessageCode> = Readonly<Record<ParamName<C>, string | number>>;

export const MessageParamsSchema = z.record(z.string(), z.union([z.string(), z.number()]));
export type MessageParams = Readonly<Record<string, string | number>>;

/** A message as the contract carries it: code, parameters and the English text. */
export interface CodedMessage {
  readonly code: MessageCode;
  readonly params: MessageParams;
  readonly text: string;
}

export function isMessageCode(value: unknown): value is MessageCode {
  return typeof value === 'string' && Object.hasOwn(MESSAGE_TEXTS, value);
}

/** The names `{name}` in a template, in order of appearance. */
export function placeholdersOf(template: string): string[] {
  return [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '');
}

function englishParam(name: string, value: string | number): string {
  return isBytesParam(name) && typeof value === 'number' ? formatBytes(value) : String(value);
}

/** Pure: the English text of a code with its parameters. */
export function englishText(code: MessageCode, params: MessageParams): string {
  return fillTemplate(MESSAGE_TEXTS[code], params, englishParam);
}

/** A coded message with its English text; the parameters a code needs are checked at compile time. */
export function coded<C extends MessageCode>(code: C, ...args: [ParamName<C>] extends [never] ? [] : [params: ParamsOf<C>]): CodedMessage {
  const params: MessageParams = args[0] ?? {};
  return { code, params, text: englishText(code, params) };
}

import { dvdBackupMethod, hasTool, notInstalled, packageOf, type AlbumMetadata, type AudioFormat, type Ripper, type ToolInventory } from '../copy/index.js';
import { coded, type ChosenMetadata, type CodedMessage } from '../contract/index.js';
import type { Toc } from '../drive/index.js';
import type { MachineOptions } from './options.js';

/**
 * How a disc is copied (SPEC §5.1): `name` is what history and attributes record, `warnings`
 * the fallbacks taken because a tool is missing (recorded on the job).
 */
export type CopyMethod =
  | { readonly kind: 'block'; readonly name: string; readonly warnings: readonly string[] }
  | {
      readonly kind: 'dvdbackup';
      readonly name: string;
      readonly devicePath: string;
      /** Compare the new image with the mirrored files (needs xorriso). */
      readonly verify: boolean;
      readonly warnings: readonly string[];
    }
  | {
      readonly kind: 'audio';
      readonly name: string;
      readonly devicePath: string;
      readonly toc: Toc;
      readonly ripper: Ripper;
      readonly format: AudioFormat;
      readonly output: 'folder' | 'iso';
      readonly verify: boolean;
      readonly warnings: readonly string[];
    };

export interface MethodDisc {
  readonly type: string;
  readonly label: string | null;
  readonly sizeBytes: number;
  readonly toc: Toc | null;
  readonly album: AlbumMetadata | null;
  /** The metadata chosen before the copy (issue 13); absent or null: named after the label. */
  readonly metadata?: ChosenMetadata | null;
  /** DVD-Video: the disc's title VOB is (or may be) CSS-scrambled; null or absent = not known. */
  readonly cssEncrypted?: boolean | null;
}

export type MethodOptions = Pick<MachineOptions, 'dvdVideoMode' | 'audioFormat' | 'audioOutput' | 'verify'>;

/** No method can copy the disc: the job ends before the copy starts, with this message. */
export interface MethodError {
  readonly error: CodedMessage;
}

/**
 * Picks the method from the disc, the options and the tools found at start-up; pure. Every
 * method checks the tools it needs: a missing one means the documented fallback and a warning,
 * except an audio CD with no ripper at all, which has no fallback (an error before the copy).
 */
export function chooseMethod(disc: MethodDisc, options: MethodOptions, devicePath: string | null, tools: ToolInventory): CopyMethod | MethodError {
  switch (disc.type) {
    case 'audio-cd':
      return chooseAudio(disc, options, devicePath, tools);
    case 'dvd-video':
      return chooseDvdVideo(disc, options, devicePath, tools);
    case 'bd-video':
      return { kind: 'block', name: 'raw', warnings: [] };
    default:
      return { kind: 'block', name: 'block-copy', warnings: [] };
  }
}

/**
 * The warnings of a method as message codes (the System page words them in the UI's language),
 * kept beside the method object so that its `warnings` stay the English sentences history records.
 */
const NOTES = new WeakMap<CopyMethod, readonly CodedMessage[]>();

type WithoutWarnings<T> = T extends unknown ? Omit<T, 'warnings'> : never;

function withNotes(method: WithoutWarnings<CopyMethod>, notes: readonly CodedMessage[]): CopyMethod {
  const full: CopyMethod = { ...method, warnings: notes.map((note) => note.text) };
  NOTES.set(full, notes);
  return full;
}

/** The coded warnings of a method `chooseMethod` returned (none for one built elsewhere). */
function notesOf(method: CopyMethod): readonly CodedMessage[] {
  return NOTES.get(method) ?? [];
}

/** "xorriso is not installed (package 'xorriso')" as parameters of a note. */
function missing(tool: Parameters<typeof notInstalled>[0]) {
  return { tool, package: packageOf(tool) };
}

/** Whether a tool-built image can be compared with its source files (xorriso), and the warning when not. */
function verifyWith(tools: ToolInventory, asked: boolean, notes: CodedMessage[]): boolean {
  if (!asked) return false;
  if (hasTool(tools, 'xorriso')) return true;
  notes.push(coded('note_not_compared', missing('xorriso')));
  return false;
}

function chooseDvdVideo(disc: MethodDisc, options: MethodOptions, devicePath: string | null, tools: ToolInventory): CopyMethod {
  if (options.dvdVideoMode === 'raw') return { kind: 'block', name: 'raw', warnings: [] };
  const raw = (why: string, note: CodedMessage): CopyMethod => withNotes({ kind: 'block', name: `raw (${why})` }, [note]);
  for (const tool of ['dvdbackup', 'genisoimage'] as const) {
    if (!hasTool(tools, tool)) return raw(`${tool} not installed`, coded('note_dvd_raw_missing', missing(tool)));
  }
  if (devicePath === null) return raw('no device path', coded('note_dvd_raw_no_device'));
  const libdvdcss = tools.libdvdcss !== null;
  if (!libdvdcss && disc.cssEncrypted !== false) {
    return raw('libdvdcss not available', coded('note_dvd_raw_no_css'));
  }
  const notes: CodedMessage[] = [];
  const verify = verifyWith(tools, options.verify, notes);
  return withNotes({ kind: 'dvdbackup', name: dvdBackupMethod(libdvdcss), devicePath, verify }, notes);
}

/**
 * The format actually written: a missing flac never turns a lossless rip lossy (WAV instead); a
 * missing lame gives FLAC (lossless, convertible to MP3 later), or WAV without flac either.
 */
function audioFormat(wanted: 'flac' | 'mp3', tools: ToolInventory, notes: CodedMessage[]): AudioFormat {
  if (wanted === 'flac') {
    if (hasTool(tools, 'flac')) return 'flac';
    notes.push(coded('note_wav_no_flac', missing('flac')));
    return 'wav';
  }
  if (hasTool(tools, 'lame')) return 'mp3';
  if (hasTool(tools, 'flac')) {
    notes.push(coded('note_flac_no_lame', missing('lame')));
    return 'flac';
  }
  notes.push(coded('note_wav_no_encoder', missing('lame')));
  return 'wav';
}

function chooseAudio(disc: MethodDisc, options: MethodOptions, devicePath: string | null, tools: ToolInventory): CopyMethod | MethodError {
  if (!devicePath || !disc.toc) return { error: coded('audio_needs_drive') };
  const ripper: Ripper | null = hasTool(tools, 'cd-paranoia') ? 'cd-paranoia' : hasTool(tools, 'cdparanoia') ? 'cdparanoia' : null;
  if (ripper === null) {
    return { error: coded('no_ripper', { package: packageOf('cd-paranoia'), alt_package: packageOf('cdparanoia') }) };
  }
  const notes: CodedMessage[] = [];
  if (disc.album === null && !hasTool(tools, 'cd-info')) notes.push(coded('note_no_cdtext', missing('cd-info')));
  const format = audioFormat(options.audioFormat, tools, notes);
  let output = options.audioOutput;
  if (output === 'iso' && !hasTool(tools, 'genisoimage')) {
    notes.push(coded('note_folder_no_iso', missing('genisoimage')));
    output = 'folder';
  }
  const verify = output === 'iso' && verifyWith(tools, options.verify, notes);
  const encoder = format === 'flac' ? 'flac' : format === 'mp3' ? 'lame (mp3)' : 'wav';
  return withNotes({ kind: 'audio', name: `${ripper} + ${encoder}`, devicePath, toc: disc.toc, ripper, format, output, verify }, notes);
}

/** The disc kinds the System page summarises, as the method choice would see them. */
const SUMMARY_DISCS: ReadonlyArray<readonly [key: string, disc: MethodDisc]> = [
  ['data', { type: 'cd-rom', label: null, sizeBytes: 0, toc: null, album: null }],
  ['dvd-video (encrypted)', { type: 'dvd-video', label: null, sizeBytes: 0, toc: null, album: null, cssEncrypted: true }],
  ['dvd-video (unencrypted)', { type: 'dvd-video', label: null, sizeBytes: 0, toc: null, album: null, cssEncrypted: false }],
  ['bd-video', { type: 'bd-video', label: null, sizeBytes: 0, toc: null, album: null }],
  ['audio-cd', { type: 'audio-cd', label: null, sizeBytes: 0, toc: { firstTrack: 1, lastTrack: 1, tracks: [], leadOut: 0 }, album: null }],
];

/**
 * What each kind of disc gets with these tools and options — the method name, then the warnings
 * a job would carry — for `system.json` and the System page. Computed by `chooseMethod` itself.
 */
export function methodsInEffect(options: MethodOptions, tools: ToolInventory): Record<string, string> {
  return Object.fromEntries(
    SUMMARY_DISCS.map(([key, disc]) => {
      const chosen = chooseMethod(disc, options, '/dev/sr0', tools);
      return [key, 'error' in chosen ? chosen.error.text : [chosen.name, ...chosen.warnings].join('; ')];
    }),
  );
}

/** The same summary with the warnings as message codes (`system.json` `method_notes`): the method's name, or null when none can copy. */
export function methodNotesInEffect(options: MethodOptions, tools: ToolInventory): Record<string, MethodNotes> {
  return Object.fromEntries(
    SUMMARY_DISCS.map(([key, disc]) => {
      const chosen = chooseMethod(disc, options, '/dev/sr0', tools);
      const notes = 'error' in chosen ? [chosen.error] : notesOf(chosen);
      return [key, { method: 'error' in chosen ? null : baseName(chosen.name), notes: notes.map(({ code, params }) => ({ code, params })) }];
    }),
  );
}

export interface MethodNotes {
  readonly method: string | null;
  readonly notes: { readonly code: string; readonly params: Readonly<Record<string, string | number>> }[];
}

/** `raw (libdvdcss not available)` → `raw`: the reason is in the notes. */
function baseName(name: string): string {
  return name.startsWith('raw (') ? 'raw' : name;
}

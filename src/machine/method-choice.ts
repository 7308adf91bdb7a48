import { dvdBackupMethod, hasTool, notInstalled, packageOf, type AlbumMetadata, type AudioFormat, type Ripper, type ToolInventory } from '../copy/index.js';
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
  /** DVD-Video: the disc's title VOB is (or may be) CSS-scrambled; null or absent = not known. */
  readonly cssEncrypted?: boolean | null;
}

export type MethodOptions = Pick<MachineOptions, 'dvdVideoMode' | 'audioFormat' | 'audioOutput' | 'verify'>;

/** No method can copy the disc: the job ends before the copy starts, with this message. */
export interface MethodError {
  readonly error: string;
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

/** Whether a tool-built image can be compared with its source files (xorriso), and the warning when not. */
function verifyWith(tools: ToolInventory, asked: boolean, warnings: string[]): boolean {
  if (!asked) return false;
  if (hasTool(tools, 'xorriso')) return true;
  warnings.push(`${notInstalled('xorriso')}: the new image is not compared with the disc's files`);
  return false;
}

function chooseDvdVideo(disc: MethodDisc, options: MethodOptions, devicePath: string | null, tools: ToolInventory): CopyMethod {
  if (options.dvdVideoMode === 'raw') return { kind: 'block', name: 'raw', warnings: [] };
  const raw = (why: string, warning: string): CopyMethod => ({ kind: 'block', name: `raw (${why})`, warnings: [warning] });
  for (const tool of ['dvdbackup', 'genisoimage'] as const) {
    if (!hasTool(tools, tool)) return raw(`${tool} not installed`, `${notInstalled(tool)}: DVD-Video copied raw`);
  }
  if (devicePath === null) return raw('no device path', 'the drive has no device path for dvdbackup: DVD-Video copied raw');
  const libdvdcss = tools.libdvdcss !== null;
  if (!libdvdcss && disc.cssEncrypted !== false) {
    return raw('libdvdcss not available', 'libdvdcss not available: encrypted DVD-Video copied raw');
  }
  const warnings: string[] = [];
  const verify = verifyWith(tools, options.verify, warnings);
  return { kind: 'dvdbackup', name: dvdBackupMethod(libdvdcss), devicePath, verify, warnings };
}

/**
 * The format actually written: a missing flac never turns a lossless rip lossy (WAV instead); a
 * missing lame gives FLAC (lossless, convertible to MP3 later), or WAV without flac either.
 */
function audioFormat(wanted: 'flac' | 'mp3', tools: ToolInventory, warnings: string[]): AudioFormat {
  if (wanted === 'flac') {
    if (hasTool(tools, 'flac')) return 'flac';
    warnings.push(`${notInstalled('flac')}: tracks kept as WAV (lossless, not encoded)`);
    return 'wav';
  }
  if (hasTool(tools, 'lame')) return 'mp3';
  if (hasTool(tools, 'flac')) {
    warnings.push(`${notInstalled('lame')}: tracks encoded as FLAC instead of MP3`);
    return 'flac';
  }
  warnings.push(`${notInstalled('lame')} and neither is flac: tracks kept as WAV (not encoded)`);
  return 'wav';
}

function chooseAudio(disc: MethodDisc, options: MethodOptions, devicePath: string | null, tools: ToolInventory): CopyMethod | MethodError {
  if (!devicePath || !disc.toc) return { error: 'Audio CDs can only be ripped from a real drive (cd-paranoia reads the device)' };
  const ripper: Ripper | null = hasTool(tools, 'cd-paranoia') ? 'cd-paranoia' : hasTool(tools, 'cdparanoia') ? 'cdparanoia' : null;
  if (ripper === null) {
    return {
      error: `Audio CD not ripped: neither cd-paranoia (package '${packageOf('cd-paranoia')}') nor cdparanoia (package '${packageOf('cdparanoia')}') is installed`,
    };
  }
  const warnings: string[] = [];
  if (disc.album === null && !hasTool(tools, 'cd-info')) warnings.push(`${notInstalled('cd-info')}: no CD-TEXT names, tracks named "Track NN"`);
  const format = audioFormat(options.audioFormat, tools, warnings);
  let output = options.audioOutput;
  if (output === 'iso' && !hasTool(tools, 'genisoimage')) {
    warnings.push(`${notInstalled('genisoimage')}: the album is kept as a folder instead of an ISO image`);
    output = 'folder';
  }
  const verify = output === 'iso' && verifyWith(tools, options.verify, warnings);
  const encoder = format === 'flac' ? 'flac' : format === 'mp3' ? 'lame (mp3)' : 'wav';
  return { kind: 'audio', name: `${ripper} + ${encoder}`, devicePath, toc: disc.toc, ripper, format, output, verify, warnings };
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
      return [key, 'error' in chosen ? chosen.error : [chosen.name, ...chosen.warnings].join('; ')];
    }),
  );
}

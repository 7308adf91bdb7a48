import type { Config } from '../config/index.js';
import type { FindArchived } from '../copy/index.js';

/** What one drive machine needs from the configuration, in the units it uses. */
export interface MachineOptions {
  readonly outputDir: string;
  readonly autoCopy: boolean;
  readonly copyDiscPresentAtStart: boolean;
  readonly ejectAfterCopy: boolean;
  readonly duplicatePolicy: 'suffix' | 'skip' | 'overwrite';
  readonly checksums: readonly ('sha256' | 'md5')[];
  readonly verify: boolean;
  readonly readRetries: number;
  readonly onReadError: 'keep_degraded' | 'fail';
  readonly stallTimeoutMs: number;
  readonly minFreeBytes: number;
  readonly dvdVideoMode: 'decrypt' | 'raw';
  readonly audioFormat: 'flac' | 'mp3';
  readonly audioOutput: 'folder' | 'iso';
  readonly metadataLookup: boolean;
  /** How long a drive waits for the user's choice among several matches before taking the default. */
  readonly metadataTimeoutMs: number;
  readonly intervalsMs: { readonly drive: number; readonly media: number; readonly removal: number };
  readonly heartbeatMs: number;
  readonly progressIntervalMs: number;
  /**
   * The duplicate check: the archived image of a fingerprint, or null. The core answers it from
   * its archive index; without one (tests, tools) the output folder's records are read.
   */
  readonly findArchived?: FindArchived;
}

export function checksumList(option: Config['checksum']): ('sha256' | 'md5')[] {
  switch (option) {
    case 'sha256':
      return ['sha256'];
    case 'md5':
      return ['md5'];
    case 'both':
      return ['sha256', 'md5'];
    case 'none':
      return [];
  }
}

/** The checksum option that gives `list` (the inverse of checksumList). */
export function checksumChoiceOf(list: readonly ('sha256' | 'md5')[]): Config['checksum'] {
  const sha = list.includes('sha256');
  const md5 = list.includes('md5');
  return sha && md5 ? 'both' : sha ? 'sha256' : md5 ? 'md5' : 'none';
}

export function machineOptions(config: Config): MachineOptions {
  return {
    outputDir: config.output_dir,
    autoCopy: config.auto_copy,
    copyDiscPresentAtStart: config.copy_disc_present_at_start,
    ejectAfterCopy: config.eject_after_copy,
    duplicatePolicy: config.duplicate_policy,
    checksums: checksumList(config.checksum),
    verify: config.verify,
    readRetries: config.read_retries,
    onReadError: config.on_read_error,
    stallTimeoutMs: config.stall_timeout * 1000,
    minFreeBytes: config.min_free_space_mb * 1024 * 1024,
    dvdVideoMode: config.dvd_video_mode,
    audioFormat: config.audio_format,
    audioOutput: config.audio_output,
    metadataLookup: config.metadata_lookup,
    metadataTimeoutMs: config.metadata_timeout * 1000,
    intervalsMs: {
      drive: config.poll_drive_interval * 1000,
      media: config.poll_media_interval * 1000,
      removal: config.poll_removal_interval * 1000,
    },
    heartbeatMs: 30_000,
    progressIntervalMs: 500,
  };
}

import type { DiscReader } from '../drive/index.js';
import type { Logger } from '../log/index.js';
import type { CopyError, CopyReason } from './errors.js';

export type ChecksumAlgorithm = 'sha256' | 'md5';
export type ChecksumValues = { sha256?: string; md5?: string };
/** Byte range [start, end). */
export type ByteRange = [number, number];

export interface CopyRequest {
  /** From `drive.open()`; the caller opens and closes it. */
  reader: DiscReader;
  /** Exact bytes to copy (filesystem size from the descriptors, not rounded). */
  sizeBytes: number;
  /** Final image path; work files are `<target>.part` and `<target>.part.map` (GNU ddrescue mapfile). */
  targetPath: string;
  checksums: readonly ChecksumAlgorithm[];
  /** Re-read the written image and compare with the hash of what was read from the disc. */
  verify: boolean;
  /** Retry passes over the sectors still bad after trimming and scraping. */
  readRetries: number;
  onReadError: 'keep_degraded' | 'fail';
  /** No read or write completing for this long ends the copy with reason `stalled`. */
  stallTimeoutMs: number;
  /** Abort = cancel: stops within ~2 s, removes `.part` and `.map`. */
  signal: AbortSignal;
  /** Called often (each chunk or sector, at least every 50 ms); the caller throttles. */
  onProgress: (p: CopyProgressSample) => void;
  logger: Logger;
  /** Default true: continue from `.part` + `.part.map` left by a killed run of the same size. */
  resume?: boolean;
  /** Name of the source in messages (`/dev/sr0`); default `reader.devicePath` or "the disc". */
  device?: string;
  /** Write `<image>.sha256` / `<image>.md5` after the rename (default true). */
  writeSidecars?: boolean;
  /**
   * Keep `.part` + `.part.map` (mapfile saved) when the signal is aborted with a reason this
   * accepts, e.g. `(reason) => reason === 'shutdown'`, so the next start can resume; the
   * outcome is still `cancelled`. Default: an abort always removes the partial output.
   */
  keepPartialOnAbort?: (reason: unknown) => boolean;
  /** Read size of the first pass, a multiple of 2048 (default 1 MiB). */
  chunkBytes?: number;
}

export type CopyPhaseName = 'reading' | 'rescuing' | 'verifying';

export interface CopyProgressSample {
  phase: CopyPhaseName;
  bytesDone: number;
  bytesTotal: number;
  /** Sectors tried and not (yet) read; an upper bound until the rescue passes finish. */
  badSectors: number;
  badRanges: ByteRange[];
}

export type CopyOutcome = 'success' | 'degraded' | 'failed' | 'cancelled';

/** Same shape on success and failure; `runCopy` never rejects for a failed copy. */
export interface CopyResult {
  outcome: CopyOutcome;
  reason: CopyReason | null;
  error: CopyError | null;
  /** Final path when success/degraded; null otherwise (partial output removed). */
  imagePath: string | null;
  /** Image size on success/degraded, else bytes read and written before the end. */
  bytes: number;
  durationMs: number;
  checksums: ChecksumValues;
  badSectors: number;
  badRanges: ByteRange[];
  /** True when a previous run's `.part`/`.map` were continued. */
  resumed: boolean;
  /**
   * True when `.part` + `.part.map` were left for a later resume: an abort `keepPartialOnAbort`
   * accepts, or a drive that stopped responding (reason `drive_timeout`).
   */
  partialKept?: boolean;
  /** Sidecar files written (`.sha256`, `.md5`). */
  sidecars: string[];
  /** Audio rips: what each track's rip gave (checksums, AccurateRip, unreadable sectors). */
  audioTracks?: AudioTrackReport[];
}

/** One ripped track, as history records it (snake_case like the contract). */
export interface AudioTrackReport {
  number: number;
  /** File in the album folder. */
  file: string;
  sectors: number;
  /** CRC32 of the PCM (EAC's "Copy CRC"). */
  crc32: string;
  ar_v1: string;
  ar_v2: string;
  /** `match` (accurately ripped), `mismatch`, `not_found` (not in the database), `unavailable` (no lookup or it failed). */
  accuraterip: 'match' | 'mismatch' | 'not_found' | 'unavailable';
  /** Sum of the confidences of the matching database entries; 0 unless `match`. */
  accuraterip_confidence: number;
  /** Sectors the ripper reported it could not read (skipped): the track is degraded. */
  bad_sectors: number;
}

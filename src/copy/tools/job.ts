import { rm } from 'node:fs/promises';
import type { Logger } from '../../log/index.js';
import { errorMessage } from '../../util/errors.js';
import { CopyError, OutputWriteError } from '../errors.js';
import { CopyGuard, CopyStopped } from '../guard.js';
import type { AudioTrackReport, ChecksumValues, CopyResult } from '../types.js';

/**
 * Work paths of a tool-based copy to `targetPath`: `part` is the image (or, for an album
 * folder, the folder) being written; `work` holds intermediate files (dvdbackup mirror, the
 * folder an audio ISO wraps). Neither ever has the final name.
 */
export function mediaWorkPaths(targetPath: string): { part: string; work: string } {
  return { part: `${targetPath}.part`, work: `${targetPath}.work` };
}

/** Removes what an interrupted DVD-Video backup or audio rip left (`.part` file or folder, `.work`). */
export async function discardMediaWork(targetPath: string): Promise<void> {
  const { part, work } = mediaWorkPaths(targetPath);
  await Promise.all([rm(part, { recursive: true, force: true }), rm(work, { recursive: true, force: true })]);
}

/** The frame of one tool-based copy: guard (cancel, stall), duration, and the result on either end. */
export class MediaJob {
  readonly guard: CopyGuard;
  readonly #started = Date.now();
  /** Bytes done so far, for the failure message. */
  bytes = 0;

  constructor(
    readonly device: string,
    readonly targetPath: string,
    signal: AbortSignal,
    stallTimeoutMs: number,
    readonly logger: Logger,
  ) {
    this.guard = new CopyGuard(signal, stallTimeoutMs);
  }

  succeeded(fields: {
    imagePath: string;
    bytes: number;
    checksums: ChecksumValues;
    sidecars: readonly string[];
    badSectors?: number;
    audioTracks?: AudioTrackReport[];
  }): CopyResult {
    const badSectors = fields.badSectors ?? 0;
    const outcome = badSectors > 0 ? 'degraded' : 'success';
    this.logger.info({ target: fields.imagePath, outcome, bytes: fields.bytes, badSectors }, `copy ${outcome}`);
    return {
      outcome,
      reason: null,
      error: null,
      imagePath: fields.imagePath,
      bytes: fields.bytes,
      durationMs: Date.now() - this.#started,
      checksums: fields.checksums,
      badSectors,
      badRanges: [],
      resumed: false,
      sidecars: [...fields.sidecars],
      ...(fields.audioTracks ? { audioTracks: fields.audioTracks } : {}),
    };
  }

  /** Stops the copy for `error` (its own reason: disk full, a tool's failure…) unless it already stopped; every running tool is killed. */
  stopFor(error: unknown): CopyStopped {
    return this.guard.stopped ?? this.guard.stop(...stopOf(error));
  }

  /** The first stop reason wins; `cleanup` removes every partial output before the result is returned. */
  async failed(error: unknown, cleanup: readonly string[]): Promise<CopyResult> {
    const stop = this.stopFor(error);
    const copyError = new CopyError(this.device, this.targetPath, this.bytes, stop.reason, stop.detail, { cause: stop.cause ?? error });
    if (stop.reason === 'cancelled') this.logger.info(copyError.message);
    else this.logger.error({ err: stop.cause ?? error }, copyError.message);
    await Promise.all(
      cleanup.map((path) =>
        rm(path, { recursive: true, force: true, maxRetries: 2 }).catch((e: unknown) => this.logger.warn({ err: e, path }, 'could not remove partial output')),
      ),
    );
    return {
      outcome: stop.reason === 'cancelled' ? 'cancelled' : 'failed',
      reason: stop.reason,
      error: copyError,
      imagePath: null,
      bytes: this.bytes,
      durationMs: Date.now() - this.#started,
      checksums: {},
      badSectors: 0,
      badRanges: [],
      resumed: false,
      sidecars: [],
    };
  }

  dispose(): void {
    this.guard.dispose();
  }
}

function stopOf(error: unknown): [CopyStopped['reason'], string, unknown] {
  if (error instanceof CopyStopped) return [error.reason, error.detail, error.cause];
  if (error instanceof OutputWriteError) return [error.reason, error.message, error];
  return ['io_error', `unexpected error: ${errorMessage(error)}`, error];
}

import { access, constants, mkdir } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { coded, type CodedMessage, type HistoryEntry, type JobResult, type Progress } from '../contract/index.js';
import {
  discardMediaWork,
  discardPartial,
  archivedFinder,
  freeSpace,
  planTarget,
  ProgressMeter,
  releaseTarget,
  writeImageMetadata,
  type CopyResult,
  type ToolInventory,
} from '../copy/index.js';
import { safeFileName } from '../disc/index.js';
import { closeWithin, DriveReadError, type DiscReader, type Drive } from '../drive/index.js';
import type { Logger } from '../log/index.js';
import { errorMessage } from '../util/errors.js';
import type { AnalyzedDisc } from './analyze.js';
import { writeArchiveExtras } from './archive-extras.js';
import { chooseMethod, type CopyMethod } from './method-choice.js';
import { devicePathOf, discBytes, outputExtension, outputName, runMethod, spaceNeeded } from './methods.js';
import type { MachineOptions } from './options.js';
import { checksumsOf, progressSnapshot } from './snapshots.js';

/** How long the end of a job waits for the disc reader to close (a stuck read holds it). */
const READER_CLOSE_WAIT_MS = 500;

/** Why the machine aborted a job: the first reason wins. */
export type AbortReason = 'cancel' | 'shutdown' | 'drive_gone';

/** A partial image left by a crash, resumable when the same disc comes back. */
export interface ResumeCandidate {
  readonly fingerprint: string;
  readonly targetPath: string;
}

export interface JobRequest {
  readonly jobId: string;
  readonly driveId: string;
  readonly drive: Drive;
  readonly disc: AnalyzedDisc;
  readonly options: MachineOptions;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  /** Copy even if the disc is already archived (the user pressed Start after a skip). */
  readonly forceCopy: boolean;
  readonly resume: ResumeCandidate | null;
  /** What was installed at start-up: the method choice falls back when a tool is missing. */
  readonly tools: ToolInventory;
  /** The drive's covers folder (`drives/<id>/covers`): the chosen cover is copied from there. */
  readonly coversDir: string;
  readonly onTarget: (targetPath: string, method: string, warnings: readonly string[]) => void;
  readonly onProgress: (progress: Progress) => void;
}

export interface JobOutcome {
  readonly result: JobResult;
  readonly message: CodedMessage;
  readonly entry: HistoryEntry;
  /** The target whose `.part` + mapfile the job left for a resume (a shutdown mid-copy), else absent. */
  readonly keptPartial?: string;
}

function resultOf(copy: CopyResult, abortReason: AbortReason | undefined): JobResult {
  if (copy.outcome === 'cancelled' && abortReason === 'drive_gone') return 'failed';
  return copy.outcome;
}

function messageOf(copy: CopyResult, result: JobResult, abortReason: AbortReason | undefined): CodedMessage {
  if (result === 'success') return coded('copied', { bytes: copy.bytes, path: copy.imagePath ?? '' });
  if (result === 'degraded') return coded('copied_degraded', { sectors: copy.badSectors, path: copy.imagePath ?? '' });
  if (abortReason === 'drive_gone' || copy.reason === 'drive_gone') return coded('drive_gone_during_copy');
  if (result === 'cancelled') return coded(abortReason === 'shutdown' ? 'cancelled_shutdown' : 'cancelled');
  const error = copy.error;
  if (!error) return coded('copy_failed');
  const message = coded('copy_error', { device: error.device, path: error.targetPath, bytes: error.bytesCopied, detail: error.detail, reason: error.reason });
  // The copy module's own sentence stays the English text ("… was cancelled after …" included).
  return { ...message, text: error.message };
}

/** The history/attributes fields of a job's error. */
export function errorFields(message: CodedMessage): Pick<HistoryEntry, 'error_message' | 'error_code' | 'error_params'> {
  return { error_message: message.text, error_code: message.code, error_params: message.params };
}

/** Pure: a history entry for a job of `disc` that started at `started`. */
function historyEntry(
  ids: { jobId: string; driveId: string },
  disc: AnalyzedDisc,
  method: string | null,
  started: Date,
  result: JobResult,
  fields: Partial<HistoryEntry>,
): HistoryEntry {
  const finished = new Date();
  const durationS = (finished.getTime() - started.getTime()) / 1000;
  const bytes = fields.bytes ?? 0;
  return {
    id: ids.jobId,
    drive_id: ids.driveId,
    disc_label: disc.label,
    disc_type: disc.type,
    fingerprint: disc.fingerprint,
    result,
    method,
    started: started.toISOString(),
    finished: finished.toISOString(),
    duration_s: Math.round(durationS * 10) / 10,
    bytes,
    avg_speed_bytes_per_s: durationS > 0 ? Math.round(bytes / durationS) : 0,
    image_path: null,
    checksums: {},
    bad_sectors: 0,
    bad_ranges: [],
    error_message: null,
    ...fields,
  };
}

/**
 * With the `skip` policy, the outcome for a disc already archived (same fingerprint), decided
 * before any copy starts; null when the disc should be copied.
 */
export async function duplicateSkip(
  ids: { jobId: string; driveId: string },
  disc: AnalyzedDisc,
  options: MachineOptions,
): Promise<JobOutcome | null> {
  if (options.duplicatePolicy !== 'skip' || !disc.fingerprint) return null;
  const existing = await archivedFinder(options.outputDir, options.findArchived)(disc.fingerprint).catch(() => null);
  if (!existing) return null;
  return {
    result: 'skipped_duplicate',
    message: coded('already_archived_start', { path: existing }),
    entry: historyEntry(ids, disc, null, new Date(), 'skipped_duplicate', { image_path: existing }),
  };
}

/**
 * A data disc with nothing to copy (a blank or unfinalised medium, an empty image): archiving it
 * would record a 0-byte `success`. Audio CDs are sized by their TOC, not here.
 */
function holdsNoData(disc: AnalyzedDisc): boolean {
  return disc.type !== 'audio-cd' && disc.sizeBytes <= 0;
}

/** Runs one copy job start to end; never throws for a failed copy. */
export async function runCopyJob(request: JobRequest): Promise<JobOutcome> {
  const { disc, options, logger, driveId } = request;
  const started = new Date();
  if (holdsNoData(disc)) {
    const message = coded('no_data', { bytes: disc.sizeBytes });
    return { result: 'failed', message, entry: historyEntry({ jobId: request.jobId, driveId }, disc, null, started, 'failed', errorFields(message)) };
  }
  const chosen = chooseMethod(disc, options, await devicePathOf(request.drive), request.tools);
  const methodName = 'error' in chosen ? null : chosen.name;
  const warnings = 'error' in chosen ? [] : [...chosen.warnings];
  const entry = (result: JobResult, fields: Partial<HistoryEntry>): HistoryEntry =>
    historyEntry({ jobId: request.jobId, driveId }, disc, methodName, started, result, { warnings, ...fields });
  const failBeforeCopy = (message: CodedMessage): JobOutcome => ({
    result: 'failed',
    message,
    entry: entry('failed', errorFields(message)),
  });
  if ('error' in chosen) return failBeforeCopy(chosen.error);
  const method: CopyMethod = chosen;
  for (const warning of method.warnings) logger.warn({ method: method.name }, 'fallback: %s', warning);

  let targetPath: string;
  let resume = false;
  if (request.resume && request.resume.fingerprint === disc.fingerprint && method.kind === 'block') {
    targetPath = request.resume.targetPath;
    resume = true;
  } else {
    if (request.resume) await discardResume(request.resume.targetPath);
    try {
      const plan = await planTarget({
        outputDir: options.outputDir,
        discType: disc.type,
        ...outputName(method, disc, `disc_${started.toISOString().slice(0, 10)}`),
        policy: request.forceCopy && options.duplicatePolicy === 'skip' ? 'suffix' : options.duplicatePolicy,
        fingerprint: disc.fingerprint,
        extension: outputExtension(method),
        findArchived: options.findArchived,
        claim: true,
      });
      if (plan.action === 'skip') {
        const message = coded('already_archived', { path: plan.existingPath });
        return { result: 'skipped_duplicate', message, entry: entry('skipped_duplicate', { image_path: plan.existingPath }) };
      }
      targetPath = plan.targetPath;
    } catch (error) {
      return failBeforeCopy(coded('cannot_plan', { dir: options.outputDir, error: errorMessage(error) }));
    }
  }

  try {
    return await copyTo(request, { method, targetPath, resume, started, entry, failBeforeCopy });
  } finally {
    releaseTarget(targetPath);
  }
}

interface PlannedCopy {
  readonly method: CopyMethod;
  readonly targetPath: string;
  readonly resume: boolean;
  readonly started: Date;
  readonly entry: (result: JobResult, fields: Partial<HistoryEntry>) => HistoryEntry;
  readonly failBeforeCopy: (message: CodedMessage) => JobOutcome;
}

async function copyTo(request: JobRequest, planned: PlannedCopy): Promise<JobOutcome> {
  const { disc, options, logger, driveId } = request;
  const { method, targetPath, resume, started, entry, failBeforeCopy } = planned;
  try {
    await mkdir(dirname(targetPath), { recursive: true });
  } catch (error) {
    return failBeforeCopy(await unusableFolderMessage(options.outputDir, dirname(targetPath), error));
  }
  try {
    const space = await freeSpace(dirname(targetPath));
    const copyBytes = spaceNeeded(method, disc);
    const needed = copyBytes + options.minFreeBytes;
    if (space.freeBytes < needed) {
      return failBeforeCopy(coded('no_space', { dir: options.outputDir, needed_bytes: needed, disc_bytes: copyBytes, free_bytes: space.freeBytes }));
    }
  } catch (error) {
    return failBeforeCopy(coded('free_space_unknown', { dir: options.outputDir, error: errorMessage(error) }));
  }

  request.onTarget(targetPath, method.name, method.warnings);
  logger.info({ target: targetPath, bytes: disc.sizeBytes, method: method.name, resume }, "copying '%s' to %s", disc.label ?? '', targetPath);

  let reader: DiscReader | null = null;
  if (method.kind === 'block') {
    try {
      reader = await request.drive.open();
    } catch (error) {
      if (error instanceof DriveReadError && error.isGone) return failBeforeCopy(coded('drive_gone_before_copy'));
      return failBeforeCopy(coded('cannot_open', { error: errorMessage(error) }));
    }
  }
  const meter = new ProgressMeter(discBytes(disc));
  let copy: CopyResult;
  try {
    copy = await runMethod(method, {
      drive: request.drive,
      reader,
      disc,
      targetPath,
      resume,
      options,
      signal: request.signal,
      logger,
      onProgress: (sample) => {
        const m = meter.update(sample.bytesDone);
        request.onProgress(
          progressSnapshot({
            driveId,
            jobId: request.jobId,
            phase: sample.phase,
            bytesDone: sample.bytesDone,
            bytesTotal: sample.bytesTotal,
            percent: m.percent,
            speed: m.speedBytesPerS,
            eta: m.etaSeconds,
            badSectors: sample.badSectors,
            badRanges: sample.badRanges,
            track: sample.track ?? null,
            tracks: sample.tracks ?? null,
          }),
        );
      },
    });
  } finally {
    // A read stuck in the drive holds close() until the drive answers: the job ends anyway
    // (cancel within 2 s); the drive keeps everything else off the medium until it has closed.
    if (reader && !(await closeWithin(reader, READER_CLOSE_WAIT_MS))) {
      logger.warn('a read is still stuck in the drive; the drive is released once it returns');
    }
  }

  const abortReason = request.signal.aborted ? (request.signal.reason as AbortReason) : undefined;
  const result = resultOf(copy, abortReason);
  // A copy that did not end with an image leaves no work files, unless it kept them on purpose
  // for a resume: a leftover would hold the name and push the next copy of the disc to `_1`.
  if (copy.imagePath === null && copy.partialKept !== true) await discardResume(targetPath);
  const message = messageOf(copy, result, abortReason);
  const checksums = checksumsOf(copy.checksums);
  let coverPath: string | null = null;
  if (copy.imagePath && (result === 'success' || result === 'degraded')) {
    coverPath = await writeArchiveExtras(copy.imagePath, outputExtension(method) === '', disc, request.coversDir, logger);
    await writeImageMetadata(copy.imagePath, {
      fingerprint: disc.fingerprint,
      label: disc.label,
      disc_type: disc.type,
      created: new Date().toISOString(),
      bytes: copy.bytes,
      checksums,
      method: method.name,
      result,
      bad_ranges: copy.badRanges,
      drive_id: driveId,
      job_id: request.jobId,
      started: started.toISOString(),
      ...(disc.metadata ? { metadata: disc.metadata, cover: coverPath === null ? null : basename(coverPath) } : {}),
    }).catch((error: unknown) => logger.warn({ err: errorMessage(error) }, 'writing image metadata failed'));
  }
  return {
    result,
    message,
    ...(copy.partialKept === true ? { keptPartial: targetPath } : {}),
    entry: entry(result, {
      bytes: copy.bytes,
      image_path: copy.imagePath,
      checksums,
      bad_sectors: copy.badSectors,
      bad_ranges: copy.badRanges,
      ...(copy.audioTracks ? { audio_tracks: copy.audioTracks } : {}),
      ...(disc.metadata ? { metadata: disc.metadata, cover_path: coverPath } : {}),
      ...(result === 'success' ? { error_message: null } : errorFields(message)),
    }),
  };
}

/** Removes every work file a crashed job may have left: block `.part`/`.map`, tool `.part/` and `.work/`. */
export async function discardResume(targetPath: string): Promise<void> {
  await discardPartial(targetPath).catch(() => undefined);
  await discardMediaWork(targetPath).catch(() => undefined);
}

/**
 * Why a folder cannot be written, in words: recursive mkdir reports ENOENT even on a read-only
 * filesystem, so the output folder itself is probed for the real reason.
 */
async function unusableFolderMessage(outputDir: string, folder: string, error: unknown): Promise<CodedMessage> {
  const reason = await access(outputDir, constants.W_OK).then(
    () => errorMessage(error),
    (probe: unknown) => errorMessage(probe),
  );
  return coded('folder_unusable', { dir: folder, error: reason });
}

/**
 * Readable and unique per drive: `sr0-20260110T230105.123Z-1`; `sequence` counts the drive's jobs
 * (its machine keeps the count), so two ids made in the same millisecond still differ.
 */
export function jobIdFor(driveId: string, sequence: number, at = new Date()): string {
  return `${driveId}-${at.toISOString().replace(/[-:]/g, '')}-${sequence}`;
}

export function jobLogName(jobId: string, label: string | null): string {
  return `${jobId}_${basename(safeFileName(label, 'disc'))}.log`;
}

import { join } from 'node:path';
import type { EventType, Progress } from '../contract/index.js';
import type { Drive } from '../drive/index.js';
import type { ToolInventory } from '../copy/index.js';
import { createJobLogger, type Logger } from '../log/index.js';
import type { AnalyzedDisc } from './analyze.js';
import type { ContractStore } from './contract-store.js';
import { jobLogName, runCopyJob, type AbortReason, type JobOutcome, type ResumeCandidate } from './copy-job.js';
import { discBytes } from './methods.js';
import type { MachineOptions } from './options.js';
import { Throttle } from './progress-throttle.js';
import { discAttributes } from './snapshots.js';

/** A job in progress, as the machine sees it: cancel with `controller`, eject when it ends. */
export interface RunningJob {
  readonly id: string;
  readonly controller: AbortController;
  ejectAfter: boolean;
}

export interface JobRun {
  readonly job: RunningJob;
  readonly driveId: string;
  readonly drive: Drive;
  readonly disc: AnalyzedDisc;
  readonly store: ContractStore;
  readonly options: MachineOptions;
  readonly logger: Logger;
  readonly forceCopy: boolean;
  readonly resume: ResumeCandidate | null;
  readonly tools: ToolInventory;
  /** Progress after throttling (≤ 2/s), also for in-process observers. */
  readonly onProgress: (progress: Progress) => void;
  /** The drive vanished during the job (presence polling). */
  readonly onDriveGone: () => void;
}

/**
 * Runs one job of a machine end to end: job log, copy_started, the copy itself with throttled
 * progress and presence polling, then history, attributes and the job event.
 */
export async function runJob(run: JobRun): Promise<JobOutcome> {
  const { job, disc, store, driveId } = run;
  const jobLog = createJobLogger(run.logger, join(run.options.outputDir, '.log', jobLogName(job.id, disc.label)), {
    drive: driveId,
    job: job.id,
  });
  const progress = new Throttle<Progress>(run.options.progressIntervalMs, (p) => {
    void store.writeProgress(p);
    run.onProgress(p);
  });
  const presence = watchPresence(run);
  try {
    await store.event(driveId, 'copy_started', { job_id: job.id, label: disc.label, disc_type: disc.type, bytes: disc.sizeBytes });
    const outcome = await runCopyJob({
      jobId: job.id,
      driveId,
      drive: run.drive,
      disc,
      options: run.options,
      logger: jobLog.logger,
      signal: job.controller.signal,
      forceCopy: run.forceCopy,
      resume: run.resume,
      tools: run.tools,
      coversDir: store.paths.covers(driveId),
      onTarget: (targetPath, method, warnings) => {
        void store.writeAttributes(
          discAttributes(driveId, { ...disc, sizeBytes: discBytes(disc) }, {
            job_id: job.id,
            target_path: targetPath,
            filename: targetPath.split('/').at(-1) ?? null,
            method,
            warnings: [...warnings],
          }),
        );
      },
      onProgress: (p) => progress.push(p),
    });
    progress.flush();
    await recordOutcome(store, driveId, job.id, disc, outcome);
    jobLog.logger.info({ result: outcome.result }, outcome.message.text);
    return outcome;
  } finally {
    clearInterval(presence);
    jobLog.close();
  }
}

/** History entry, attributes and the job event of a finished (or skipped) job. */
export async function recordOutcome(store: ContractStore, driveId: string, jobId: string, disc: AnalyzedDisc, outcome: JobOutcome): Promise<void> {
  const entry = outcome.entry;
  await store.addHistory(entry);
  // A partial kept for resuming stays named here: start-up reconciliation finds it by this path.
  const targetPath = entry.image_path ?? outcome.keptPartial ?? null;
  await store.writeAttributes(
    discAttributes(driveId, { ...disc, sizeBytes: discBytes(disc) }, {
      job_id: jobId,
      method: entry.method,
      target_path: targetPath,
      filename: targetPath?.split('/').at(-1) ?? null,
      checksums: entry.checksums,
      bad_sectors: entry.bad_sectors,
      error_message: entry.error_message,
      ...(entry.error_code ? { error_code: entry.error_code, error_params: entry.error_params ?? {} } : {}),
      ...(entry.warnings ? { warnings: entry.warnings } : {}),
    }),
  );
  await store.event(driveId, jobEventType(outcome.result), {
    job_id: jobId,
    result: outcome.result,
    label: disc.label,
    disc_type: disc.type,
    image_path: entry.image_path,
    bytes: entry.bytes,
    bad_sectors: entry.bad_sectors,
    message: outcome.message.text,
    message_code: outcome.message.code,
    message_params: outcome.message.params,
    warnings: entry.warnings ?? [],
  });
}

function jobEventType(result: JobOutcome['result']): EventType {
  switch (result) {
    case 'success':
    case 'degraded':
      return 'copy_completed';
    case 'cancelled':
      return 'copy_cancelled';
    case 'skipped_duplicate':
      return 'copy_skipped';
    case 'failed':
      return 'copy_failed';
  }
}

/** Polls the drive during a job: an unplugged drive aborts the copy at once. */
function watchPresence(run: JobRun): NodeJS.Timeout {
  const { job } = run;
  const timer = setInterval(() => {
    run.drive
      .status()
      .then((status) => {
        if (status !== 'absent') return;
        run.onDriveGone();
        if (!job.controller.signal.aborted) job.controller.abort('drive_gone' satisfies AbortReason);
      })
      .catch(() => undefined);
  }, Math.min(run.options.intervalsMs.removal, 2000));
  timer.unref();
  return timer;
}

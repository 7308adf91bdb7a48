import { access, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import {
  AttributesSchema,
  DriveStatusSchema,
  readContractValue,
  type HistoryEntry,
} from '../contract/index.js';

import type { Logger } from '../log/index.js';
import type { ContractStore } from './contract-store.js';
import { discardResume, type ResumeCandidate } from './copy-job.js';

const OUTPUT_SUBFOLDERS = ['data', 'dvd', 'bluray', 'audio'] as const;

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Start-up reconciliation after a crash (SPEC §3): a drive whose last status was a running job
 * gets that job recorded in the history as failed; its partial image is kept for resuming when
 * it has a mapfile and the disc's fingerprint is known, else removed.
 */
export async function reconcileDrive(store: ContractStore, driveId: string, logger: Logger): Promise<ResumeCandidate | null> {
  const status = await readContractValue(store.paths.status(driveId), DriveStatusSchema);
  if (!status || (status.state !== 'copying' && status.state !== 'analyzing') || !status.job_id) return null;
  const attributes = await readContractValue(store.paths.attributes(driveId), AttributesSchema);
  const jobId = status.job_id;
  const alreadyRecorded = store.history.entries.some((e) => e.id === jobId);
  const message = 'Interrupted: disk2iso stopped during the copy (crash, kill or power loss)';
  if (!alreadyRecorded) {
    const entry: HistoryEntry = {
      id: jobId,
      drive_id: driveId,
      disc_label: attributes?.disc_label ?? null,
      disc_type: attributes?.disc_type ?? null,
      fingerprint: attributes?.fingerprint ?? null,
      result: 'failed',
      method: attributes?.method ?? null,
      started: status.since,
      finished: new Date().toISOString(),
      duration_s: Math.max(0, (Date.now() - Date.parse(status.since)) / 1000),
      bytes: 0,
      avg_speed_bytes_per_s: 0,
      image_path: null,
      checksums: {},
      bad_sectors: 0,
      bad_ranges: [],
      error_message: message,
    };
    await store.addHistory(entry);
    await store.event(driveId, 'copy_failed', { job_id: jobId, result: 'failed', reason: 'interrupted', message });
    logger.warn({ drive: driveId, job: jobId }, 'recorded the interrupted job %s as failed', jobId);
  }
  const target = attributes?.target_path;
  if (!target) return null;
  const resumable = attributes.fingerprint !== null && (await exists(`${target}.part`)) && (await exists(`${target}.part.map`));
  if (resumable && attributes.fingerprint) {
    logger.info({ drive: driveId, target }, 'keeping the partial image for resuming when the same disc is read');
    return { fingerprint: attributes.fingerprint, targetPath: target };
  }
  await discardResume(target);
  return null;
}

/** Removes `.part` files (and mapfiles) in the output folders that no resumable job owns. */
export async function removeOrphanPartials(outputDir: string, keep: readonly ResumeCandidate[], logger: Logger): Promise<void> {
  const kept = new Set(keep.flatMap((c) => [`${c.targetPath}.part`, `${c.targetPath}.part.map`]));
  for (const folder of OUTPUT_SUBFOLDERS) {
    let names: string[];
    try {
      names = await readdir(join(outputDir, folder));
    } catch {
      continue;
    }
    for (const name of names) {
      const path = join(outputDir, folder, name);
      const leftover = name.endsWith('.part') || name.endsWith('.part.map') || name.endsWith('.work');
      if (!leftover || kept.has(path)) continue;
      // Audio rips and DVD backups leave folders (`<name>.part/`, `<name>.work/`).
      await rm(path, { recursive: true, force: true }).then(
        () => logger.info({ path }, 'removed a partial file left by an interrupted copy'),
        () => undefined,
      );
    }
  }
}

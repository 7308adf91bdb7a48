import { access, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import {
  AttributesSchema,
  coded,
  DriveStatusSchema,
  readContractFile,
  writeJsonAtomic,
  type HistoryEntry,
} from '../contract/index.js';

import { recordFolders } from '../copy/index.js';
import type { Logger } from '../log/index.js';
import type { ContractStore } from './contract-store.js';
import { discardResume, errorFields, type ResumeCandidate } from './copy-job.js';

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
  const fromJob = await reconcileJob(store, driveId, logger);
  const noted = await loadResumeRecord(store, driveId, logger);
  // A job that ran after the note was made read a disc: its own partial (if any) is the one to keep.
  if (fromJob && noted && noted.targetPath !== fromJob.targetPath) await discardResume(noted.targetPath);
  const candidate = fromJob ?? noted;
  if (candidate && (await resumable(candidate))) {
    logger.info({ drive: driveId, target: candidate.targetPath }, 'keeping the partial image for resuming when the same disc is read');
    await saveResumeRecord(store, driveId, candidate);
    return candidate;
  }
  if (candidate) await discardResume(candidate.targetPath);
  await saveResumeRecord(store, driveId, null);
  return null;
}

async function resumable(candidate: ResumeCandidate): Promise<boolean> {
  return (await exists(`${candidate.targetPath}.part`)) && (await exists(`${candidate.targetPath}.part.map`));
}

/**
 * The job the last status names as running (a crash, kill or stop mid-job): recorded in the
 * history when it is not yet, and its partial image, if any, as a resume candidate.
 */
async function reconcileJob(store: ContractStore, driveId: string, logger: Logger): Promise<ResumeCandidate | null> {
  const status = await readOrKeepAside(store.paths.status(driveId), DriveStatusSchema, driveId, logger);
  if (!status || (status.state !== 'copying' && status.state !== 'analyzing') || !status.job_id) return null;
  const attributes = await readOrKeepAside(store.paths.attributes(driveId), AttributesSchema, driveId, logger);
  const jobId = status.job_id;
  const alreadyRecorded = store.history.entries.some((e) => e.id === jobId);
  const message = coded('interrupted');
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
      ...errorFields(message),
    };
    await store.addHistory(entry);
    await store.event(driveId, 'copy_failed', { job_id: jobId, result: 'failed', reason: 'interrupted', message: message.text, message_code: message.code });
    logger.warn({ drive: driveId, job: jobId }, 'recorded the interrupted job %s as failed', jobId);
  }
  const target = attributes?.target_path;
  if (!target) return null;
  if (!attributes.fingerprint) {
    await discardResume(target);
    return null;
  }
  return { fingerprint: attributes.fingerprint, targetPath: target };
}

/**
 * A contract file the core reads back at start-up, or null. One that exists but cannot be read
 * (cut short, or written by a newer version) is kept aside as `<file>.invalid-<time>` with a
 * log line before the machine writes over it: nothing is silently thrown away.
 */
async function readOrKeepAside<S extends z.ZodType>(path: string, schema: S, driveId: string, logger: Logger): Promise<z.infer<S> | null> {
  const read = await readContractFile(path, schema);
  if (read.ok) return read.value;
  if (read.reason === 'missing') return null;
  const aside = `${path}.invalid-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  await rename(path, aside).then(
    () => logger.warn({ drive: driveId, path, aside, detail: read.detail.slice(0, 300) }, '%s cannot be read; kept aside as %s', path, aside),
    () => undefined,
  );
  return null;
}

const ResumeRecordSchema = z.object({ fingerprint: z.string().min(1), target_path: z.string().min(1) }).strict();

/**
 * The core's own note of a partial image kept for resuming (not part of the contract: a dot
 * file, which watchers ignore). It outlives a start that stops again before the same disc was
 * read (a stop while analyzing, or with the disc not yet back), when status and attributes no
 * longer name the partial.
 */
function resumeRecordPath(store: ContractStore, driveId: string): string {
  return join(store.paths.driveDir(driveId), '.resume.json');
}

/** Records (or, with null, forgets) the partial image a drive keeps for resuming. */
export async function saveResumeRecord(store: ContractStore, driveId: string, candidate: ResumeCandidate | null): Promise<void> {
  const path = resumeRecordPath(store, driveId);
  if (candidate) await writeJsonAtomic(path, { fingerprint: candidate.fingerprint, target_path: candidate.targetPath });
  else await rm(path, { force: true });
}

async function loadResumeRecord(store: ContractStore, driveId: string, logger: Logger): Promise<ResumeCandidate | null> {
  const path = resumeRecordPath(store, driveId);
  const read = await readContractFile(path, ResumeRecordSchema);
  if (read.ok) return { fingerprint: read.value.fingerprint, targetPath: read.value.target_path };
  if (read.reason !== 'missing') {
    const aside = `${path}.invalid`;
    await rename(path, aside).catch(() => undefined);
    logger.warn({ drive: driveId, path, aside, detail: read.detail }, 'the resume note %s is not valid; kept aside as %s', path, aside);
  }
  return null;
}

/** Removes `.part` files (and mapfiles) in the output folders that no resumable job owns. */
export async function removeOrphanPartials(outputDir: string, keep: readonly ResumeCandidate[], logger: Logger): Promise<void> {
  const kept = new Set(keep.flatMap((c) => [`${c.targetPath}.part`, `${c.targetPath}.part.map`]));
  // The image folders and the artist folders of album rips (`audio/<Artist>/<Album>.part/`).
  for (const dir of await recordFolders(outputDir)) {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      const path = join(dir, name);
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

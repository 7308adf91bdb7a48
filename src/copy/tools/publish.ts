import { rename, rm, stat } from 'node:fs/promises';
import { outputOp } from '../errors.js';
import { hashFile } from '../hashing.js';
import { sidecarPaths, writeChecksumSidecars } from '../sidecars.js';
import type { ChecksumAlgorithm, ChecksumValues } from '../types.js';
import { compareImageWithFolder, makeIso, type IsoLayout } from './image.js';
import type { MediaJob } from './job.js';
import { treeBytes } from './tree.js';

/**
 * How a method that built a folder publishes it: as that folder (`image: null`, the folder is
 * `<target>.part` and is renamed), or mastered into an ISO image with genisoimage.
 */
export interface PublishRequest {
  readonly job: MediaJob;
  /** The finished folder: `<target>.part` for folder output, any work folder for an image. */
  readonly folder: string;
  readonly targetPath: string;
  /** The image being written (`<target>.part`); unused for folder output. */
  readonly partPath: string;
  readonly image: { readonly layout: IsoLayout; readonly volumeId: string; readonly verify: boolean } | null;
  /** Checksums of the image (sidecars); a folder carries its own manifests. */
  readonly checksums: readonly ChecksumAlgorithm[];
  /** Default true. */
  readonly writeSidecars?: boolean;
  /** Removed after the image is published (never for folder output). */
  readonly workDir?: string;
  /** What the verify failure says about the folder ("the disc's files", "the ripped files"). */
  readonly folderName: string;
  readonly onSample: (phase: 'encoding' | 'verifying', done: number, total: number) => void;
}

export interface Published {
  readonly imagePath: string;
  readonly bytes: number;
  readonly checksums: ChecksumValues;
  readonly sidecars: string[];
}

/**
 * The publishing tail shared by the DVD-Video backup and the audio rip: folder → ISO (genisoimage)
 * → verify against the folder (xorriso) → hash → rename to the target → sidecars → remove the
 * work folder; or, for folder output, the folder renamed into place (a folder already there,
 * overwrite policy, replaced). Throws the guard's stop on failure; once the target has its name,
 * a later failure removes it and its sidecars before throwing, so the caller only cleans its
 * work paths.
 */
export async function publishFolder(req: PublishRequest): Promise<Published> {
  const { job } = req;
  if (req.image === null) {
    job.guard.throwIfStopped();
    await replaceFolder(req.folder, req.targetPath);
    return { imagePath: req.targetPath, bytes: await treeBytes(req.targetPath), checksums: {}, sidecars: [] };
  }
  const { partPath: part, targetPath: target } = req;
  await makeIso({
    layout: req.image.layout,
    volumeId: req.image.volumeId,
    sourceDir: req.folder,
    partPath: part,
    guard: job.guard,
    logger: job.logger,
    onBytes: (written, total) => req.onSample('encoding', written, total),
  });
  const bytes = (await stat(part)).size;
  if (req.image.verify) {
    req.onSample('verifying', 0, bytes);
    const differences = await compareImageWithFolder(part, req.folder, job.guard, job.logger, (done) => req.onSample('verifying', Math.min(done, bytes), bytes));
    if (differences.length > 0) {
      throw job.guard.stop('verify_mismatch', `verification failed: the image differs from ${req.folderName} (${differences.slice(0, 3).join('; ')})`);
    }
    job.logger.info('image verified against %s', req.folderName);
  }
  const algorithms = [...new Set(req.checksums)];
  req.onSample('verifying', 0, bytes);
  const checksums = algorithms.length > 0 ? await hashFile(part, bytes, algorithms, job.guard, (done) => req.onSample('verifying', done, bytes)) : {};
  req.onSample('verifying', bytes, bytes);
  job.guard.throwIfStopped();
  await outputOp('rename', part, () => rename(part, target));
  try {
    const sidecars = req.writeSidecars === false ? [] : await outputOp('write checksums of', target, () => writeChecksumSidecars(target, checksums));
    if (req.workDir !== undefined) {
      await rm(req.workDir, { recursive: true, force: true }).catch((e: unknown) => job.logger.warn({ err: e }, 'could not remove the work folder'));
    }
    return { imagePath: target, bytes, checksums, sidecars };
  } catch (error) {
    await Promise.all([target, ...sidecarPaths(target)].map((p) => rm(p, { force: true })));
    throw error;
  }
}

/** Renames the finished folder to `target`; a folder already there (overwrite policy) is replaced. */
async function replaceFolder(from: string, target: string): Promise<void> {
  const old = `${target}.replaced`;
  const existed = await stat(target).then(
    () => true,
    () => false,
  );
  if (existed) {
    await outputOp('remove', old, () => rm(old, { recursive: true, force: true }));
    await outputOp('rename', target, () => rename(target, old));
  }
  await outputOp('rename', from, () => rename(from, target));
  if (existed) await rm(old, { recursive: true, force: true });
}

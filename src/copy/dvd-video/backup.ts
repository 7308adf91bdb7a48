import { access, mkdir, mkdtemp, readFile, realpath, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Logger } from '../../log/index.js';
import { outputOp } from '../errors.js';
import type { ChecksumAlgorithm, CopyResult } from '../types.js';
import { isoVolumeId, MediaJob, mediaWorkPaths, progressEmitter, publishFolder, runTool, treeBytes, type MediaProgressSample } from '../tools/index.js';

export interface DvdVideoRequest {
  /** Block device or DVD image file (libdvdread reads both). */
  devicePath: string;
  /** Disc label (untrusted): becomes the new image's volume id, sanitised. */
  label: string | null;
  /** Final image path; written as `<target>.part`, renamed when complete. */
  targetPath: string;
  checksums: readonly ChecksumAlgorithm[];
  /** Compare every file of the mirror with the same file in the new image before the rename. */
  verify?: boolean;
  /** Abort = cancel: the running tool is killed (SIGTERM, SIGKILL after 2 s), partial output removed. */
  signal: AbortSignal;
  /** No growth of the output for this long ends the backup with reason `stalled`. */
  stallTimeoutMs: number;
  onProgress: (sample: MediaProgressSample) => void;
  logger: Logger;
  /**
   * Folder for temporary files: the mirror goes into a new folder inside it, removed afterwards.
   * Default: `<target>.work` itself (replaced, then removed).
   */
  workDir?: string;
  /** Bytes on the disc, for reading progress; default the size of `devicePath`. */
  sizeBytes?: number;
  /** Write `<image>.sha256` / `.md5` (default true). */
  writeSidecars?: boolean;
}

/** dvdbackup's title folder inside the work folder; a fixed name keeps the untrusted label out of paths. */
const MIRROR_NAME = 'DVD';

/**
 * Decrypted DVD-Video backup: `dvdbackup -M` mirrors the disc's VIDEO_TS (decrypted when
 * libdvdcss is installed), `genisoimage -dvd-video` builds a new image from it, checksums come
 * from the written image. Never rejects for a failed backup: the result says how it ended.
 */
export async function runDvdVideoBackup(req: DvdVideoRequest): Promise<CopyResult> {
  const job = new MediaJob(req.devicePath, req.targetPath, req.signal, req.stallTimeoutMs, req.logger);
  const { part, work } = mediaWorkPaths(req.targetPath);
  let workDir = resolve(work);
  const emit = progressEmitter(req.onProgress, req.logger);
  const sample = (phase: MediaProgressSample['phase'], bytesDone: number, bytesTotal: number): void => {
    emit({ phase, bytesDone, bytesTotal, badSectors: 0, badRanges: [] });
  };
  try {
    req.logger.info({ device: req.devicePath, target: req.targetPath }, 'DVD-Video backup started');
    await outputOp('create folder', dirname(req.targetPath), () => mkdir(dirname(req.targetPath), { recursive: true }));
    await outputOp('remove', part, () => rm(part, { recursive: true, force: true }));
    workDir = await prepareWorkDir(req.workDir, workDir);
    const mirror = join(workDir, MIRROR_NAME);
    const discBytes = req.sizeBytes ?? (await sourceBytes(req.devicePath));

    sample('reading', 0, discBytes);
    await runTool(
      {
        tool: 'dvdbackup',
        args: ['-M', '-i', req.devicePath, '-o', workDir, '-n', MIRROR_NAME],
        purpose: `reading the DVD-Video in ${req.devicePath}`,
        failReason: 'read_error',
        outputDir: workDir,
        probe: () => treeBytes(workDir),
        onProbe: (bytes) => {
          job.bytes = bytes;
          sample('reading', bytes, discBytes);
        },
      },
      job.guard,
      req.logger,
    );
    const mirrorBytes = await treeBytes(mirror);
    job.bytes = mirrorBytes;
    sample('reading', mirrorBytes, Math.max(discBytes, mirrorBytes));
    if (!(await exists(join(mirror, 'VIDEO_TS', 'VIDEO_TS.IFO')))) {
      throw job.guard.stop('read_error', `dvdbackup copied no VIDEO_TS/VIDEO_TS.IFO from ${req.devicePath}: not a DVD-Video`);
    }

    sample('encoding', 0, mirrorBytes);
    const volumeId = isoVolumeId(req.label, 'DVD_VIDEO');
    const published = await publishFolder({
      job,
      folder: mirror,
      targetPath: req.targetPath,
      partPath: part,
      image: { layout: 'dvd-video', volumeId, verify: req.verify === true },
      checksums: req.checksums,
      writeSidecars: req.writeSidecars,
      workDir,
      folderName: "the disc's files",
      onSample: (phase, done, total) => sample(phase, done, total),
    });
    req.logger.info({ volumeId, bytes: published.bytes }, 'DVD-Video image %s written', basename(req.targetPath));
    return job.succeeded(published);
  } catch (error) {
    return await job.failed(error, [part, workDir]);
  } finally {
    job.dispose();
  }
}

/** A fresh folder inside the caller's work folder, or the default `<target>.work` emptied. */
async function prepareWorkDir(parent: string | undefined, fallback: string): Promise<string> {
  if (parent !== undefined) {
    await outputOp('create folder', parent, () => mkdir(parent, { recursive: true }));
    return await outputOp('create folder in', parent, () => mkdtemp(join(resolve(parent), 'disk2iso-dvd-')));
  }
  await outputOp('remove', fallback, () => rm(fallback, { recursive: true, force: true }));
  await outputOp('create folder', fallback, () => mkdir(fallback, { recursive: true }));
  return fallback;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Size of an image file, or of a block device from sysfs; 0 when unknown. */
async function sourceBytes(path: string): Promise<number> {
  try {
    const info = await stat(path);
    if (info.isFile()) return info.size;
    if (!info.isBlockDevice()) return 0;
    const name = basename(await realpath(path));
    const sectors = Number((await readFile(`/sys/class/block/${name}/size`, 'utf8')).trim());
    return Number.isSafeInteger(sectors) ? sectors * 512 : 0;
  } catch {
    return 0;
  }
}

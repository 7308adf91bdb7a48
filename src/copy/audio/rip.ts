import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Toc } from '../../drive/index.js';
import type { Logger } from '../../log/index.js';
import {
  compareImageWithFolder,
  fileBytes,
  isoVolumeId,
  makeIso,
  MediaJob,
  mediaWorkPaths,
  progressEmitter,
  runTool,
  treeBytes,
  type MediaProgressSample,
} from '../tools/index.js';
import { outputOp } from '../errors.js';
import { hashFile } from '../hashing.js';
import { sidecarPaths, writeChecksumSidecars } from '../sidecars.js';
import type { ChecksumAlgorithm, CopyResult } from '../types.js';
import { encoderCommand } from './encode.js';
import { writeFolderManifests } from './manifest.js';
import { trackMetadata, type AlbumMetadata } from './metadata.js';
import { cueFileName, cueSheet, trackFileName, type AudioFormat, type CueTrack } from './naming.js';
import { paranoiaArgs, ParanoiaProgress, type Ripper } from './paranoia.js';
import { AUDIO_SECTOR_BYTES, audioTracks, type AudioTrack } from './tracks.js';

export interface AudioRipRequest {
  /** The drive's block device, for cdparanoia. */
  devicePath: string;
  /** The program that reads the tracks (default `cdparanoia`; the machine passes its choice). */
  ripper?: Ripper;
  toc: Toc;
  /** `wav` keeps the ripped files unencoded (the fallback when the encoder is missing). */
  format: AudioFormat;
  /** `folder`: the album folder itself; `iso`: that folder wrapped in an ISO image. */
  output: 'folder' | 'iso';
  /** `<output>/audio/<name>` (folder) or `<output>/audio/<name>.iso`. */
  targetPath: string;
  /** Names and tags; null = "Track NN". */
  metadata: AlbumMetadata | null;
  /** Manifests in the folder (`checksums.sha256`…), and for ISO output the image's sidecars. */
  checksums: readonly ChecksumAlgorithm[];
  signal: AbortSignal;
  /** No output growth and no cdparanoia callback for this long ends the rip with reason `stalled`. */
  stallTimeoutMs: number;
  onProgress: (sample: MediaProgressSample) => void;
  logger: Logger;
  /** ISO output: compare every file of the folder with the image before the rename. */
  verify?: boolean;
  /** ISO output: volume id when there is no album title (sanitised). */
  label?: string | null;
}

/** cdparanoia's WAV header. */
const WAV_HEADER_BYTES = 44;
const RIP_TEMP = '.rip';

const two = (n: number): string => String(n).padStart(2, '0');

/**
 * Rips an audio CD: per track cdparanoia (WAV) then flac or lame (tags from `metadata`), a cue
 * sheet, checksum manifests; assembled in `<target>.part/` (folder output) or `<target>.work/`
 * wrapped by genisoimage into `<target>.part` (ISO output), renamed to the target only when
 * complete. Never rejects for a failed rip: the result says how it ended.
 */
export async function runAudioRip(req: AudioRipRequest): Promise<CopyResult> {
  const target = resolve(req.targetPath);
  const job = new MediaJob(req.devicePath, target, req.signal, req.stallTimeoutMs, req.logger);
  const { part, work } = mediaWorkPaths(target);
  const folder = req.output === 'folder' ? part : work;
  const emit = progressEmitter(req.onProgress, req.logger);
  let published = false;
  try {
    const tracks = audioTracks(req.toc);
    if (tracks.length === 0) throw job.guard.stop('read_error', 'the disc has no audio tracks');
    req.logger.info({ device: req.devicePath, target: target, tracks: tracks.length, format: req.format }, 'audio rip started');
    await outputOp('create folder', dirname(target), () => mkdir(dirname(target), { recursive: true }));
    await outputOp('remove', part, () => rm(part, { recursive: true, force: true }));
    await outputOp('remove', work, () => rm(work, { recursive: true, force: true }));
    await outputOp('create folder', folder, () => mkdir(join(folder, RIP_TEMP), { recursive: true }));

    const { cueTracks, badSectors } = await ripTracks(req, job, folder, tracks, emit);
    await rm(join(folder, RIP_TEMP), { recursive: true, force: true });
    const cuePath = join(folder, cueFileName(req.metadata, basename(target).replace(/\.iso$/i, '')));
    await outputOp('write', cuePath, () => writeFile(cuePath, cueSheet(req.metadata, cueTracks, req.format)));
    const verifying = (done: number, total: number): void => emit({ phase: 'verifying', bytesDone: done, bytesTotal: total, badSectors, badRanges: [] });
    const manifests = await writeFolderManifests(folder, req.checksums, job.guard, verifying);
    job.guard.throwIfStopped();

    if (req.output === 'folder') {
      await replaceFolder(part, target);
      published = true;
      const bytes = await treeBytes(target);
      return job.succeeded({ imagePath: target, bytes, checksums: {}, sidecars: manifests.map((m) => join(target, m)), badSectors });
    }

    const volumeId = isoVolumeId(req.metadata?.album ?? req.label ?? null, 'AUDIO_CD');
    await makeIso({
      layout: 'files',
      volumeId,
      sourceDir: folder,
      partPath: part,
      guard: job.guard,
      logger: req.logger,
      onBytes: (written, total) => emit({ phase: 'encoding', bytesDone: written, bytesTotal: total, badSectors, badRanges: [] }),
    });
    const imageBytes = (await stat(part)).size;
    if (req.verify) {
      verifying(0, imageBytes);
      const differences = await compareImageWithFolder(part, folder, job.guard, req.logger, (done) => verifying(Math.min(done, imageBytes), imageBytes));
      if (differences.length > 0) throw job.guard.stop('verify_mismatch', `verification failed: the image differs from the ripped files (${differences.slice(0, 3).join('; ')})`);
    }
    const algorithms = [...new Set(req.checksums)];
    const checksums = algorithms.length > 0 ? await hashFile(part, imageBytes, algorithms, job.guard, (done) => verifying(done, imageBytes)) : {};
    job.guard.throwIfStopped();
    await outputOp('rename', part, () => rename(part, target));
    published = true;
    const sidecars = await outputOp('write checksums of', target, () => writeChecksumSidecars(target, checksums));
    await rm(work, { recursive: true, force: true }).catch((e: unknown) => req.logger.warn({ err: e }, 'could not remove the work folder'));
    return job.succeeded({ imagePath: target, bytes: imageBytes, checksums, sidecars, badSectors });
  } catch (error) {
    const finals = req.output === 'iso' ? [target, ...sidecarPaths(target)] : [target];
    return await job.failed(error, [part, work, ...(published ? finals : [])]);
  } finally {
    job.dispose();
  }
}

/** Reads and encodes every track into `folder`; the WAV of a track is removed once it is encoded. */
async function ripTracks(
  req: AudioRipRequest,
  job: MediaJob,
  folder: string,
  tracks: readonly AudioTrack[],
  emit: (sample: MediaProgressSample) => void,
): Promise<{ cueTracks: CueTrack[]; badSectors: number }> {
  const total = tracks.reduce((sum, t) => sum + t.sectors * AUDIO_SECTOR_BYTES, 0);
  const cueTracks: CueTrack[] = [];
  let before = 0;
  let badSectors = 0;
  for (const track of tracks) {
    const n = track.number;
    const trackBytes = track.sectors * AUDIO_SECTOR_BYTES;
    const wav = join(folder, RIP_TEMP, `track${two(n)}.wav`);
    const paranoia = new ParanoiaProgress(track.start, track.sectors);
    const report = (phase: MediaProgressSample['phase'], inTrack: number): void => {
      job.bytes = before + Math.min(trackBytes, Math.max(0, inTrack));
      emit({ phase, bytesDone: job.bytes, bytesTotal: total, badSectors: badSectors + paranoia.skipped.size, badRanges: [], track: n, tracks: tracks.length });
    };
    report('reading', 0);
    await runTool(
      {
        tool: req.ripper ?? 'cdparanoia',
        args: paranoiaArgs(req.devicePath, n, wav),
        purpose: `reading track ${n} of ${tracks.length}`,
        failReason: 'read_error',
        outputDir: folder,
        probe: () => fileBytes(wav),
        onProbe: (bytes) => report('reading', Math.max(bytes - WAV_HEADER_BYTES, paranoia.written * AUDIO_SECTOR_BYTES)),
        onLine: (line) => paranoia.line(line),
      },
      job.guard,
      req.logger,
    );
    const pcm = (await fileBytes(wav)) - WAV_HEADER_BYTES;
    if (pcm <= 0) throw job.guard.stop('read_error', `${req.ripper ?? 'cdparanoia'} wrote no audio for track ${n} of ${tracks.length}`);
    if (pcm !== trackBytes) req.logger.warn({ track: n, expected: trackBytes, got: pcm }, 'track %d has another length than the TOC says', n);
    if (paranoia.skipped.size > 0) req.logger.warn({ track: n, sectors: paranoia.skipped.size }, 'track %d: %d unreadable sector(s) skipped', n, paranoia.skipped.size);
    badSectors += paranoia.skipped.size;

    report('encoding', trackBytes);
    const fileName = trackFileName(n, trackMetadata(req.metadata, n)?.title ?? null, req.format);
    const out = join(folder, fileName);
    const command = encoderCommand({ format: req.format, wavPath: wav, outPath: out, number: n, tracks: tracks.length, metadata: req.metadata });
    if (command === null) {
      await outputOp('rename', wav, () => rename(wav, out));
    } else {
      await runTool(
        { ...command, purpose: `encoding track ${n} of ${tracks.length}`, failReason: 'io_error', outputDir: folder, probe: () => fileBytes(out) },
        job.guard,
        req.logger,
      );
      await rm(wav, { force: true });
    }
    before += trackBytes;
    cueTracks.push({ track, fileName });
  }
  return { cueTracks, badSectors };
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

import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { Toc } from '../../drive/index.js';
import type { Logger } from '../../log/index.js';
import { VERSION } from '../../util/version.js';
import { fileBytes, isoVolumeId, MediaJob, mediaWorkPaths, progressEmitter, publishFolder, runTool, type MediaProgressSample } from '../tools/index.js';
import { outputOp } from '../errors.js';
import type { AudioTrackReport, ChecksumAlgorithm, CopyResult } from '../types.js';
import { accurateRipIds, accurateRipVerdict, lookupAccurateRip, type DbarResponse } from './accuraterip.js';
import { musicbrainzDiscId } from './discid.js';
import { encoderCommand } from './encode.js';
import { writeFolderManifests } from './manifest.js';
import { trackMetadata, type AlbumMetadata } from './metadata.js';
import { cueFileName, cueSheet, trackFileName, type AudioFormat, type CueTrack } from './naming.js';
import { paranoiaArgs, paranoiaPregapArgs, ParanoiaProgress, type Ripper } from './paranoia.js';
import { ripLog } from './rip-log.js';
import { trackChecksums } from './track-check.js';
import { AUDIO_SECTOR_BYTES, audioTracks, type AudioTrack } from './tracks.js';

export interface AudioRipRequest {
  /** What the ripper reads: the drive's block device, or a BIN/CUE's cue sheet (simulated drive). */
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
  /** Look the disc up in the AccurateRip database (null/absent: not looked up). Never fails the rip. */
  accurateRip?: { baseUrl?: string; timeoutMs: number } | null;
  /** Encoders running at once beside the reader (default: the machine's cores, os.availableParallelism()). */
  parallelism?: number;
}

/** cdparanoia's WAV header. */
const WAV_HEADER_BYTES = 44;
const RIP_TEMP = '.rip';

const two = (n: number): string => String(n).padStart(2, '0');

/**
 * Rips an audio CD: per track cdparanoia (WAV), then — while the next track is read — its
 * CRC32 and AccurateRip checksums and flac or lame (tags from `metadata`); a cue sheet, a rip log
 * with every track's checksums and AccurateRip verdict, checksum manifests. Assembled in
 * `<target>.part/` (folder output) or `<target>.work/` mastered into an ISO (the shared
 * publishing tail). Never rejects for a failed rip: the result says how it ended.
 */
export async function runAudioRip(req: AudioRipRequest): Promise<CopyResult> {
  const target = resolve(req.targetPath);
  const job = new MediaJob(req.devicePath, target, req.signal, req.stallTimeoutMs, req.logger);
  const { part, work } = mediaWorkPaths(target);
  const folder = req.output === 'folder' ? part : work;
  const emit = progressEmitter(req.onProgress, req.logger);
  try {
    const tracks = audioTracks(req.toc);
    if (tracks.length === 0) throw job.guard.stop('read_error', 'the disc has no audio tracks');
    req.logger.info({ device: req.devicePath, target: target, tracks: tracks.length, format: req.format }, 'audio rip started');
    await outputOp('create folder', dirname(target), () => mkdir(dirname(target), { recursive: true }));
    await outputOp('remove', part, () => rm(part, { recursive: true, force: true }));
    await outputOp('remove', work, () => rm(work, { recursive: true, force: true }));
    await outputOp('create folder', folder, () => mkdir(join(folder, RIP_TEMP), { recursive: true }));

    // The lookup runs while the disc is read; it never fails the rip (undefined = no answer).
    const ids = accurateRipIds(req.toc);
    const lookup: Promise<DbarResponse[] | undefined> | null = req.accurateRip
      ? lookupAccurateRip(ids, { ...req.accurateRip, signal: req.signal, logger: req.logger })
      : null;
    const hidden = await ripHiddenTrack(req, job, folder, tracks);
    const ripped = await ripTracks(req, job, folder, tracks, emit);
    await rm(join(folder, RIP_TEMP), { recursive: true, force: true });
    const responses = lookup === null ? undefined : await lookup;
    const reports = ripped.map((r) => {
      const verdict = accurateRipVerdict(responses, r.number - req.toc.firstTrack, parseInt(r.ar_v1, 16), parseInt(r.ar_v2, 16));
      return { ...r, accuraterip: verdict.status, accuraterip_confidence: verdict.confidence };
    });
    const badSectors = reports.reduce((sum, t) => sum + t.bad_sectors, 0);

    const stem = basename(target).replace(/\.iso$/i, '');
    const cuePath = join(folder, cueFileName(req.metadata, stem));
    const cueTracks: CueTrack[] = reports.map((r, i) => ({ track: tracks[i]!, fileName: r.file }));
    await outputOp('write', cuePath, () => writeFile(cuePath, cueSheet(req.metadata, cueTracks, req.format, hidden?.file ?? null)));
    const logPath = cuePath.replace(/\.cue$/, '.log');
    const log = ripLog({
      version: VERSION,
      date: new Date(),
      ripper: req.ripper ?? 'cdparanoia',
      device: req.devicePath,
      toc: req.toc,
      metadata: req.metadata,
      musicbrainzDiscId: musicbrainzDiscId(req.toc),
      accurateRip: ids,
      accurateRipLookup: lookup === null ? 'off' : responses === undefined ? 'failed' : 'answered',
      tracks: reports,
      hidden,
    });
    await outputOp('write', logPath, () => writeFile(logPath, log));
    const verifying = (done: number, total: number): void => emit({ phase: 'verifying', bytesDone: done, bytesTotal: total, badSectors, badRanges: [] });
    const manifests = await writeFolderManifests(folder, req.checksums, job.guard, verifying);
    job.guard.throwIfStopped();

    const published = await publishFolder({
      job,
      folder,
      targetPath: target,
      partPath: part,
      image: req.output === 'iso' ? { layout: 'files', volumeId: isoVolumeId(req.metadata?.album ?? req.label ?? null, 'AUDIO_CD'), verify: req.verify === true } : null,
      checksums: req.checksums,
      workDir: work,
      folderName: 'the ripped files',
      onSample: (phase, done, total) => emit({ phase, bytesDone: done, bytesTotal: total, badSectors, badRanges: [] }),
    });
    const sidecars = req.output === 'folder' ? manifests.map((m) => join(target, m)) : published.sidecars;
    return job.succeeded({ ...published, sidecars, badSectors, audioTracks: reports });
  } catch (error) {
    return await job.failed(error, [part, work]);
  } finally {
    job.dispose();
  }
}

/** Name of the hidden track's file (before track 1: not a track of the TOC, so not in AccurateRip). */
const HIDDEN_TITLE = 'Hidden Track';

/**
 * Audio before track 1 that a player cannot reach (a "hidden track one audio"): ripped as
 * `00 - Hidden_Track.flac` when it holds any sound; digital silence is dropped (the cue sheet
 * then writes it as PREGAP). Null when there is none.
 */
async function ripHiddenTrack(
  req: AudioRipRequest,
  job: MediaJob,
  folder: string,
  tracks: readonly AudioTrack[],
): Promise<{ file: string; sectors: number; crc32: string } | null> {
  const first = tracks[0];
  const before = [...req.toc.tracks].sort((a, b) => a.start - b.start)[0];
  // Only when track 1 is the disc's first track (not behind a mixed-mode data track).
  if (first === undefined || first.start <= 0 || before?.number !== first.number) return null;
  const wav = join(folder, RIP_TEMP, 'track00.wav');
  const paranoia = new ParanoiaProgress(0, first.start);
  await runTool(
    {
      tool: req.ripper ?? 'cdparanoia',
      args: paranoiaPregapArgs(req.devicePath, first.start, wav),
      purpose: 'reading the audio before track 1',
      failReason: 'read_error',
      outputDir: folder,
      probe: () => fileBytes(wav),
      onLine: (line) => paranoia.line(line),
    },
    job.guard,
    req.logger,
  );
  const sums = await trackChecksums(wav, WAV_HEADER_BYTES, { first: false, last: false }, job.guard);
  // AccurateRip's v1 of all-zero audio is 0 (every product is 0): silence, nothing hidden.
  if (sums.v1 === '00000000' && sums.v2 === '00000000') {
    await rm(wav, { force: true });
    return null;
  }
  const file = trackFileName(0, HIDDEN_TITLE, req.format);
  const out = join(folder, file);
  const command = encoderCommand({ format: req.format, wavPath: wav, outPath: out, number: 0, tracks: tracks.length, metadata: { album: req.metadata?.album ?? null, artist: req.metadata?.artist ?? null, year: req.metadata?.year ?? null, tracks: [{ number: 0, title: HIDDEN_TITLE, artist: null }] } });
  if (command === null) await outputOp('rename', wav, () => rename(wav, out));
  else {
    await runTool({ ...command, purpose: 'encoding the hidden track', failReason: 'io_error', outputDir: folder, probe: () => fileBytes(out) }, job.guard, req.logger);
    await rm(wav, { force: true });
  }
  req.logger.info({ sectors: first.start, file }, 'hidden track before track 1 ripped');
  return { file, sectors: first.start, crc32: sums.crc32 };
}

type RippedTrack = Omit<AudioTrackReport, 'accuraterip' | 'accuraterip_confidence'>;

/**
 * Reads every track in turn and hands each finished WAV to checksumming and encoding, which run
 * while the next track is read: at most `parallelism` tracks are waiting or encoding, so encoders
 * never run ahead of the drive and WAVs never pile up. Each WAV is removed once encoded.
 */
async function ripTracks(
  req: AudioRipRequest,
  job: MediaJob,
  folder: string,
  tracks: readonly AudioTrack[],
  emit: (sample: MediaProgressSample) => void,
): Promise<RippedTrack[]> {
  const total = tracks.reduce((sum, t) => sum + t.sectors * AUDIO_SECTOR_BYTES, 0);
  const parallelism = Math.max(1, req.parallelism ?? availableParallelism());
  const results: RippedTrack[] = [];
  const pending = new Set<Promise<void>>();
  let before = 0;
  let badSectors = 0;
  const settle = async (): Promise<void> => {
    await Promise.allSettled([...pending]);
  };
  const encoders = new Slots(parallelism);
  try {
    for (const [i, track] of tracks.entries()) {
      // One more track may wait for an encoder while `parallelism` encode: the reader never
      // idles behind the encoders by more than that, and WAVs never pile up.
      while (pending.size > parallelism) await job.guard.race(Promise.race(pending));
      job.guard.throwIfStopped();
      const n = track.number;
      const trackBytes = track.sectors * AUDIO_SECTOR_BYTES;
      const wav = join(folder, RIP_TEMP, `track${two(n)}.wav`);
      const paranoia = new ParanoiaProgress(track.start, track.sectors);
      const report = (inTrack: number): void => {
        job.bytes = before + Math.min(trackBytes, Math.max(0, inTrack));
        emit({ phase: 'reading', bytesDone: job.bytes, bytesTotal: total, badSectors: badSectors + paranoia.skipped.size, badRanges: [], track: n, tracks: tracks.length });
      };
      report(0);
      await runTool(
        {
          tool: req.ripper ?? 'cdparanoia',
          args: paranoiaArgs(req.devicePath, n, wav),
          purpose: `reading track ${n} of ${tracks.length}`,
          failReason: 'read_error',
          outputDir: folder,
          probe: () => fileBytes(wav),
          onProbe: (bytes) => report(Math.max(bytes - WAV_HEADER_BYTES, paranoia.written * AUDIO_SECTOR_BYTES)),
          onLine: (line) => paranoia.line(line),
        },
        job.guard,
        req.logger,
      );
      const pcm = (await fileBytes(wav)) - WAV_HEADER_BYTES;
      if (pcm <= 0) throw job.guard.stop('read_error', `${req.ripper ?? 'cdparanoia'} wrote no audio for track ${n} of ${tracks.length}`);
      if (pcm !== trackBytes) req.logger.warn({ track: n, expected: trackBytes, got: pcm }, 'track %d has another length than the TOC says', n);
      const skipped = paranoia.skipped.size;
      if (skipped > 0) req.logger.warn({ track: n, sectors: skipped }, 'track %d: %d unreadable sector(s) skipped', n, skipped);
      report(trackBytes);
      badSectors += skipped;
      before += trackBytes;

      const position = { first: i === 0, last: i === tracks.length - 1 };
      const task = finishTrack(req, job, folder, track, wav, position, tracks.length, encoders).then((done) => {
        results[i] = { ...done, bad_sectors: skipped };
      });
      // A failed encode stops the guard (the reader is killed); the loop sees it on its next check.
      const tracked: Promise<void> = task.catch((error: unknown) => {
        job.stopFor(error);
      });
      pending.add(tracked);
      void tracked.finally(() => pending.delete(tracked));
    }
    if (pending.size > 0) emit({ phase: 'encoding', bytesDone: total, bytesTotal: total, badSectors, badRanges: [] });
    await settle();
    job.guard.throwIfStopped();
    return results;
  } catch (error) {
    job.stopFor(error);
    await settle();
    throw error;
  }
}

/** Checksums of one ripped WAV, then its encoding (or, for WAV output, the file moved into place). */
async function finishTrack(
  req: AudioRipRequest,
  job: MediaJob,
  folder: string,
  track: AudioTrack,
  wav: string,
  position: { first: boolean; last: boolean },
  count: number,
  encoders: Slots,
): Promise<Omit<RippedTrack, 'bad_sectors'>> {
  const n = track.number;
  const sums = await trackChecksums(wav, WAV_HEADER_BYTES, position, job.guard);
  const fileName = trackFileName(n, trackMetadata(req.metadata, n)?.title ?? null, req.format);
  const out = join(folder, fileName);
  const command = encoderCommand({ format: req.format, wavPath: wav, outPath: out, number: n, tracks: count, metadata: req.metadata });
  if (command === null) {
    await outputOp('rename', wav, () => rename(wav, out));
  } else {
    await encoders.run(() =>
      runTool({ ...command, purpose: `encoding track ${n} of ${count}`, failReason: 'io_error', outputDir: folder, probe: () => fileBytes(out) }, job.guard, req.logger),
    );
    await rm(wav, { force: true });
  }
  return { number: n, file: fileName, sectors: Math.round(sums.pcmBytes / AUDIO_SECTOR_BYTES), crc32: sums.crc32, ar_v1: sums.v1, ar_v2: sums.v2 };
}

/** At most `size` encoders at once; the rest wait in order. */
class Slots {
  #free: number;
  readonly #waiting: Array<() => void> = [];

  constructor(size: number) {
    this.#free = size;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    }
  }
}

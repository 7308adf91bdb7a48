import { mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { CopyError, outputOp } from './errors.js';
import { CopyGuard, stopDetailsOf } from './guard.js';
import { EarlyHash, hashFile, MultiHash, type HashPrefix } from './hashing.js';
import type { CopyIo } from './io.js';
import { loadMapfile, MapSaver } from './map-store.js';
import { discardPartial, keepOutput, partPaths, removeMapTemps, removeOutput } from './partial.js';
import { DEFAULT_CHUNK_BYTES, fastPass } from './read-pass.js';
import { RescueMap } from './rescue-map.js';
import { ReadFailureLog } from './read-failures.js';
import { rescue } from './rescue.js';
import { SectorWorker } from './sector-worker.js';
import { writeChecksumSidecars } from './sidecars.js';
import type { ChecksumAlgorithm, ChecksumValues, CopyPhaseName, CopyRequest, CopyResult } from './types.js';

const SAMPLE_INTERVAL_MS = 50;

/**
 * Copies `sizeBytes` of the disc to `targetPath` (via `.part` + ddrescue mapfile), with inline
 * checksums, rescue of bad areas, optional verify, and the rename only when complete. Never
 * rejects for a failed copy: the result says how it ended.
 */
export async function runCopy(request: CopyRequest): Promise<CopyResult> {
  return new CopyRun(request).execute();
}

class CopyRun {
  readonly #r: CopyRequest;
  readonly #device: string;
  readonly #paths: { part: string; map: string };
  readonly #guard: CopyGuard;
  readonly #started = Date.now();
  #map: RescueMap;
  #out: FileHandle | null = null;
  #saver: MapSaver | null = null;
  #resumed = false;
  #published = false;
  #phase: CopyPhaseName = 'reading';
  #lastSample = 0;
  #verifiedBytes = 0;
  /** The hash started before the retry passes, and the bytes rescued when it started. */
  #early: { hash: EarlyHash; rescued: number } | null = null;
  #worker: SectorWorker | null = null;
  /** The inline hash up to the first read error, when there was one. */
  #prefix: HashPrefix | null = null;
  readonly #failures: ReadFailureLog;

  constructor(request: CopyRequest) {
    this.#r = request;
    this.#device = request.device ?? request.reader.devicePath ?? 'the disc';
    this.#paths = partPaths(request.targetPath);
    this.#guard = new CopyGuard(request.signal, request.stallTimeoutMs);
    this.#map = new RescueMap(Math.max(0, request.sizeBytes));
    this.#failures = new ReadFailureLog(request.logger);
  }

  async execute(): Promise<CopyResult> {
    const r = this.#r;
    try {
      if (!Number.isSafeInteger(r.sizeBytes) || r.sizeBytes < 0) throw new RangeError(`invalid size ${r.sizeBytes}`);
      r.logger.info({ device: this.#device, target: r.targetPath, bytes: r.sizeBytes }, 'copy started');
      const hasher = await this.#prepare();
      const io = this.#io();
      // A reader that lends its descriptor is rescued by a worker thread, started at the first
      // read error so that it is ready when the first pass ends.
      // Once it runs, the worker also reads what the first pass has left after a read error.
      const chunkBytes = r.chunkBytes ?? DEFAULT_CHUNK_BYTES;
      const { inlineValid, hashedTo } = await fastPass(
        io,
        hasher,
        chunkBytes,
        () => {
          if (r.reader.lend && this.#worker === null) this.#worker = new SectorWorker(io);
        },
        () => this.#worker?.ready === true,
      );
      // The data before the first read error is hashed already: hashing the image goes on from there.
      if (!inlineValid && hasher !== null) this.#prefix = { hash: hasher, pos: hashedTo };
      this.#sample(true);
      if (this.#map.bytesWith('*', '/', '-') > 0) {
        // The rescue's reads need not wait for the first pass's data to reach the disk.
        this.#saver?.saveSoon();
        r.logger.warn({ bytes: this.#map.bytesWith('*', '/', '-') }, 'read errors; rescuing the bad areas');
        const copied = (): void => {
          // Most of the image is read now: its data goes to the disk while the failed areas are read.
          this.#saver?.saveSoon();
          this.#phase = 'rescuing';
          this.#sample(true);
        };
        await rescue(io, r.readRetries, { beforeRetries: () => this.#beforeRetries(), worker: this.#worker, chunkBytes, copied });
        this.#sample(true);
      }
      io.cursor.status = '+';
      await this.#saver?.flush();
      await this.#finishFile();
      const bad = this.#map.sectorsWith('-', '*', '/', '?');
      if (bad > 0 && r.onReadError === 'fail') {
        throw this.#guard.stop('read_error', `${bad} unreadable sector(s) and on_read_error is 'fail'`);
      }
      const checksums = await this.#checksums(inlineValid ? hasher : null);
      return await this.#publish(checksums);
    } catch (error) {
      return await this.#fail(error);
    } finally {
      this.#worker?.end();
      this.#early?.hash.abandon();
      this.#failures.flush();
      this.#guard.dispose();
    }
  }

  /**
   * Before the retry passes (which rarely recover a sector), what the image will be is known:
   * its data is flushed to disk meanwhile (the final sync then has little left to write), and
   * it is hashed meanwhile: the digests are ready when the passes end, unless a retry wrote
   * something (see #checksums).
   */
  async #beforeRetries(): Promise<void> {
    this.#saver?.saveSoon();
    const r = this.#r;
    const wanted = [...new Set(r.checksums)];
    const out = this.#out;
    if (wanted.length === 0 || out === null || this.#early !== null) return;
    // The image at its final size: sectors never read are zeros, as after #finishFile.
    await this.#guard.race(outputOp('truncate', this.#paths.part, () => out.truncate(r.sizeBytes)));
    const onBytes = (done: number): void => {
      this.#guard.activity();
      this.#verifiedBytes = done;
      if (this.#phase === 'verifying') this.#sample(false);
    };
    const hash = new EarlyHash(this.#paths.part, r.sizeBytes, wanted, onBytes, this.#prefix);
    this.#early = { hash, rescued: this.#map.bytesWith('+') };
  }

  /** Resume from a mapfile of the same size, or start over; opens `.part`; returns the inline hasher. */
  async #prepare(): Promise<MultiHash | null> {
    const r = this.#r;
    await outputOp('create folder', dirname(r.targetPath), () => mkdir(dirname(r.targetPath), { recursive: true }));
    const previous = r.resume === false ? null : await this.#loadPrevious();
    if (previous) {
      this.#map = previous;
      this.#resumed = true;
      await removeMapTemps(r.targetPath);
      r.logger.info({ done: previous.bytesWith('+'), bad: previous.bytesWith('-') }, 'resuming an interrupted copy');
    } else {
      await outputOp('remove', this.#paths.part, () => discardPartial(r.targetPath));
    }
    this.#out = await outputOp('create', this.#paths.part, () => open(this.#paths.part, previous ? 'r+' : 'w', 0o644));
    this.#saver = new MapSaver(
      this.#paths.map,
      () => ({
        currentPos: this.#cursor.pos,
        currentStatus: this.#cursor.status,
        currentPass: this.#cursor.pass,
        blocks: [...this.#map.blocks],
      }),
      (error) => this.#guard.stop(...stopDetailsOf(error)),
      `disk2iso copy ${this.#device} ${this.#paths.part}`,
      async () => {
        const out = this.#out;
        if (out !== null) await outputOp('sync', this.#paths.part, () => out.datasync());
      },
    );
    await this.#saver.flush();
    if (this.#resumed) return null;
    const algorithms = new Set<ChecksumAlgorithm>(r.checksums);
    if (r.verify) algorithms.add(this.#verifyAlgorithm());
    return algorithms.size > 0 ? new MultiHash([...algorithms]) : null;
  }

  async #loadPrevious(): Promise<RescueMap | null> {
    const exists = await stat(this.#paths.part).then((s) => s.isFile(), () => false);
    const mapfile = exists ? await loadMapfile(this.#paths.map) : null;
    return mapfile ? RescueMap.fromBlocks(this.#r.sizeBytes, mapfile.blocks) : null;
  }

  readonly #cursor: CopyIo['cursor'] = { pos: 0, status: '?', pass: 1 };

  #io(): CopyIo {
    return {
      reader: this.#r.reader,
      out: this.#out as FileHandle,
      partPath: this.#paths.part,
      map: this.#map,
      guard: this.#guard,
      logger: this.#r.logger,
      failures: this.#failures,
      cursor: this.#cursor,
      changed: () => {
        this.#saver?.touch();
        this.#sample(false);
      },
    };
  }

  #verifyAlgorithm(): ChecksumAlgorithm {
    return this.#r.checksums.includes('sha256') || !this.#r.checksums.includes('md5') ? 'sha256' : 'md5';
  }

  /** Exact size (unread tail = zeros), flushed to disk, closed. */
  async #finishFile(): Promise<void> {
    const out = this.#out as FileHandle;
    await this.#guard.race(outputOp('truncate', this.#paths.part, () => out.truncate(this.#r.sizeBytes)));
    await this.#guard.race(outputOp('sync', this.#paths.part, () => out.datasync()));
    this.#guard.activity();
    this.#out = null;
    await outputOp('close', this.#paths.part, () => out.close());
  }

  /** Inline digests (verified against a re-read if asked), or digests of the written image. */
  async #checksums(inline: MultiHash | null): Promise<ChecksumValues> {
    const r = this.#r;
    const wanted = [...new Set(r.checksums)];
    if (inline === null) {
      if (r.verify) r.logger.info('image assembled in several passes: checksums are computed from the written image');
      const early = this.#early;
      this.#early = null;
      if (early !== null && this.#map.bytesWith('+') === early.rescued) {
        this.#phase = 'verifying';
        this.#sample(true);
        const digests = await this.#guard.race(early.hash.result);
        if (digests !== null) {
          const result: ChecksumValues = {};
          for (const a of wanted) result[a] = digests[a];
          return result;
        }
      }
      early?.hash.abandon();
      return wanted.length > 0 ? await this.#hashPart(wanted) : {};
    }
    const digests = inline.digest();
    if (r.verify) {
      const algorithm = this.#verifyAlgorithm();
      const expected = digests[algorithm];
      const actual = (await this.#hashPart([algorithm]))[algorithm];
      if (actual !== expected) {
        const detail = `the written image has ${algorithm} ${actual ?? '?'}, the disc gave ${expected ?? '?'}`;
        throw this.#guard.stop('verify_mismatch', `verification failed: ${detail}`);
      }
      r.logger.info({ algorithm }, 'image verified');
    }
    const result: ChecksumValues = {};
    for (const a of wanted) result[a] = digests[a];
    return result;
  }

  async #hashPart(algorithms: ChecksumAlgorithm[]): Promise<ChecksumValues> {
    this.#phase = 'verifying';
    this.#verifiedBytes = 0;
    this.#sample(true);
    // Only for the algorithms the inline hash has (it has every one asked for, and the verify one).
    const prefix = this.#prefix !== null && algorithms.every((a) => this.#prefix?.hash.has(a) === true) ? this.#prefix : null;
    const digests = await hashFile(
      this.#paths.part,
      this.#r.sizeBytes,
      algorithms,
      this.#guard,
      (done) => {
        this.#verifiedBytes = done;
        this.#sample(false);
      },
      prefix,
    );
    this.#sample(true);
    const result: ChecksumValues = {};
    for (const a of algorithms) result[a] = digests[a];
    return result;
  }

  async #publish(checksums: ChecksumValues): Promise<CopyResult> {
    const r = this.#r;
    await this.#saver?.close();
    this.#guard.throwIfStopped();
    await outputOp('rename', this.#paths.part, () => rename(this.#paths.part, r.targetPath));
    this.#published = true;
    await rm(this.#paths.map, { force: true });
    const sidecars =
      r.writeSidecars === false
        ? []
        : await outputOp('write checksums of', r.targetPath, () => writeChecksumSidecars(r.targetPath, checksums));
    const bad = this.#map.sectorsWith('-', '*', '/', '?');
    const outcome = bad > 0 ? 'degraded' : 'success';
    r.logger.info({ target: r.targetPath, outcome, bytes: r.sizeBytes, badSectors: bad }, `copy ${outcome}`);
    const base = this.#base();
    const imagePath = r.targetPath;
    return { ...base, outcome, reason: null, error: null, imagePath, bytes: r.sizeBytes, checksums, sidecars };
  }

  async #fail(error: unknown): Promise<CopyResult> {
    const stop = this.#guard.stopped ?? this.#guard.stop(...stopDetailsOf(error));
    const r = this.#r;
    const copied = this.#map.bytesWith('+');
    const cause = stop.cause ?? error;
    const copyError = new CopyError(this.#device, r.targetPath, copied, stop.reason, stop.detail, { cause });
    if (stop.reason === 'cancelled') r.logger.info(copyError.message);
    else r.logger.error({ err: cause }, copyError.message);
    const out = this.#out;
    this.#out = null;
    const published = this.#published;
    // A hung drive says nothing about the disc: what was read is kept, and the next attempt
    // (the same disc, a drive that answers again) continues from the mapfile.
    const keep =
      !published &&
      (stop.reason === 'drive_timeout' || (stop.reason === 'cancelled' && r.keepPartialOnAbort?.(r.signal.reason) === true));
    if (keep) await keepOutput(out, this.#saver);
    else await removeOutput({ out, saver: this.#saver, targetPath: r.targetPath, published, logger: r.logger });
    const outcome = stop.reason === 'cancelled' ? 'cancelled' : 'failed';
    const base = { ...this.#base(), partialKept: keep };
    const reason = stop.reason;
    return { ...base, outcome, reason, error: copyError, imagePath: null, bytes: copied, checksums: {}, sidecars: [] };
  }

  #base(): Pick<CopyResult, 'durationMs' | 'badSectors' | 'badRanges' | 'resumed'> {
    return {
      durationMs: Date.now() - this.#started,
      badSectors: this.#map.sectorsWith('-', '*', '/'),
      badRanges: this.#map.ranges('-', '*', '/'),
      resumed: this.#resumed,
    };
  }

  #sample(force: boolean): void {
    const now = Date.now();
    if (!force && now - this.#lastSample < SAMPLE_INTERVAL_MS) return;
    this.#lastSample = now;
    const map = this.#map;
    // Reading: bytes tried; rescuing: bytes rescued (as ddrescue reports); verifying: bytes hashed.
    const done =
      this.#phase === 'reading'
        ? map.size - map.bytesWith('?')
        : this.#phase === 'rescuing'
          ? map.bytesWith('+')
          : this.#verifiedBytes;
    try {
      this.#r.onProgress({
        phase: this.#phase,
        bytesDone: done,
        bytesTotal: map.size,
        badSectors: map.sectorsWith('-', '*', '/'),
        badRanges: map.ranges('-', '*', '/'),
      });
    } catch (error) {
      this.#r.logger.warn({ err: error }, 'progress listener failed');
    }
  }
}

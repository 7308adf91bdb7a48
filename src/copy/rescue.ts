import { SECTOR_SIZE } from '../drive/index.js';
import type { BlockStatus } from './mapfile.js';
import { readExactly, readFailure, type CopyIo } from './io.js';
import { Pacer } from './pacer.js';
import { BackgroundWriter } from './rescue-writer.js';
import { SectorWorker } from './sector-worker.js';
import type { ByteRange } from './types.js';

/** Read size when splitting a failed first-pass chunk (GNU ddrescue's default cluster, 64 KiB). */
const SPLIT_BYTES = 64 * 1024;
/**
 * Reads in flight during the rescue. Every area the rescue reads is one it would read anyway,
 * so queueing a few hides the round trip of each read (thread pool, drive lane) without
 * adding reads; a drive still sees them one after another (the Linux reader's lane).
 */
const READ_DEPTH = 4;

/**
 * The rest of the first pass when it left untried (`?`) areas (it hands them over at a read
 * error, see fastPass), in `hooks.chunkBytes` pieces; then ddrescue's passes after the first
 * one, over the failed areas only: splitting (a failed large
 * chunk is re-read in 64 KiB pieces, so one bad sector costs at most one small area to trim),
 * trimming (`*`: read forward from the leading edge and backward from the trailing edge up to
 * the first bad sector; the rest becomes non-scraped `/`), scraping (`/`: every sector once) and
 * `retries` retry passes over the bad sectors (`-`), alternating direction like ddrescue.
 * Unreadable sectors stay unwritten (zeros in the image). A reader that lends a descriptor is
 * read by a worker thread (SectorWorker); any other through its read(), pipelined.
 */
export async function rescue(io: CopyIo, retries: number, hooks: RescueHooks = {}): Promise<void> {
  if (io.reader.lend) {
    await rescueInWorker(io, io.reader.lend.bind(io.reader), retries, hooks);
    return;
  }
  const writer = new BackgroundWriter(io);
  const reads = new PipelinedReads(io, writer);
  try {
    await passes(io, reads, retries, hooks);
    await writer.drain();
  } finally {
    writer.abandon();
  }
}

/** What the passes need of a way to read: the async pipeline over `read()` or the worker thread. */
interface RescueReads {
  /** Reads the `size`-aligned pieces of `ranges`: read ones become `+` (once written), failed ones `failed`. */
  read(ranges: readonly ByteRange[], size: number, backward: boolean, failed: BlockStatus): Promise<void>;
  /** Trims the `*` `ranges` (see rescue()). */
  trim(ranges: readonly ByteRange[]): Promise<void>;
  /** Waits until every read area is written and marked. */
  drain(): Promise<void>;
}

export interface RescueHooks {
  /**
   * Called once before the retry passes, when there are any, with everything read so far
   * written and marked: what is written later is only what a retry recovers.
   */
  beforeRetries?: () => Promise<void>;
  /** A worker started ahead for a reader that lends (see SectorWorker); ended here. */
  worker?: SectorWorker | null;
  /** Read size for the untried areas the first pass left (its chunk size). */
  chunkBytes?: number;
  /** Called once the untried areas are read, before the passes over the failed ones. */
  copied?: () => void;
}

async function passes(io: CopyIo, reads: RescueReads, retries: number, hooks: RescueHooks): Promise<void> {
  io.cursor.status = '?';
  io.cursor.pass = 1;
  await reads.read(io.map.ranges('?'), hooks.chunkBytes ?? SPLIT_BYTES, false, '*');
  await reads.drain();
  hooks.copied?.();
  io.cursor.pass = 2;
  const large = io.map.ranges('*').filter(([start, end]) => end - start > SPLIT_BYTES);
  await reads.read(large, SPLIT_BYTES, false, '*');
  io.cursor.pass = 1;
  await reads.drain();

  io.cursor.status = '*';
  await reads.trim(io.map.ranges('*'));
  await reads.drain();

  io.cursor.status = '/';
  await reads.read(io.map.ranges('/'), SECTOR_SIZE, false, '-');

  io.cursor.status = '-';
  if (retries > 0 && io.map.bytesWith('-') > 0 && hooks.beforeRetries) {
    await reads.drain();
    await hooks.beforeRetries();
  }
  for (let pass = 1; pass <= retries && io.map.bytesWith('-') > 0; pass++) {
    io.cursor.pass = pass;
    await reads.drain();
    await reads.read(io.map.ranges('-'), SECTOR_SIZE, pass % 2 === 0, '-');
  }
  io.cursor.pass = 1;
}

/**
 * The passes with the reads done by a worker thread on a descriptor the reader lends (see
 * SectorWorker). The reader holds the medium until the worker has ended, which may be after
 * this returns when a read is stuck (a cancel does not wait for it).
 */
async function rescueInWorker(
  io: CopyIo,
  lend: NonNullable<CopyIo['reader']['lend']>,
  retries: number,
  hooks: RescueHooks,
): Promise<void> {
  const worker = hooks.worker ?? new SectorWorker(io);
  try {
    let started: () => void = () => undefined;
    const ready = new Promise<true>((resolve) => {
      started = () => resolve(true);
    });
    const lent = lend((source) => {
      worker.attach(source);
      started();
      return worker.exited;
    });
    const attached = await io.guard.race(Promise.race([ready, lent.then(() => false)])).catch((error: unknown) => {
      // The reader could not lend (its drive hangs, it is closed): as a failed read would say.
      readFailure(io, error, io.cursor.pos);
      throw error;
    });
    if (!attached) throw new Error('the reader lent no descriptor');
    await passes(
      io,
      {
        read: async (ranges, size, backward, failed) => void (await worker.run('read', ranges, size, backward, failed)),
        trim: async (ranges) => void (await worker.run('trim', ranges, SECTOR_SIZE, false, '-')),
        drain: () => Promise.resolve(),
      },
      retries,
      hooks,
    );
  } finally {
    worker.end();
  }
}

type ReadOutcome = { ok: true } | { ok: false; error: unknown };

interface InFlight {
  readonly area: ByteRange;
  readonly buffer: Buffer;
  readonly outcome: Promise<ReadOutcome>;
}

/**
 * Reads a sequence of areas with up to READ_DEPTH reads in flight and handles the results in
 * order: a read area goes to the writer (then `+`), a failed one is marked `failed`.
 */
class PipelinedReads implements RescueReads {
  readonly #pacer = new Pacer();
  readonly #buffers = new Map<number, Buffer[]>();
  #failedRun: ByteRange | null = null;

  constructor(
    private readonly io: CopyIo,
    private readonly writer: BackgroundWriter,
  ) {}

  async read(ranges: readonly ByteRange[], size: number, backward: boolean, failed: BlockStatus): Promise<void> {
    await this.run(pieces(ranges, size, backward), failed, false);
  }

  /** Trimming: forward from each range's start up to a bad sector, backward from its end down to one. */
  async trim(ranges: readonly ByteRange[]): Promise<void> {
    const io = this.io;
    for (const [start, end] of ranges) {
      const front = await this.run(pieces([[start, end]], SECTOR_SIZE), '-', true);
      if (!front.failed) continue;
      const low = front.last?.[1] ?? start;
      if (low >= end) continue;
      const back = await this.run(pieces([[low, end]], SECTOR_SIZE, true), '-', true);
      if (!back.failed) continue;
      const high = back.last?.[0] ?? end;
      if (high > low) io.map.set(low, high, '/');
      io.changed();
    }
  }

  drain(): Promise<void> {
    return this.writer.drain();
  }

  /**
   * With `stopAtFailure` (trimming), no read is started after the first failure; the reads
   * already in flight are still recorded. Returns whether a read failed and the last area read.
   */
  async run(areas: Iterable<ByteRange>, failed: BlockStatus, stopAtFailure: boolean): Promise<{ failed: boolean; last: ByteRange | null }> {
    const io = this.io;
    const queue: InFlight[] = [];
    const source = areas[Symbol.iterator]();
    let anyFailed = false;
    let last: ByteRange | null = null;
    const fill = (): void => {
      while (queue.length < READ_DEPTH && !(stopAtFailure && anyFailed)) {
        const next = source.next();
        if (next.done === true) return;
        last = next.value;
        queue.push(this.#start(next.value));
      }
    };
    fill();
    for (let item = queue.shift(); item; item = queue.shift()) {
      const outcome = await item.outcome;
      const [pos, end] = item.area;
      io.cursor.pos = pos;
      if (outcome.ok) {
        this.#markFailed(failed);
        await this.writer.push(item.buffer, pos, end);
      } else {
        readFailure(io, outcome.error, pos);
        if (this.#failedRun?.[1] !== pos) this.#markFailed(failed);
        this.#failedRun = [this.#failedRun?.[0] ?? pos, end];
        anyFailed = true;
      }
      this.#release(item.buffer);
      if (this.#pacer.due()) this.#markFailed(failed);
      await this.#pacer.tick();
      fill();
    }
    this.#markFailed(failed);
    return { failed: anyFailed, last };
  }

  /**
   * Marks the run of failed areas gathered so far. One map change per run, not per sector:
   * a disc with a large bad area splits the map into many blocks, and every change of it
   * moves the blocks after it.
   */
  #markFailed(status: BlockStatus): void {
    const run = this.#failedRun;
    if (run === null) return;
    this.#failedRun = null;
    this.io.map.set(run[0], run[1], status);
    this.io.changed();
  }

  #start(area: ByteRange): InFlight {
    const length = area[1] - area[0];
    const buffer = this.#buffers.get(length)?.pop() ?? Buffer.allocUnsafeSlow(length);
    const outcome = readExactly(this.io, buffer, area[0], length).then(
      (): ReadOutcome => ({ ok: true }),
      (error: unknown): ReadOutcome => ({ ok: false, error }),
    );
    return { area, buffer, outcome };
  }

  #release(buffer: Buffer): void {
    const free = this.#buffers.get(buffer.length) ?? [];
    if (free.length < READ_DEPTH) free.push(buffer);
    this.#buffers.set(buffer.length, free);
  }
}

/**
 * The `size`-aligned pieces of `ranges` (the first and last of each range shortened), in order
 * or backward; lazily, as a retry pass over a DVD may cover millions of sectors.
 */
function* pieces(ranges: readonly ByteRange[], size: number, backward = false): Generator<ByteRange> {
  if (!backward) {
    for (const [start, end] of ranges) {
      for (let pos = start; pos < end; ) {
        const next = Math.min(end, (Math.floor(pos / size) + 1) * size);
        yield [pos, next];
        pos = next;
      }
    }
    return;
  }
  for (let i = ranges.length - 1; i >= 0; i--) {
    const [start, end] = ranges[i] as ByteRange;
    for (let stop = end; stop > start; ) {
      const pos = Math.max(start, Math.floor((stop - 1) / size) * size);
      yield [pos, stop];
      stop = pos;
    }
  }
}

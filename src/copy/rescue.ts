import { SECTOR_SIZE } from '../drive/index.js';
import type { BlockStatus } from './mapfile.js';
import { readExactly, readFailure, type CopyIo } from './io.js';
import { Pacer } from './pacer.js';
import { BackgroundWriter } from './rescue-writer.js';
import type { ByteRange } from './types.js';

/** Read size when splitting a failed first-pass chunk (GNU ddrescue's default cluster, 64 KiB). */
export const SPLIT_BYTES = 64 * 1024;
/**
 * Reads in flight during the rescue. Every area the rescue reads is one it would read anyway,
 * so queueing a few hides the round trip of each read (thread pool, drive lane) without
 * adding reads; a drive still sees them one after another (the Linux reader's lane).
 */
const READ_DEPTH = 4;

/**
 * ddrescue's passes after the first one, over the failed areas only: splitting (a failed large
 * chunk is re-read in 64 KiB pieces, so one bad sector costs at most one small area to trim),
 * trimming (`*`: read forward from the leading edge and backward from the trailing edge up to
 * the first bad sector; the rest becomes non-scraped `/`), scraping (`/`: every sector once) and
 * `retries` retry passes over the bad sectors (`-`), alternating direction like ddrescue.
 * Unreadable sectors stay unwritten (zeros in the image).
 */
export async function rescue(io: CopyIo, retries: number): Promise<void> {
  const writer = new BackgroundWriter(io);
  const reads = new PipelinedReads(io, writer);
  try {
    await passes(io, writer, reads, retries);
    await writer.drain();
  } finally {
    writer.abandon();
  }
}

async function passes(io: CopyIo, writer: BackgroundWriter, reads: PipelinedReads, retries: number): Promise<void> {
  io.cursor.status = '?';
  io.cursor.pass = 2;
  const large = io.map.ranges('*').filter(([start, end]) => end - start > SPLIT_BYTES);
  await reads.run(pieces(large, SPLIT_BYTES), '*', false);
  io.cursor.pass = 1;
  await writer.drain();

  io.cursor.status = '*';
  for (const [start, end] of io.map.ranges('*')) {
    const front = await reads.run(pieces([[start, end]], SECTOR_SIZE), '-', true);
    if (!front.failed) continue;
    const low = front.last?.[1] ?? start;
    if (low >= end) continue;
    const back = await reads.run(pieces([[low, end]], SECTOR_SIZE, true), '-', true);
    if (!back.failed) continue;
    const high = back.last?.[0] ?? end;
    if (high > low) io.map.set(low, high, '/');
    io.changed();
  }
  await writer.drain();

  io.cursor.status = '/';
  await reads.run(pieces(io.map.ranges('/'), SECTOR_SIZE), '-', false);

  io.cursor.status = '-';
  for (let pass = 1; pass <= retries && io.map.bytesWith('-') > 0; pass++) {
    io.cursor.pass = pass;
    await writer.drain();
    await reads.run(pieces(io.map.ranges('-'), SECTOR_SIZE, pass % 2 === 0), '-', false);
  }
  io.cursor.pass = 1;
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
class PipelinedReads {
  readonly #pacer = new Pacer();
  readonly #buffers = new Map<number, Buffer[]>();
  #failedRun: ByteRange | null = null;

  constructor(
    private readonly io: CopyIo,
    private readonly writer: BackgroundWriter,
  ) {}

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

import { Worker } from 'node:worker_threads';
import { DriveReadError, SECTOR_SIZE, type LentSource } from '../drive/index.js';
import { outputOp } from './errors.js';
import { readFailure, SHORT_READ, STOP_CODES, type CopyIo } from './io.js';
import type { BlockStatus } from './mapfile.js';
import type { ByteRange } from './types.js';

/** The worker reports what it did at most this often (and at the end of each job). */
const BATCH_MS = 25;
/** Good areas that follow each other are written in one write of up to this size. */
const STAGE_BYTES = 1024 * 1024;
/** How often the read time-out is checked. */
const WATCH_MS = 250;

/**
 * A job: read the `size`-aligned pieces of `ranges` (flat start, end pairs), or trim them
 * (ddrescue's trimming: sector by sector from the leading edge up to the first bad one, then
 * from the trailing edge back to it; what lies between is reported non-scraped).
 */
interface Job {
  readonly type: 'read' | 'trim';
  readonly ranges: number[];
  readonly size: number;
  readonly backward: boolean;
}

interface WorkerInput {
  /** Int32 [0]: stop flag; Float64 [1]: start (ms since epoch) of the read running, 0 if none; [2]: its position. */
  readonly control: SharedArrayBuffer;
  readonly stopCodes: readonly string[];
  readonly batchMs: number;
  readonly stageBytes: number;
  readonly sectorBytes: number;
  /** SHORT_READ (the worker's body uses nothing from outside). */
  readonly shortRead: string;
}

/** The descriptor to read, and the image to write. */
interface SourceMessage {
  readonly type: 'source';
  readonly fd: number;
  readonly aligned: LentSource['aligned'];
  readonly outPath: string;
}

/** Code of a run: a read error code's index in `codes`, or one of these. */
const RUN_READ = -1;
const RUN_UNTRIMMED = -2;

type FromWorker =
  /** Runs: (start, end, code, reads, last position) quintuples; code is RUN_* or an index in `codes`. */
  | { type: 'ready' }
  | { type: 'batch'; runs: number[]; codes: string[] }
  | { type: 'done'; failed: boolean; last: ByteRange | null }
  | { type: 'write-error'; code: string | null; message: string };

/**
 * The worker thread's body, run from its source text (so it needs no module loader and works
 * the same from the TypeScript sources and the built files): it must use nothing from outside.
 * Reads with readSync, writes what it read to its own descriptor of the `.part` file (so a
 * late write can never land in another file reusing a closed descriptor) before it reports
 * it, and reports in batches, so the main thread is woken every BATCH_MS, not per sector.
 */
function sectorWorkerMain(threads: typeof import('node:worker_threads'), fs: typeof import('node:fs')): void {
  const port = threads.parentPort;
  if (port === null) return;
  // A failed readSync throws: without a stack to capture, that costs little (thousands per pass).
  Error.stackTraceLimit = 0;
  const input = threads.workerData as WorkerInput;
  const stop = new Int32Array(input.control, 0, 1);
  const clock = new Float64Array(input.control, 8, 2);
  const stopCodes = new Set(input.stopCodes);
  const stage = Buffer.allocUnsafeSlow(input.stageBytes);
  let fd = -1;
  let out = -1;
  let into: Buffer | null = null;
  // The stage holds stage[lo, hi), read from stagePos on: forward reads append to it, backward
  // ones (trimming from a range's end) prepend, so neither writes one sector at a time.
  let stagePos = 0;
  let lo = 0;
  let hi = 0;
  let runs: number[] = [];
  let codes: string[] = [];
  let lastPost = Date.now();
  let writeFailed = false;
  const sector = input.sectorBytes;
  /** The failure of the last read() (reused: thousands per pass); `kept`: whole sectors read before it. */
  const failure = { code: '', at: 0, kept: 0 };

  const flush = (): void => {
    for (let done = lo; done < hi; ) done += fs.writeSync(out, stage, done, hi - done, stagePos + done - lo);
    stagePos += hi - lo;
    lo = hi = 0;
  };
  const post = (): void => {
    flush();
    if (runs.length > 0) port.postMessage({ type: 'batch', runs, codes });
    runs = [];
    codes = [];
    lastPost = Date.now();
  };
  const record = (start: number, end: number, code: number, at: number): void => {
    const n = runs.length;
    if (n > 0 && runs[n - 3] === code) {
      if (runs[n - 4] === start) {
        runs[n - 4] = end;
        (runs[n - 2] as number)++;
        runs[n - 1] = at;
        return;
      }
      if (runs[n - 5] === end) {
        runs[n - 5] = start;
        (runs[n - 2] as number)++;
        runs[n - 1] = at;
        return;
      }
    }
    runs.push(start, end, code, 1, at);
  };
  const codeIndex = (code: string): number => {
    const i = codes.indexOf(code);
    if (i >= 0) return i;
    codes.push(code);
    return codes.length - 1;
  };
  /** Ends a read of [pos, ...) that failed at `at`: the whole sectors read before it stay in the stage. */
  /** Takes stage[base, base + length), read from `pos`, into the staged bytes. */
  const staged = (base: number, pos: number, length: number): void => {
    if (lo === hi) {
      lo = base;
      hi = base + length;
      stagePos = pos;
    } else if (base === hi) hi += length;
    else {
      lo = base;
      stagePos = pos;
    }
  };
  /** Ends a read of [pos, ...) into stage[base, ...) that failed at `at`: whole sectors read before it are kept (forward). */
  const fail = (base: number, pos: number, code: string, at: number): typeof failure => {
    const kept = base === hi || lo === hi ? Math.floor((at - pos) / sector) * sector : 0;
    if (kept > 0) staged(base, pos, kept);
    failure.code = code;
    failure.at = at;
    failure.kept = kept;
    return failure;
  };
  /** Where in the stage [pos, end) goes: after the staged bytes, before them, or (flushed) anew. */
  const place = (pos: number, end: number, backward: boolean): number => {
    const length = end - pos;
    if (lo < hi && stagePos + (hi - lo) === pos && hi + length <= stage.length) return hi;
    if (lo < hi && end === stagePos && lo >= length) return lo - length;
    flush();
    return backward && length <= stage.length ? stage.length - length : 0;
  };
  /** Reads [pos, end) into the stage; null when all of it was read, else the failure. */
  const read = (pos: number, end: number, backward: boolean): typeof failure | null => {
    const base = place(pos, end, backward);
    for (let at = pos; at < end; ) {
      const want = Math.min(end - at, into === null ? end - at : into.length);
      clock[1] = at;
      clock[0] = Date.now();
      let n: number;
      try {
        n = into === null ? fs.readSync(fd, stage, base + at - pos, want, at) : fs.readSync(fd, into, 0, want, at);
      } catch (error) {
        clock[0] = 0;
        const code = (error as { code?: unknown }).code;
        return fail(base, pos, typeof code === 'string' ? code : 'EIO', at);
      }
      clock[0] = 0;
      if (n <= 0) return fail(base, pos, 'EOF', at);
      if (into !== null) into.copy(stage, base + at - pos, 0, n);
      at += n;
      if (n < want) return fail(base, pos, input.shortRead, at);
    }
    staged(base, pos, end - pos);
    return null;
  };
  /** One piece: read and record it. READ, FAILED, or END (a stop, or a code that ends the copy). */
  const READ = 1;
  const FAILED = 0;
  const END = -1;
  const piece = (pos: number, end: number, backward = false): number => {
    const failed = read(pos, end, backward);
    if (failed === null) record(pos, end, -1, pos);
    else {
      if (failed.kept > 0) record(pos, pos + failed.kept, -1, pos);
      record(pos + failed.kept, end, codeIndex(failed.code), failed.at);
    }
    if (Date.now() - lastPost >= input.batchMs) post();
    if ((failed !== null && stopCodes.has(failed.code)) || Atomics.load(stop, 0) !== 0) return END;
    return failed === null ? READ : FAILED;
  };
  const steps = function* (start: number, end: number, size: number, backward: boolean): Generator<[number, number]> {
    if (!backward) {
      for (let pos = start; pos < end; ) {
        const next = Math.min(end, (Math.floor(pos / size) + 1) * size);
        yield [pos, next];
        pos = next;
      }
      return;
    }
    for (let stopAt = end; stopAt > start; ) {
      const pos = Math.max(start, Math.floor((stopAt - 1) / size) * size);
      yield [pos, stopAt];
      stopAt = pos;
    }
  };
  const runJob = (job: Job): { failed: boolean; last: [number, number] | null } => {
    let failed = false;
    let last: [number, number] | null = null;
    const count = job.ranges.length / 2;
    for (let k = 0; k < count && Atomics.load(stop, 0) === 0; k++) {
      const i = job.backward ? count - 1 - k : k;
      const start = job.ranges[2 * i] as number;
      const end = job.ranges[2 * i + 1] as number;
      if (job.type === 'read') {
        for (const [pos, next] of steps(start, end, job.size, job.backward)) {
          last = [pos, next];
          const r = piece(pos, next, job.backward);
          failed ||= r !== READ;
          if (r === END) return { failed, last };
        }
        continue;
      }
      // Trimming: forward up to the first bad piece, then backward down to the next one.
      let low = end;
      for (const [pos, next] of steps(start, end, job.size, false)) {
        const r = piece(pos, next);
        if (r === END) return { failed: true, last };
        if (r === FAILED) {
          low = next;
          break;
        }
      }
      if (low >= end) continue;
      for (const [pos, next] of steps(low, end, job.size, true)) {
        const r = piece(pos, next, true);
        if (r === END) return { failed: true, last };
        if (r === FAILED) {
          if (pos > low) record(low, pos, -2, low);
          break;
        }
      }
    }
    return { failed, last };
  };

  port.postMessage({ type: 'ready' });
  port.on('message', (message: Job | SourceMessage | { type: 'end' }) => {
    if (message.type === 'end') {
      if (!writeFailed && out >= 0) {
        try {
          flush();
        } catch {
          // Nothing was reported for it: the map still says it is to be read.
        }
      }
      if (out >= 0) fs.closeSync(out);
      port.close();
      return;
    }
    if (writeFailed) return;
    try {
      if (message.type === 'source') {
        fd = message.fd;
        const aligned = message.aligned;
        into = aligned === null ? null : Buffer.from(aligned.memory, aligned.offset, aligned.size);
        out = fs.openSync(message.outPath, 'r+');
        return;
      }
      const result = runJob(message);
      post();
      port.postMessage({ type: 'done', ...result });
    } catch (error) {
      writeFailed = true;
      const code = (error as { code?: unknown }).code;
      port.postMessage({
        type: 'write-error',
        code: typeof code === 'string' ? code : null,
        message: error instanceof Error ? error.message : String(error),
      });
    }
  });
}

const WORKER_SOURCE = `(${sectorWorkerMain.toString()})(require('node:worker_threads'), require('node:fs'));`;

interface Pending {
  readonly failed: BlockStatus;
  readonly resolve: (result: { failed: boolean; last: ByteRange | null }) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The rescue's reads through a worker thread reading a lent descriptor synchronously: a failed
 * sector then costs one pread, not a promise and a thread-pool round trip on the main thread,
 * and the event loop only applies a batch of results every BATCH_MS. The read time-out is
 * watched from here: a read running longer than the source's limit ends the copy
 * (`drive_timeout`); the worker itself stops once that read returns.
 */
export class SectorWorker {
  readonly #worker: Worker;
  readonly #control: SharedArrayBuffer;
  readonly #exited: Promise<void>;
  #watch: NodeJS.Timeout | null = null;
  #pending: Pending | null = null;
  #error: Error | null = null;
  #ended = false;
  #ready = false;

  #readTimeoutMs = 0;

  /** Starts the thread (it takes a moment: done ahead, at the first pass's first read error). */
  constructor(private readonly io: CopyIo) {
    this.#control = new SharedArrayBuffer(24);
    const input: WorkerInput = {
      control: this.#control,
      stopCodes: STOP_CODES,
      batchMs: BATCH_MS,
      stageBytes: STAGE_BYTES,
      sectorBytes: SECTOR_SIZE,
      shortRead: SHORT_READ,
    };
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, workerData: input });
    this.#exited = new Promise((resolve) => {
      this.#worker.once('exit', () => resolve());
    });
    this.#worker.on('message', (message: FromWorker) => this.#receive(message));
    this.#worker.on('error', (error) => this.#fail(error));
    this.#worker.once('exit', () => this.#fail(new Error('the rescue worker ended')));
  }

  /** Hands the worker the descriptor to read (lent until `exited`). */
  attach(source: LentSource): void {
    const message: SourceMessage = { type: 'source', fd: source.fd, aligned: source.aligned, outPath: this.io.partPath };
    this.#worker.postMessage(message);
    this.#readTimeoutMs = source.readTimeoutMs;
    if (source.readTimeoutMs > 0 && this.#watch === null) {
      this.#watch = setInterval(() => this.#checkTimeout(), Math.min(WATCH_MS, source.readTimeoutMs));
      this.#watch.unref();
    }
  }

  /** True once the thread runs (it then takes jobs without delay). */
  get ready(): boolean {
    return this.#ready;
  }

  /** Resolves once the worker thread has ended (after its last read returned); never rejects. */
  get exited(): Promise<void> {
    return this.#exited;
  }

  /**
   * Reads the `size`-aligned pieces of `ranges` (or trims them, `trim`): read areas become `+`
   * (written first), failed ones `failed`, the untrimmed middles `/`.
   */
  async run(
    type: Job['type'],
    ranges: readonly ByteRange[],
    size: number,
    backward: boolean,
    failed: BlockStatus,
  ): Promise<{ failed: boolean; last: ByteRange | null }> {
    if (this.#error !== null) throw this.#error;
    // A piece is read into the stage whole: no larger than it (a multiple of the sector size).
    const job: Job = { type, ranges: ranges.flat(), size: Math.min(size, STAGE_BYTES), backward };
    const done = new Promise<{ failed: boolean; last: ByteRange | null }>((resolve, reject) => {
      this.#pending = { failed, resolve, reject };
    });
    this.#worker.postMessage(job);
    return this.io.guard.race(done);
  }

  /** Lets the worker end once its current read returns; `exited` tells when. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#watch) clearInterval(this.#watch);
    Atomics.store(new Int32Array(this.#control, 0, 1), 0, 1);
    this.#worker.postMessage({ type: 'end' });
  }

  #receive(message: FromWorker): void {
    try {
      if (message.type === 'ready') this.#ready = true;
      else if (message.type === 'batch') this.#apply(message.runs, message.codes);
      else if (message.type === 'done') {
        const pending = this.#pending;
        this.#pending = null;
        pending?.resolve({ failed: message.failed, last: message.last });
      } else {
        const cause = Object.assign(new Error(message.message), message.code === null ? {} : { code: message.code });
        // outputOp classifies it (disk_full or io_error) like every other write of the output.
        void outputOp('write', this.io.partPath, () => Promise.reject(cause)).catch((error: unknown) => this.#fail(error));
      }
    } catch (error) {
      this.#fail(error);
    }
  }

  /** Applies a batch to the map in the order the worker read it. */
  #apply(runs: readonly number[], codes: readonly string[]): void {
    const io = this.io;
    const failed = this.#pending?.failed ?? '-';
    let progress = false;
    for (let i = 0; i < runs.length; i += 5) {
      const [start, end, code, reads, at] = runs.slice(i, i + 5) as [number, number, number, number, number];
      io.cursor.pos = start;
      if (code === RUN_READ) {
        io.map.set(start, end, '+');
        progress = true;
      } else if (code === RUN_UNTRIMMED) {
        io.map.set(start, end, '/');
      } else {
        const name = codes[code] ?? 'EIO';
        // A bad area is only noted (no error object per run: thousands per pass); a code that
        // ends the copy goes the way of every failed read.
        if (STOP_CODES.includes(name)) readFailure(io, new DriveReadError(io.reader.devicePath ?? 'disc', at, name), at, reads);
        else io.failures.note(at, name, reads);
        io.map.set(start, end, failed);
      }
    }
    if (progress) io.guard.activity();
    io.changed();
  }

  #checkTimeout(): void {
    const clock = new Float64Array(this.#control, 8, 2);
    const since = clock[0] ?? 0;
    if (since === 0 || Date.now() - since <= this.#readTimeoutMs) return;
    const at = clock[1] ?? 0;
    try {
      readFailure(this.io, new DriveReadError(this.io.reader.devicePath ?? 'disc', at, 'ETIMEDOUT'), at);
    } catch (error) {
      this.#fail(error);
    }
  }

  #fail(error: unknown): void {
    this.#error ??= error instanceof Error ? error : new Error(String(error));
    const pending = this.#pending;
    this.#pending = null;
    pending?.reject(this.#error);
  }
}

import { writeAt, type CopyIo } from './io.js';

/** Rescued areas that follow each other are gathered up to this size into one write. */
const STAGE_BYTES = 1024 * 1024;
/** Staging buffers: one filling, the others being written. */
const STAGES = 4;

interface Stage {
  readonly buffer: Buffer;
  readonly pos: number;
  end: number;
}

/**
 * Writes rescued areas while the next ones are read, gathering areas that follow each other
 * into one write (a run of good sectors costs one write, not one per sector). An area becomes
 * `+` only once written. `drain()` before anything that reads the map's `+`/`-` state; a failed
 * write surfaces at the next push or drain.
 */
export class BackgroundWriter {
  #tail: Promise<void> = Promise.resolve();
  #stage: Stage | null = null;
  readonly #free: Buffer[] = [];
  #allocated = 0;
  #failure: Error | null = null;

  constructor(private readonly io: CopyIo) {}

  /** Copies `data[0, end - pos)` for writing at `pos`; `data` may be reused at once. */
  async push(data: Buffer, pos: number, end: number): Promise<void> {
    if (this.#failure !== null) throw this.#failure;
    const length = end - pos;
    const stage = this.#stage;
    if (stage && stage.end === pos && stage.end - stage.pos + length <= STAGE_BYTES) {
      data.copy(stage.buffer, stage.end - stage.pos, 0, length);
      stage.end = end;
      return;
    }
    this.#submit();
    const buffer = await this.#take(length);
    data.copy(buffer, 0, 0, length);
    this.#stage = { buffer, pos, end };
  }

  async drain(): Promise<void> {
    this.#submit();
    await this.io.guard.race(this.#tail);
    if (this.#failure !== null) throw this.#failure;
  }

  /** After a stop: later queued writes are skipped (the output is being removed or kept as is). */
  abandon(): void {
    this.#failure ??= new Error('rescue ended');
  }

  async #take(length: number): Promise<Buffer> {
    if (length > STAGE_BYTES) return Buffer.allocUnsafeSlow(length);
    if (this.#free.length === 0 && this.#allocated >= STAGES) {
      await this.io.guard.race(this.#tail);
      if (this.#failure !== null) throw this.#failure;
    }
    const buffer = this.#free.pop();
    if (buffer) return buffer;
    this.#allocated++;
    return Buffer.allocUnsafeSlow(STAGE_BYTES);
  }

  #submit(): void {
    const stage = this.#stage;
    if (stage === null) return;
    this.#stage = null;
    const io = this.io;
    this.#tail = this.#tail
      .then(async () => {
        if (this.#failure !== null) return;
        await writeAt(io, stage.buffer, stage.end - stage.pos, stage.pos);
        io.guard.activity();
        io.map.set(stage.pos, stage.end, '+');
        io.changed();
      })
      .catch((error: unknown) => {
        this.#failure ??= error instanceof Error ? error : new Error(String(error));
      })
      .finally(() => {
        if (stage.buffer.length === STAGE_BYTES) this.#free.push(stage.buffer);
      });
  }
}

import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { writeJsonAtomic } from '../contract/index.js';

const CursorFileSchema = z.object({
  schema_version: z.literal(1),
  last_seq: z.number().int().nonnegative(),
  updated: z.string(),
});

/**
 * The seq of the last event the bridge got acknowledged by the broker, kept on disk (outside
 * /data/api, which only the core writes) so a restart neither loses nor repeats events.
 * Saves are coalesced: at most one write in flight, the newest value wins.
 */
export class CursorStore {
  #wanted: number | null = null;
  #written: number | null = null;
  #writing: Promise<void> | null = null;
  #lastError: Error | null = null;
  #lastWrite = 0;
  #timer: NodeJS.Timeout | null = null;

  /**
   * `minIntervalMs` spaces the writes (each is an fsync): after a crash the bridge resends at most
   * that much, which QoS 1 allows; `flush()` on a clean stop writes the newest value at once.
   */
  constructor(
    readonly path: string,
    private readonly minIntervalMs = 0,
  ) {}

  /** The saved seq, or null when there is none (first start) or the file is unreadable. */
  async load(): Promise<number | null> {
    try {
      const parsed = CursorFileSchema.safeParse(JSON.parse(await readFile(this.path, 'utf8')));
      if (!parsed.success) return null;
      this.#written = parsed.data.last_seq;
      return parsed.data.last_seq;
    } catch {
      return null;
    }
  }

  save(seq: number): void {
    this.#wanted = seq;
    if (!this.#writing && !this.#timer) {
      const wait = this.#lastWrite + this.minIntervalMs - Date.now();
      if (wait <= 0) this.#writing = this.#drain();
      else
        this.#timer = setTimeout(() => {
          this.#timer = null;
          if (!this.#writing) this.#writing = this.#drain();
        }, wait).unref();
    }
  }

  /** Resolves when the newest saved value is on disk; rejects with the last write error. */
  async flush(): Promise<void> {
    for (;;) {
      if (this.#timer) {
        clearTimeout(this.#timer);
        this.#timer = null;
      }
      if (this.#writing) await this.#writing;
      else if (this.#wanted !== null && this.#wanted !== this.#written && !this.#lastError) this.#writing = this.#drain();
      else break;
    }
    if (this.#lastError) {
      const error = this.#lastError;
      this.#lastError = null;
      throw error;
    }
  }

  async #drain(): Promise<void> {
    const seq = this.#wanted;
    try {
      if (seq === null || seq === this.#written) return;
      await writeJsonAtomic(this.path, { schema_version: 1, last_seq: seq, updated: new Date().toISOString() });
      this.#written = seq;
      this.#lastWrite = Date.now();
      this.#lastError = null;
    } catch (error) {
      this.#lastError = error instanceof Error ? error : new Error(String(error));
    } finally {
      this.#writing = null;
    }
    // Saved again meanwhile: the next write, after the interval.
    if (!this.#lastError && this.#wanted !== null && this.#wanted !== this.#written) this.save(this.#wanted);
  }
}

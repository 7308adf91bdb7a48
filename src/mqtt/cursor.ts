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
  #lastError: unknown = null;

  constructor(readonly path: string) {}

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
    if (!this.#writing) this.#writing = this.#drain();
  }

  /** Resolves when the newest saved value is on disk; rejects with the last write error. */
  async flush(): Promise<void> {
    while (this.#writing) await this.#writing;
    if (this.#lastError) {
      const error = this.#lastError;
      this.#lastError = null;
      throw error;
    }
  }

  async #drain(): Promise<void> {
    try {
      while (this.#wanted !== null && this.#wanted !== this.#written) {
        const seq = this.#wanted;
        try {
          await writeJsonAtomic(this.path, { schema_version: 1, last_seq: seq, updated: new Date().toISOString() });
          this.#written = seq;
          this.#lastError = null;
        } catch (error) {
          this.#lastError = error;
          return;
        }
      }
    } finally {
      this.#writing = null;
    }
  }
}

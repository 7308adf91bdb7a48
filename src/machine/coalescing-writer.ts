import { writeJsonAtomic } from '../contract/index.js';

/**
 * Writes JSON files atomically, one write in flight per path; while one is in flight only the
 * newest pending value is kept. Files never go backwards and the last value always lands.
 */
export class CoalescingWriter {
  readonly #inFlight = new Map<string, Promise<void>>();
  readonly #pending = new Map<string, unknown>();

  constructor(private readonly onError: (path: string, error: unknown) => void) {}

  write(path: string, value: unknown): Promise<void> {
    this.#pending.set(path, value);
    const running = this.#inFlight.get(path);
    if (running) return running.then(() => this.#inFlight.get(path));
    const loop = this.#drain(path);
    this.#inFlight.set(path, loop);
    return loop;
  }

  async #drain(path: string): Promise<void> {
    while (this.#pending.has(path)) {
      const value = this.#pending.get(path);
      this.#pending.delete(path);
      try {
        await writeJsonAtomic(path, value);
      } catch (error) {
        this.onError(path, error);
      }
    }
    this.#inFlight.delete(path);
  }

  /** Resolves when every queued write has landed. */
  async flush(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all([...this.#inFlight.values()]);
  }
}

import type { Timers } from '../../src/mqtt/index.js';

/** Manual clock for the bridge's injectable timers: `advance(ms)` fires what is due, in order. */
export class FakeTimers implements Timers {
  #now = 1_700_000_000_000;
  #next = 1;
  readonly #tasks = new Map<number, { at: number; fn: () => void; every: number | null }>();

  now(): number {
    return this.#now;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.#next++;
    this.#tasks.set(id, { at: this.#now + Math.max(0, ms), fn, every: null });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.#tasks.delete(handle as number);
  }
  setInterval(fn: () => void, ms: number): unknown {
    const id = this.#next++;
    this.#tasks.set(id, { at: this.#now + ms, fn, every: ms });
    return id;
  }
  clearInterval(handle: unknown): void {
    this.#tasks.delete(handle as number);
  }
  get pending(): number {
    return this.#tasks.size;
  }
  advance(ms: number): void {
    const end = this.#now + ms;
    for (;;) {
      let dueId: number | null = null;
      let dueAt = Number.POSITIVE_INFINITY;
      for (const [id, task] of this.#tasks) if (task.at <= end && task.at < dueAt) [dueId, dueAt] = [id, task.at];
      if (dueId === null) break;
      const task = this.#tasks.get(dueId)!;
      this.#now = task.at;
      if (task.every === null) this.#tasks.delete(dueId);
      else task.at += task.every;
      task.fn();
    }
    this.#now = end;
  }
}

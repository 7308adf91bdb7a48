import { performance } from 'node:perf_hooks';
import { setImmediate as nextTurn } from 'node:timers/promises';

/** Longest stretch the copy loop runs before it lets timers and I/O callbacks run. */
const SLICE_MS = 20;

/**
 * Yields to the event loop at least every 20 ms of copy-loop work. Reads that fail at once
 * (a lane that fails fast after a time-out, a source that rejects every read) settle as
 * microtasks only, so without this a rescue of millions of failing sectors would hold the
 * event loop — `/healthz`, the control API, the contract writer — until it ended.
 */
export class Pacer {
  #since = performance.now();

  /** Whether the next tick() will yield. */
  due(): boolean {
    return performance.now() - this.#since >= SLICE_MS;
  }

  async tick(): Promise<void> {
    if (!this.due()) return;
    await nextTurn();
    this.#since = performance.now();
  }
}

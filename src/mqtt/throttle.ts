import type { Timers } from './timers.js';

interface KeyState<T> {
  last: number;
  timer: unknown;
  pending: { value: T } | null;
}

/**
 * At most one emit per `intervalMs` per key; a value pushed during the quiet period is emitted
 * when it ends (trailing), so the last value is always delivered.
 */
export class TrailingThrottle<T> {
  readonly #keys = new Map<string, KeyState<T>>();

  constructor(
    private readonly intervalMs: number,
    private readonly emit: (key: string, value: T) => void,
    private readonly timers: Timers,
  ) {}

  push(key: string, value: T): void {
    let state = this.#keys.get(key);
    if (!state) {
      state = { last: Number.NEGATIVE_INFINITY, timer: null, pending: null };
      this.#keys.set(key, state);
    }
    const now = this.timers.now();
    if (state.timer === null && now - state.last >= this.intervalMs) {
      state.last = now;
      this.emit(key, value);
      return;
    }
    state.pending = { value };
    if (state.timer === null) {
      const s = state;
      s.timer = this.timers.setTimeout(() => {
        s.timer = null;
        const pending = s.pending;
        s.pending = null;
        if (pending) {
          s.last = this.timers.now();
          this.emit(key, pending.value);
        }
      }, Math.max(0, state.last + this.intervalMs - now));
    }
  }

  /** Drops pending values and timers. */
  stop(): void {
    for (const state of this.#keys.values()) {
      if (state.timer !== null) this.timers.clearTimeout(state.timer);
      state.timer = null;
      state.pending = null;
    }
  }
}

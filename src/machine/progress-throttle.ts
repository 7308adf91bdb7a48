/**
 * Lets a value through at most once per `intervalMs`, and always delivers the last one
 * (trailing), so progress.json stays within its write budget and never ends stale.
 */
export class Throttle<T> {
  #lastAt = -Infinity;
  #pending: T | null = null;
  #timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly intervalMs: number,
    private readonly emit: (value: T) => void,
    private readonly now: () => number = Date.now,
  ) {}

  push(value: T): void {
    const wait = this.#lastAt + this.intervalMs - this.now();
    if (wait <= 0 && !this.#timer) {
      this.#fire(value);
      return;
    }
    this.#pending = value;
    this.#timer ??= setTimeout(() => {
      this.#timer = null;
      if (this.#pending !== null) this.#fire(this.#pending);
    }, Math.max(0, wait));
  }

  #fire(value: T): void {
    this.#pending = null;
    this.#lastAt = this.now();
    this.emit(value);
  }

  /** Delivers a pending value now (or `final` if given) and stops the timer. */
  flush(final?: T): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    const value = final ?? this.#pending;
    if (value !== null && value !== undefined) this.#fire(value);
  }
}

/** What a progress display needs. */
export interface ProgressReading {
  percent: number;
  speedBytesPerS: number;
  /** Null while the speed is not known yet. */
  etaSeconds: number | null;
}

/**
 * Percent, smoothed speed and ETA from successive byte counts. The speed is the plain average
 * during the first `windowMs`, then an exponential moving average with time constant
 * `windowMs`, so one slow or fast chunk does not make the ETA jump. A count lower than the
 * previous one (a new phase starting over) restarts the meter. Pure: the clock is injected.
 */
export class ProgressMeter {
  #startAt: number;
  #startBytes = 0;
  #lastAt: number;
  #lastBytes = 0;
  #speed: number | null = null;
  #seenBytes = 0;

  constructor(
    readonly totalBytes: number,
    private readonly now: () => number = Date.now,
    private readonly windowMs = 5000,
    /** Below this much elapsed time no speed is reported (too noisy). */
    private readonly minElapsedMs = 500,
  ) {
    this.#startAt = now();
    this.#lastAt = this.#startAt;
  }

  update(bytesDone: number): ProgressReading {
    const t = this.now();
    if (bytesDone < this.#seenBytes) this.#restart(t, bytesDone);
    this.#seenBytes = bytesDone;
    const elapsed = t - this.#startAt;
    const dt = t - this.#lastAt;
    if (elapsed >= this.minElapsedMs && dt > 0) {
      if (this.#speed === null || elapsed <= this.windowMs) {
        this.#speed = ((bytesDone - this.#startBytes) / elapsed) * 1000;
      } else {
        const instant = ((bytesDone - this.#lastBytes) / dt) * 1000;
        const alpha = 1 - Math.exp(-dt / this.windowMs);
        this.#speed += alpha * (instant - this.#speed);
      }
      this.#lastAt = t;
      this.#lastBytes = bytesDone;
    }
    const total = this.totalBytes;
    const percent = total > 0 ? Math.min(100, Math.max(0, (bytesDone / total) * 100)) : 0;
    const remaining = Math.max(0, total - bytesDone);
    let etaSeconds: number | null = null;
    if (remaining === 0) etaSeconds = 0;
    else if (this.#speed !== null && this.#speed > 0) etaSeconds = remaining / this.#speed;
    return { percent, speedBytesPerS: Math.max(0, this.#speed ?? 0), etaSeconds };
  }

  #restart(t: number, bytes: number): void {
    this.#startAt = t;
    this.#startBytes = bytes;
    this.#lastAt = t;
    this.#lastBytes = bytes;
    this.#speed = null;
  }
}

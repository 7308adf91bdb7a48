import type { Logger } from '../log/index.js';

/** Read errors logged one by one before only summaries are written. */
const DETAILED = 8;
/** At most one summary line per this many milliseconds. */
const SUMMARY_INTERVAL_MS = 5000;

/**
 * Rate-limited log of read errors: the first few one line each, then one summary line at most
 * every 5 s ("1,234 more read errors, last at byte N"). A damaged DVD fails millions of sectors;
 * a line each would flood the job log and hold the event loop (pino writes synchronously).
 */
export class ReadFailureLog {
  #total = 0;
  #pending = 0;
  #lastPosition = 0;
  #lastCode = '';
  #lastSummary = 0;

  constructor(private readonly logger: Logger) {}

  get total(): number {
    return this.#total;
  }

  /** `count` failed reads with `code`, the last at `position`. */
  note(position: number, code: string, count = 1): void {
    if (this.#total < DETAILED) {
      this.#total += count;
      this.logger.debug(count > 1 ? { position, code, reads: count } : { position, code }, 'read error');
      if (this.#total >= DETAILED) this.logger.debug('further read errors are summarised every 5 s');
      return;
    }
    this.#total += count;
    this.#pending += count;
    this.#lastPosition = position;
    this.#lastCode = code;
    const now = Date.now();
    if (now - this.#lastSummary >= SUMMARY_INTERVAL_MS) this.#summarise(now);
  }

  /** Writes the summary of what was not logged yet (at the end of a pass). */
  flush(): void {
    if (this.#pending > 0) this.#summarise(Date.now());
  }

  #summarise(now: number): void {
    this.#lastSummary = now;
    this.logger.debug(
      { errors: this.#pending, total: this.#total, lastPosition: this.#lastPosition, lastCode: this.#lastCode },
      '%d more read errors, last at byte %d',
      this.#pending,
      this.#lastPosition,
    );
    this.#pending = 0;
  }
}

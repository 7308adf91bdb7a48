import { DriveOperationError } from '../errors.js';

export interface LaneRunOptions {
  /** The error a caller gets when `timeoutMs` passes (default: DriveOperationError ETIMEDOUT). */
  readonly onTimeout?: () => Error;
  /**
   * Run the task even when its caller has already timed out (waiting behind a hung task), and
   * queue it instead of failing fast while the lane is hung. For clean-ups such as close().
   */
  readonly mustRun?: boolean;
}

/**
 * Runs one drive's blocking operations one at a time, each with a time-out.
 *
 * A time-out rejects the caller but cannot interrupt the kernel: the task keeps its libuv
 * worker thread until the syscall returns. The lane therefore never starts a second task while
 * one is hung — later callers fail fast with ETIMEDOUT — so a hung drive pins at most one worker
 * thread per lane and cannot starve the thread pool that file I/O of the rest of the process
 * (the contract writer, the web server, other drives) runs on. When the hung syscall finally
 * returns, the lane works again. Tasks get an AbortSignal that fires on time-out, to clean up
 * what they acquired late (an fd opened after the caller gave up).
 */
export class OpLane {
  #tail: Promise<void> = Promise.resolve();
  #hung: { operation: string; since: number } | null = null;

  constructor(readonly drivePath: string) {}

  /** The operation that timed out and has not returned yet, if any. */
  get hung(): { operation: string; since: number } | null {
    return this.#hung;
  }

  run<T>(operation: string, timeoutMs: number, task: (signal: AbortSignal) => Promise<T>, options: LaneRunOptions = {}): Promise<T> {
    const timeoutError = options.onTimeout ?? (() => new DriveOperationError(this.drivePath, operation, 'ETIMEDOUT'));
    const hung = this.#hung;
    if (hung !== null && options.mustRun !== true) {
      const seconds = Math.round((Date.now() - hung.since) / 1000);
      const error = timeoutError();
      error.cause = new Error(`${hung.operation} on ${this.drivePath} has not returned for ${seconds} s`);
      return Promise.reject(error);
    }
    return new Promise<T>((resolve, reject) => {
      const controller = new AbortController();
      let started = false;
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        controller.abort();
        if (started) this.#hung = { operation, since: Date.now() };
        reject(timeoutError());
      }, timeoutMs);
      const execute = async (): Promise<void> => {
        if (settled && options.mustRun !== true) return; // gave up while queued: never start
        started = true;
        try {
          const value = await task(controller.signal);
          if (!settled) resolve(value);
        } catch (error) {
          if (!settled) reject(error instanceof Error ? error : new Error(String(error)));
        } finally {
          settled = true;
          clearTimeout(timer);
          this.#hung = null;
        }
      };
      this.#tail = this.#tail.then(execute);
    });
  }
}

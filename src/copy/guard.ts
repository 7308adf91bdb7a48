import { errorMessage } from '../util/errors.js';
import { OutputWriteError, type CopyReason } from './errors.js';

/** Thrown inside the pipeline once the copy has to end; carries the first reason. */
export class CopyStopped extends Error {
  constructor(
    readonly reason: CopyReason,
    readonly detail: string,
    options: { cause?: unknown } = {},
  ) {
    super(detail, options);
    this.name = 'CopyStopped';
  }
}

function describeWait(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  return `${Math.round(s / 60)} min`;
}

/**
 * Ends a copy for the first of: cancel (AbortSignal), stall (no I/O completed for
 * `stallTimeoutMs`), or a reason raised by the pipeline. `race()` lets every await give up at
 * once, so a hung read (which cannot be interrupted) never holds the copy.
 */
export class CopyGuard {
  #stop: CopyStopped | null = null;
  readonly #listeners = new Set<(e: CopyStopped) => void>();
  readonly #timer: NodeJS.Timeout | null;
  readonly #onAbort = (): void => {
    this.stop('cancelled', 'cancelled by request');
  };

  constructor(
    private readonly signal: AbortSignal,
    stallTimeoutMs: number,
  ) {
    this.#timer =
      stallTimeoutMs > 0
        ? setTimeout(() => {
            const waited = describeWait(stallTimeoutMs);
            this.stop('stalled', `no progress for ${waited} (the drive or the output stopped responding)`);
          }, stallTimeoutMs)
        : null;
    if (signal.aborted) this.#onAbort();
    else signal.addEventListener('abort', this.#onAbort, { once: true });
  }

  get stopped(): CopyStopped | null {
    return this.#stop;
  }

  /** Records the reason (first one wins) and releases every pending `race()`; returns the winner to throw. */
  stop(reason: CopyReason, detail: string, cause?: unknown): CopyStopped {
    if (this.#stop) return this.#stop;
    const stop = new CopyStopped(reason, detail, { cause });
    this.#stop = stop;
    for (const listener of this.#listeners) listener(stop);
    this.#listeners.clear();
    return stop;
  }

  throwIfStopped(): void {
    if (this.#stop) throw this.#stop;
  }

  /** An I/O operation completed: restart the stall watchdog. */
  activity(): void {
    this.#timer?.refresh();
  }

  /** `promise`, unless the copy stops first. The promise's own rejection is always handled. */
  race<T>(promise: Promise<T>): Promise<T> {
    if (this.#stop) {
      promise.catch(() => undefined);
      return Promise.reject(this.#stop);
    }
    return new Promise<T>((resolve, reject) => {
      const onStop = (e: CopyStopped): void => reject(e);
      this.#listeners.add(onStop);
      const fail = (error: Error): void => {
        this.#listeners.delete(onStop);
        reject(error);
      };
      promise.then((value) => {
        this.#listeners.delete(onStop);
        resolve(value);
      }, fail);
    });
  }

  dispose(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.signal.removeEventListener('abort', this.#onAbort);
  }
}

/** Waits for `promise` at most `ms` (cleanup must not hang on a stuck operation). */
export async function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    promise.then(
      () => undefined,
      () => undefined,
    ),
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
  clearTimeout(timer);
}

/** Reason, message and cause for whatever ended a copy. */
export function stopDetailsOf(error: unknown): [CopyReason, string, unknown] {
  if (error instanceof CopyStopped) return [error.reason, error.detail, error.cause];
  if (error instanceof OutputWriteError) return [error.reason, error.message, error];
  return ['io_error', `unexpected error: ${errorMessage(error)}`, error];
}

import { DriveOperationError } from './errors.js';
import type { DiscReader } from './types.js';

/**
 * The readers of one drive that are closing but not closed yet. A read stuck in the drive
 * cannot be interrupted — the kernel returns when the drive answers or gives up — so a reader's
 * close() waits for it. The job that gave up does not (it ends within seconds); the drive
 * instead lets nothing new touch the medium (open, eject, tray, door lock) until those reads
 * have returned and the reader is closed.
 */
export class ClosingReaders {
  readonly #pending = new Set<Promise<void>>();

  /** `reader` with a close() that is tracked until it has finished. */
  track(reader: DiscReader): DiscReader {
    let closing: Promise<void> | null = null;
    const close = (): Promise<void> => {
      if (closing) return closing;
      const done = reader.close();
      closing = done;
      const settled = done.then(
        () => undefined,
        () => undefined,
      );
      this.#pending.add(settled);
      void settled.then(() => this.#pending.delete(settled));
      return done;
    };
    return {
      sizeBytes: reader.sizeBytes,
      devicePath: reader.devicePath,
      read: (buffer, position, length) => reader.read(buffer, position, length),
      ...(reader.lend ? { lend: reader.lend.bind(reader) } : {}),
      close,
    };
  }

  /** True while a reader is still closing (a read of it has not returned). */
  get busy(): boolean {
    return this.#pending.size > 0;
  }

  /**
   * Waits until every closing reader has closed, at most `timeoutMs`; then rejects with
   * `DriveOperationError(path, operation, 'EBUSY')`.
   */
  async settled(path: string, operation: string, timeoutMs: number): Promise<void> {
    if (this.#pending.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    const all = Promise.all([...this.#pending]).then(() => true as const);
    const done = await Promise.race([all, expired]);
    clearTimeout(timer);
    if (!done) {
      throw new DriveOperationError(path, operation, 'EBUSY', {
        cause: new Error(`a read of ${path} has not returned after ${Math.round(timeoutMs / 1000)} s`),
      });
    }
  }
}

/**
 * Closes `reader`, waiting at most `timeoutMs`: a close held up by a read stuck in the drive
 * finishes in the background (the drive's ClosingReaders keeps others off the medium until
 * then). Resolves whether the reader closed in time; never rejects.
 */
export async function closeWithin(reader: DiscReader, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const closed = reader.close().then(
    () => true,
    () => true,
  );
  const expired = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const done = await Promise.race([closed, expired]);
  clearTimeout(timer);
  return done;
}

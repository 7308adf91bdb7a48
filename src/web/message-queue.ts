/** What `next()` returns besides an item. */
export type QueueSignal = 'timeout' | 'closed' | 'overflow';

/**
 * A single-consumer async queue for one SSE client. When a client stops reading and more than
 * `capacity` messages pile up, the queue reports 'overflow' so the stream can be closed (the
 * client reconnects and starts again from a snapshot) instead of growing without bound.
 */
export class MessageQueue<T> {
  readonly #items: T[] = [];
  #closed = false;
  #overflowed = false;
  #wake: (() => void) | null = null;

  constructor(private readonly capacity = 2000) {}

  push(item: T): void {
    if (this.#closed) return;
    if (this.#items.length >= this.capacity) {
      this.#overflowed = true;
      this.#items.length = 0;
    } else {
      this.#items.push(item);
    }
    this.#wake?.();
  }

  close(): void {
    this.#closed = true;
    this.#wake?.();
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The next item, or why there is none: closed, overflowed, or `timeoutMs` passed. */
  async next(timeoutMs: number): Promise<T | { signal: QueueSignal }> {
    const ready = this.#take();
    if (ready !== undefined) return ready;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, timeoutMs));
      this.#wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.#wake = null;
    return this.#take() ?? { signal: 'timeout' };
  }

  #take(): T | { signal: QueueSignal } | undefined {
    if (this.#closed) return { signal: 'closed' };
    if (this.#overflowed) return { signal: 'overflow' };
    return this.#items.shift();
  }
}

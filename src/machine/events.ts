import type { DriveState, DriveStatus, Progress } from '../contract/index.js';

/** In-process observers of a machine (tests, the demo's terminal progress bar). */
export interface MachineEvents {
  transition: [from: DriveState, to: DriveState, status: DriveStatus];
  progress: [progress: Progress];
}

type Listener<A extends unknown[]> = (...args: A) => void;

/** A small typed emitter: a throwing listener is isolated, never breaks the machine. */
export class TypedEmitter<M extends { [K in keyof M]: unknown[] }> {
  readonly #listeners = new Map<keyof M, Set<Listener<unknown[]>>>();

  on<K extends keyof M>(event: K, listener: Listener<M[K]>): () => void {
    const set = this.#listeners.get(event) ?? new Set();
    const stored = listener as unknown as Listener<unknown[]>;
    set.add(stored);
    this.#listeners.set(event, set);
    return () => set.delete(stored);
  }

  emit<K extends keyof M>(event: K, ...args: M[K]): void {
    for (const listener of this.#listeners.get(event) ?? []) {
      try {
        listener(...args);
      } catch {
        // Observers must not disturb the machine.
      }
    }
  }

  removeAll(): void {
    this.#listeners.clear();
  }
}

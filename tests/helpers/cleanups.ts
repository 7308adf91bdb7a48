import { afterAll, afterEach } from 'vitest';

/**
 * Teardowns, run in the reverse order of their set-up (the bridge before the broker it talks
 * to). One that fails is logged and the rest still run: a teardown error must neither hide the
 * test's own failure nor leave processes behind.
 */
export class Cleanups {
  readonly #steps: Array<() => unknown> = [];

  defer(step: () => unknown): void {
    this.#steps.push(step);
  }

  async runAll(): Promise<void> {
    for (let step = this.#steps.pop(); step; step = this.#steps.pop()) {
      try {
        await step();
      } catch (error) {
        console.warn(`cleanup failed (ignored): ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}

/** Cleanups run after each test of the enclosing block (or file). */
export function cleanupsAfterEach(): Cleanups {
  const cleanups = new Cleanups();
  afterEach(() => cleanups.runAll());
  return cleanups;
}

/** Cleanups run once after all tests of the enclosing block (or file). */
export function cleanupsAfterAll(timeout?: number): Cleanups {
  const cleanups = new Cleanups();
  afterAll(() => cleanups.runAll(), timeout);
  return cleanups;
}

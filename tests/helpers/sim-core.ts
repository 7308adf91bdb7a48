import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import type { RunningCore } from '../../src/core/run.js';
import { simReset } from '../../src/drive/index.js';
import { makeTempDir } from './tmp.js';

/** Per test: a temp folder `dir`, an empty simulated drive folder `sim` (sim0) in it, and the `core` the test starts. */
export interface SimCoreFixture {
  readonly dir: string;
  readonly sim: string;
  core: RunningCore | null;
}

/**
 * Registers the set-up every real-core machine test shares: a fresh temp folder with an empty
 * simulated drive before each test; after it, `beforeStop` (undo what the test did to the drive
 * or the environment), the core stopped and the folder removed.
 */
export function useSimCore(beforeStop?: (fixture: SimCoreFixture) => Promise<unknown> | void): SimCoreFixture {
  let dir = '';
  let sim = '';
  let cleanup: () => Promise<void> = async () => {};
  const fixture: SimCoreFixture = {
    get dir() {
      return dir;
    },
    get sim() {
      return sim;
    },
    core: null,
  };
  beforeEach(async () => {
    ({ dir, cleanup } = await makeTempDir());
    sim = join(dir, 'sim0');
    await simReset(sim);
  });
  afterEach(async () => {
    await beforeStop?.(fixture);
    await fixture.core?.stop();
    fixture.core = null;
    await cleanup();
  });
  return fixture;
}

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach } from 'vitest';
import { parseOptions, type Config } from '../../src/config/index.js';
import { ensureBuilt, freePort } from './process.js';
import { makeTempDir } from './tmp.js';

/**
 * Options for `disk2iso run` with one simulated drive and the add-on's defaults otherwise
 * (plus `extra`), written to `dir`/options.json where the CLI reads them.
 */
export async function writeCliOptions(dir: string, sim: string, extra: Record<string, unknown> = {}): Promise<{ optionsPath: string; config: Config }> {
  const raw = {
    drives: [`sim:${sim}`],
    api_dir: join(dir, 'api'),
    output_dir: join(dir, 'output'),
    web_port: await freePort(),
    min_free_space_mb: 0,
    mqtt_enabled: false,
    log_level: 'info',
    ...extra,
  };
  const optionsPath = join(dir, 'options.json');
  await writeFile(optionsPath, JSON.stringify(raw));
  return { optionsPath, config: parseOptions(raw, optionsPath) };
}

/** Per test: a temp folder `dir`; the processes pushed on `running` are SIGKILLed after it. */
export interface CliFixture {
  readonly dir: string;
  readonly running: { kill(signal?: NodeJS.Signals): boolean }[];
}

/** Registers the set-up of the tests that run the built CLI (dist/ is built once if missing). */
export function useCliProcesses(): CliFixture {
  let dir = '';
  let cleanup: () => Promise<void> = async () => {};
  const running: CliFixture['running'] = [];
  beforeAll(async () => ensureBuilt(), 180_000);
  beforeEach(async () => ({ dir, cleanup } = await makeTempDir()));
  afterEach(async () => {
    for (const child of running.splice(0)) child.kill('SIGKILL');
    await cleanup();
  });
  return {
    get dir() {
      return dir;
    },
    running,
  };
}

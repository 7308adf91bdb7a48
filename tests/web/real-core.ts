import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { Config } from '../../src/config/index.js';
import { apiPaths, DriveStatusSchema, readContractValue, type ApiPaths } from '../../src/contract/index.js';
import { simReset } from '../../src/drive/index.js';
import { writeCliOptions } from '../helpers/cli-core.js';
import { ensureBuilt, startCli } from '../helpers/process.js';
import { suiteHandle } from '../helpers/suite-handle.js';
import { makeTempDir } from '../helpers/tmp.js';
import { waitFor } from './fixtures.js';
import { startIngressProxy, type IngressProxy } from './ingress-proxy.js';

export interface RealCore {
  /** The temp folder: options.json, api/, the output folder, disc images. */
  readonly dir: string;
  /** The folder of the simulated drive sim0. */
  readonly sim: string;
  readonly config: Config;
  readonly paths: ApiPaths;
  /** The ingress stand-in in front of the core's web server. */
  readonly proxy: IngressProxy;
}

export interface RealCoreSetup {
  tempPrefix: string;
  /** The token in the ingress path (/api/hassio_ingress/<token>/). */
  token: string;
  /** Options on top of `writeCliOptions`' defaults. */
  options: Record<string, unknown>;
  /** The core's environment, read when it starts (after the suite's earlier beforeAll hooks). */
  env?: () => Record<string, string>;
}

/**
 * For the browser tests against the real core (`node dist/cli.js run`): registers a beforeAll
 * that starts it in a temp folder with one simulated drive sim0 and waits until it waits for a
 * disc, behind the ingress stand-in; and an afterAll that stops it (its log printed when it exits
 * with an error, or with SHOW_CORE_LOG set) and removes the folder.
 */
export function useRealCore(setup: RealCoreSetup): RealCore {
  let temp: Awaited<ReturnType<typeof makeTempDir>> | undefined;
  let core: ReturnType<typeof startCli> | undefined;
  let proxy: IngressProxy | undefined;
  let started: RealCore | undefined;

  beforeAll(async () => {
    await ensureBuilt();
    temp = await makeTempDir(setup.tempPrefix);
    const sim = join(temp.dir, 'sim0');
    await simReset(sim);
    const { optionsPath, config } = await writeCliOptions(temp.dir, sim, setup.options);
    core = startCli('run', optionsPath, setup.env?.());
    const paths = apiPaths(config.api_dir);
    await waitFor(async () => (await readContractValue(paths.status('sim0'), DriveStatusSchema))?.state === 'waiting_for_media', 60_000, 'core ready');
    proxy = await startIngressProxy(`http://127.0.0.1:${config.web_port}/`, { token: setup.token });
    started = { dir: temp.dir, sim, config, paths, proxy };
  }, 180_000);

  afterAll(async () => {
    await proxy?.stop();
    core?.kill('SIGTERM');
    const result = await core;
    if (result && (result.exitCode !== 0 || process.env.SHOW_CORE_LOG)) console.log(result.all);
    await temp?.cleanup();
  });

  return suiteHandle(() => started, 'the real core');
}

import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { apiPaths } from '../../src/contract/index.js';
import { history, startTestCore, testConfig, waitForState } from '../helpers/core.js';
import { useSimCore } from '../helpers/sim-core.js';

describe('start-up reconciliation keeps aside what it cannot read', () => {
  const fx = useSimCore();

  it('a status.json of a newer version and an attributes.json cut short are kept aside, not overwritten', async () => {
    const config = testConfig(fx.dir, [fx.sim]);
    const paths = apiPaths(config.api_dir);
    await mkdir(paths.driveDir('sim0'), { recursive: true });
    const status = JSON.stringify({ schema_version: 2, drive_id: 'sim0', state: 'choosing_title', job_id: 'sim0-x-1' });
    const attributes = '{"schema_version":1,"drive_id":"sim0","job_id":"sim0-x-1","disc_la';
    await writeFile(paths.status('sim0'), status);
    await writeFile(paths.attributes('sim0'), attributes);
    fx.core = await startTestCore(config);
    await waitForState(config, 'sim0', 'waiting_for_media');
    const names = await readdir(paths.driveDir('sim0'));
    const statusAside = names.find((n) => n.startsWith('status.json.invalid-'));
    expect(statusAside).toBeDefined();
    expect(await readFile(join(paths.driveDir('sim0'), statusAside ?? ''), 'utf8')).toBe(status);
    // The status did not say copying in a form this version reads: no job is invented.
    expect((await history(config))?.entries ?? []).toEqual([]);
  });

  it('a running job whose attributes cannot be read is still recorded as interrupted', async () => {
    const config = testConfig(fx.dir, [fx.sim]);
    const paths = apiPaths(config.api_dir);
    await mkdir(paths.driveDir('sim0'), { recursive: true });
    const now = new Date().toISOString();
    await writeFile(
      paths.status('sim0'),
      JSON.stringify({
        schema_version: 1,
        drive_id: 'sim0',
        state: 'copying',
        previous_state: 'analyzing',
        since: now,
        message: '',
        drive: { path: fx.sim, vendor: null, model: null, present: true, simulated: true },
        auto_copy: true,
        job_id: 'sim0-20260101T000000.000Z-1',
        heartbeat: now,
        heartbeat_interval_s: 5,
      }),
    );
    const attributes = '{"schema_version":1,"drive_id":"sim0","job_id":"sim0-20260101T000000.000Z-1","disc_la';
    await writeFile(paths.attributes('sim0'), attributes);
    fx.core = await startTestCore(config);
    await waitForState(config, 'sim0', 'waiting_for_media');
    expect((await history(config))?.entries.map((e) => [e.id, e.result])).toEqual([['sim0-20260101T000000.000Z-1', 'failed']]);
    const aside = (await readdir(paths.driveDir('sim0'))).find((n) => n.startsWith('attributes.json.invalid-'));
    expect(await readFile(join(paths.driveDir('sim0'), aside ?? ''), 'utf8')).toBe(attributes);
  });
});

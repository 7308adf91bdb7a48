import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { apiPaths, DriveStatusSchema, readContractValue } from '../../src/contract/index.js';
import { simInsert, simRemoveDisc } from '../../src/drive/index.js';
import { history, startTestCore, testConfig, waitForState } from '../helpers/core.js';
import { makeDataIso } from '../helpers/images.js';
import { useSimCore } from '../helpers/sim-core.js';
import { waitFor } from '../helpers/wait.js';

/**
 * The duplicate policy and checksum choice as run-time settings of a drive (Home Assistant's
 * select entities send them through the control API): the next copy uses them, status.json says
 * them, they survive a restart, and a changed option overrides them.
 */
describe('run-time settings of a drive: duplicate policy and checksum', () => {
  const fx = useSimCore();
  const status = async (config: ReturnType<typeof testConfig>) => readContractValue(apiPaths(config.api_dir).status('sim0'), DriveStatusSchema);

  it('the next copy uses them, status.json shows them, a restart keeps them, a changed option wins', async () => {
    const config = testConfig(fx.dir, [fx.sim], { checksum: 'sha256', duplicate_policy: 'suffix', eject_after_copy: true });
    fx.core = await startTestCore(config);
    await waitForState(config, 'sim0', 'waiting_for_media');
    expect(await status(config)).toMatchObject({ duplicate_policy: 'suffix', checksum: 'sha256' });

    expect(await fx.core.control.execute('sim0', { action: 'set_checksum', checksum: 'none' })).toMatchObject({ ok: true, code: 'cmd_checksum_set', params: { checksum: 'none' } });
    expect(await fx.core.control.execute('sim0', { action: 'set_duplicate_policy', policy: 'skip' })).toMatchObject({ ok: true, code: 'cmd_duplicate_policy_set' });
    await waitFor(async () => (await status(config))?.checksum === 'none', { message: 'status shows the setting' });
    expect(await status(config)).toMatchObject({ duplicate_policy: 'skip', checksum: 'none' });

    // The copy writes no checksum; the same disc again is skipped as a duplicate.
    const image = await makeDataIso(fx.dir, { label: 'SETTINGS', bytes: 1024 * 1024, seed: 3 });
    await simInsert(fx.sim, image);
    await waitFor(async () => (await history(config))?.entries.length === 1, { message: 'first copy' });
    expect((await history(config))?.entries[0]).toMatchObject({ result: 'success', checksums: {} });
    expect((await readdir(join(config.output_dir, 'data'))).filter((f) => f.endsWith('.sha256'))).toEqual([]);
    await waitForState(config, 'sim0', 'waiting_for_media');
    await simInsert(fx.sim, image);
    await waitFor(async () => (await history(config))?.entries.length === 2, { message: 'second insert' });
    expect((await history(config))?.entries[0]?.result).toBe('skipped_duplicate');
    await simRemoveDisc(fx.sim);

    // A restart keeps the settings (runtime-switches.json)…
    await fx.core.stop();
    let restartedAt = Date.now();
    fx.core = await startTestCore(config);
    await waitFor(async () => Date.parse((await status(config))?.since ?? '') >= restartedAt, { message: 'status of the new start' });
    expect(await status(config)).toMatchObject({ duplicate_policy: 'skip', checksum: 'none' });
    await fx.core.stop();
    // …until the option itself is changed in the add-on's configuration.
    const changed = testConfig(fx.dir, [fx.sim], { checksum: 'md5', duplicate_policy: 'overwrite' });
    restartedAt = Date.now();
    fx.core = await startTestCore(changed);
    await waitFor(async () => Date.parse((await status(changed))?.since ?? '') >= restartedAt, { message: 'status of the new start' });
    expect(await status(changed)).toMatchObject({ duplicate_policy: 'overwrite', checksum: 'md5' });
  });

  it('refuses a value that is not an option (the schema), changing nothing', async () => {
    const { ControlCommandSchema } = await import('../../src/contract/index.js');
    expect(ControlCommandSchema.safeParse({ action: 'set_checksum', checksum: 'crc32' }).success).toBe(false);
    expect(ControlCommandSchema.safeParse({ action: 'set_duplicate_policy', policy: 'skip', extra: 1 }).success).toBe(false);
    expect(ControlCommandSchema.safeParse({ action: 'set_duplicate_policy', policy: 'overwrite' }).success).toBe(true);
  });
});

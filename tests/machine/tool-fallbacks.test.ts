import { join } from 'node:path';
import { beforeAll, afterAll, describe, expect, it } from 'vitest';
import { AttributesSchema, apiPaths, readContractValue, SystemSchema } from '../../src/contract/index.js';
import { inventoryOf, TOOL_NAMES, type ToolInventory, type ToolName } from '../../src/copy/index.js';
import { simInsert, simRemoveDisc } from '../../src/drive/index.js';
import { events, history, sameBytes, startTestCore, testConfig, waitForState } from '../helpers/core.js';
import { makeDvdVideo, scrambledCopy } from '../helpers/dvd-video.js';
import { useSimCore } from '../helpers/sim-core.js';
import { makeTempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait.js';

const without = (...missing: ToolName[]): ToolName[] => TOOL_NAMES.filter((t) => !missing.includes(t));

describe('copy methods fall back when a tool is missing (real core, simulated drive, real DVD-Video)', () => {
  let images: { dir: string; cleanup: () => Promise<void> };
  let clear: string;
  let scrambled: string;

  beforeAll(async () => {
    images = await makeTempDir();
    clear = (await makeDvdVideo(images.dir, 'MOVIE')).iso;
    scrambled = await scrambledCopy(clear, join(images.dir, 'scrambled.iso'));
  });
  afterAll(async () => {
    await images.cleanup();
  });
  const t = useSimCore();

  async function copyWith(image: string, tools: ToolInventory) {
    // The disc stays in the drive, so the job's final attributes stay too.
    const config = testConfig(t.dir, [t.sim], { dvd_video_mode: 'decrypt', eject_after_copy: false });
    t.core = await startTestCore(config, {}, { tools });
    await waitForState(config, 'sim0', 'waiting_for_media');
    await simInsert(t.sim, image);
    await waitFor(async () => (await history(config))?.entries.length === 1, { message: 'DVD-Video job recorded', timeoutMs: 60_000 });
    await waitForState(config, 'sim0', 'waiting_for_removal');
    const completed = (await events(config)).find((e) => e.type === 'copy_completed' || e.type === 'copy_failed');
    const entry = (await history(config))?.entries[0];
    const attributes = await readContractValue(apiPaths(config.api_dir).attributes('sim0'), AttributesSchema);
    return { config, entry, attributes, completed, target: join(config.output_dir, 'dvd', 'MOVIE.iso') };
  }

  it('dvdbackup missing: the job succeeds as an exact raw copy and carries the warning', async () => {
    const { entry, attributes, completed, target, config } = await copyWith(clear, inventoryOf(without('dvdbackup'), '1.4.3'));
    const warning = "dvdbackup is not installed (package 'dvdbackup'): DVD-Video copied raw";
    expect(entry).toMatchObject({ result: 'success', disc_type: 'dvd-video', method: 'raw (dvdbackup not installed)', warnings: [warning] });
    expect(await sameBytes(clear, target)).toBe(true);
    expect(attributes?.warnings).toEqual([warning]);
    expect(completed).toMatchObject({ type: 'copy_completed', data: { warnings: [warning] } });
    const system = await readContractValue(apiPaths(config.api_dir).system, SystemSchema);
    expect(system?.tools.dvdbackup).toBeNull();
    expect(system?.tools.libdvdcss).toBe('1.4.3');
    expect(system?.methods?.['dvd-video (unencrypted)']).toBe(`raw (dvdbackup not installed); ${warning}`);
  });

  it('libdvdcss missing and the disc unencrypted: dvdbackup backs it up, no warning', async () => {
    const { entry, attributes, target } = await copyWith(clear, inventoryOf(TOOL_NAMES, null));
    expect(entry).toMatchObject({ result: 'success', method: 'dvdbackup', warnings: [], image_path: target });
    expect(attributes?.method).toBe('dvdbackup');
    // A new image built from the mirror, not the source bytes.
    expect(await sameBytes(clear, target)).toBe(false);
  });

  it('libdvdcss missing and the disc CSS-scrambled: raw copy with the libdvdcss warning', async () => {
    const { entry, target } = await copyWith(scrambled, inventoryOf(TOOL_NAMES, null));
    expect(entry).toMatchObject({
      result: 'success',
      method: 'raw (libdvdcss not available)',
      warnings: ['libdvdcss not available: encrypted DVD-Video copied raw'],
    });
    expect(await sameBytes(scrambled, target)).toBe(true);
  });

  it('the state machine settles normally after a fallback', async () => {
    const { config } = await copyWith(clear, inventoryOf(without('genisoimage'), null));
    await simRemoveDisc(t.sim);
    await waitForState(config, 'sim0', 'waiting_for_media');
    expect((await history(config))?.entries[0]).toMatchObject({ result: 'success', method: 'raw (genisoimage not installed)' });
  });
});

import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inventoryOf } from '../../src/copy/index.js';
import type { RunningCore } from '../../src/core/run.js';
import { SimulatedDrive, simInsert, type DiscKind, type Toc } from '../../src/drive/index.js';
import { events, history, startTestCore, testConfig, waitForState } from '../helpers/core.js';
import { makeDataIso } from '../helpers/images.js';
import { useSimCore } from '../helpers/sim-core.js';
import { waitFor } from '../helpers/wait.js';

const AUDIO_TOC: Toc = { firstTrack: 1, lastTrack: 2, leadOut: 30_000, tracks: [{ number: 1, start: 0, type: 'audio' }, { number: 2, start: 15_000, type: 'audio' }] };

/** A simulated drive that holds an audio CD and has a device path, so the core looks the album up. */
class AudioDrive extends SimulatedDrive {
  override readonly path = '/dev/sim-audio';
  override discKind(): Promise<DiscKind> {
    return Promise.resolve('audio');
  }
  override toc(): Promise<Toc | null> {
    return Promise.resolve(AUDIO_TOC);
  }
}

/** A MusicBrainz stand-in that answers 404 only when released: the album lookup lasts as long as the test wants. */
async function heldMusicBrainz(): Promise<{ url: string; asked: () => number; release(): void; close(): Promise<void> }> {
  const held: ServerResponse[] = [];
  let asked = 0;
  let released = false;
  const answer = (res: ServerResponse) => res.writeHead(404).end();
  const server: Server = createServer((_req, res) => {
    asked++;
    if (released) answer(res);
    else held.push(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/ws/2`,
    asked: () => asked,
    release() {
      released = true;
      held.splice(0).forEach(answer);
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('commands through the real core (simulated drive)', () => {
  const t = useSimCore(() => {
    delete process.env.DISK2ISO_MUSICBRAINZ_URL;
  });

  for (const command of [{ action: 'start' }, { action: 'set_auto_copy', enabled: true }] as const) {
    it(`${command.action} sent during the album lookup copies the disc once (issue 10, 2)`, async () => {
      const mb = await heldMusicBrainz();
      process.env.DISK2ISO_MUSICBRAINZ_URL = mb.url;
      try {
        const config = testConfig(t.dir, [t.sim], { auto_copy: command.action === 'start', eject_after_copy: false, metadata_lookup: true });
        t.core = await startTestCore(config, {}, { tools: inventoryOf([], null), drives: [new AudioDrive('sim0', t.sim)] });
        await waitForState(config, 'sim0', 'waiting_for_media');
        await simInsert(t.sim, await makeDataIso(t.dir, { label: 'CD', seed: 3 }));
        await waitFor(() => mb.asked() > 0, { message: 'the album lookup' });
        await t.core.control.execute('sim0', command);
        mb.release();
        await waitForState(config, 'sim0', 'waiting_for_removal');
        // Several removal polls: none of them may start the same disc again.
        await new Promise((resolve) => setTimeout(resolve, 500));
        expect((await events(config)).filter((e) => e.type === 'copy_started')).toHaveLength(1);
        expect((await history(config))?.entries).toHaveLength(1);
      } finally {
        mb.release();
        await mb.close();
      }
    });
  }

  it('the Auto-copy switch survives a restart: a disc left in the tray is not copied (issue 10, 4)', async () => {
    const config = testConfig(t.dir, [t.sim], { eject_after_copy: false });
    t.core = await startTestCore(config);
    await waitForState(config, 'sim0', 'waiting_for_media');
    expect(await t.core.control.execute('sim0', { action: 'set_auto_copy', enabled: false })).toMatchObject({ ok: true });
    await t.core.stop();
    t.core = null;
    await simInsert(t.sim, await makeDataIso(t.dir, { label: 'KEEP_OUT', seed: 4 }));
    t.core = await startTestCore(config);
    await waitForState(config, 'sim0', 'waiting_for_metadata');
    expect((await events(config)).filter((e) => e.type === 'copy_started')).toHaveLength(0);
    const status = JSON.parse(await readFile(join(config.api_dir, 'drives', 'sim0', 'status.json'), 'utf8')) as { auto_copy: boolean };
    expect(status.auto_copy).toBe(false);
  });

  it('a changed auto_copy option overrides the saved switch; an unreadable switches file is kept aside', async () => {
    const config = testConfig(t.dir, [t.sim]);
    t.core = await startTestCore(config);
    await waitForState(config, 'sim0', 'waiting_for_media');
    await t.core.control.execute('sim0', { action: 'set_auto_copy', enabled: true });
    await t.core.stop();
    t.core = await startTestCore(testConfig(t.dir, [t.sim], { auto_copy: false }));
    await waitFor(async () => (JSON.parse(await readFile(join(config.api_dir, 'drives', 'sim0', 'status.json'), 'utf8')) as { auto_copy: boolean }).auto_copy === false);
    await t.core.stop();
    const file = join(dirname(config.api_dir), 'runtime-switches.json');
    await writeFile(file, '{"schema_version": 1, "drives": {"sim0": {"auto_copy": "no"');
    t.core = await startTestCore(config);
    await waitForState(config, 'sim0', 'waiting_for_media');
    const aside = (await readdir(dirname(file))).filter((n) => n.startsWith('runtime-switches.json.bad-'));
    expect(aside).toHaveLength(1);
    expect(await readFile(join(dirname(file), aside[0]!), 'utf8')).toContain('"auto_copy": "no"');
  });

  it('each action once through the control API: accepted where the policy allows it, 409 with the reason elsewhere', async () => {
    const config = testConfig(t.dir, [t.sim], { auto_copy: false, eject_after_copy: false });
    t.core = await startTestCore(config);
    await waitForState(config, 'sim0', 'waiting_for_media');
    const run = (command: Parameters<RunningCore['control']['execute']>[1]) => t.core!.control.execute('sim0', command);
    expect(await run({ action: 'start' })).toEqual({
      ok: false,
      status: 409,
      error: 'start is not possible in state waiting_for_media',
      code: 'cmd_not_in_state',
      params: { action: 'start', state: 'waiting_for_media' },
    });
    expect(await run({ action: 'cancel' })).toMatchObject({ ok: false, status: 409, error: 'cancel is not possible in state waiting_for_media' });
    expect(await run({ action: 'close_tray' })).toMatchObject({ ok: true });
    await simInsert(t.sim, await makeDataIso(t.dir, { label: 'ONE', bytes: 8 * 1024 * 1024, seed: 5 }), { bytes_per_second: 1024 * 1024 });
    await waitForState(config, 'sim0', 'waiting_for_metadata');
    expect(await run({ action: 'cancel' })).toMatchObject({ ok: false, status: 409 });
    expect(await run({ action: 'start' })).toMatchObject({ ok: true });
    await waitFor(async () => (await readFile(join(config.api_dir, 'drives', 'sim0', 'status.json'), 'utf8')).includes('"job_id": "'), { message: 'job running' });
    expect(await run({ action: 'close_tray' })).toMatchObject({ ok: false, status: 409 });
    expect(await run({ action: 'start' })).toMatchObject({ ok: false, status: 409 });
    expect(await run({ action: 'set_auto_copy', enabled: true })).toMatchObject({ ok: true });
    expect(await run({ action: 'eject' })).toMatchObject({ ok: true, message: 'cancelling the running job, then ejecting' });
    await waitFor(async () => (await history(config))?.entries[0]?.result === 'cancelled', { message: 'cancelled by eject' });
    await waitForState(config, 'sim0', 'waiting_for_media');
    expect((await events(config)).filter((e) => e.type === 'copy_started')).toHaveLength(1);
  });
});

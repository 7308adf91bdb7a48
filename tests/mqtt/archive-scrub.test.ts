import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseOptions } from '../../src/config/index.js';
import { CONTROL_HEADER } from '../../src/contract/index.js';
import { writeImageMetadata } from '../../src/copy/index.js';
import { startCore, type RunningCore } from '../../src/core/run.js';
import { simReset } from '../../src/drive/index.js';
import { LogBuffer } from '../../src/log/index.js';
import { startBridge, type RunningBridge } from '../../src/mqtt/index.js';
import { FAST_INTERVALS } from '../helpers/core.js';
import { MOSQUITTO_AVAILABLE, requireMosquitto } from '../helpers/mosquitto.js';
import { freePort } from '../helpers/process.js';
import { makeTempDir } from '../helpers/tmp.js';
import { FAST_SETTINGS, memoryLogger, Recorder, useBroker, waitFor } from './support.js';

requireMosquitto();

/**
 * The scrub as Home Assistant sees it: the real core (with an image whose one byte flipped after
 * it was archived), the real bridge and a real Mosquitto. The hub device's "Corrupt images" and
 * "Last archive check" sensors read `<base>/archive`; each corrupt image is an `image_corrupt`
 * event on `<base>/archive/event`.
 */
describe.skipIf(!MOSQUITTO_AVAILABLE)('the scrub in Home Assistant', () => {
  const broker = useBroker();
  let temp: Awaited<ReturnType<typeof makeTempDir>>;
  let core: RunningCore;
  let bridge: RunningBridge;
  let recorder: Recorder;

  beforeAll(async () => {
    temp = await makeTempDir('disk2iso-mqtt-scrub-');
    const sim = join(temp.dir, 'sim0');
    await simReset(sim);
    const out = join(temp.dir, 'out');
    await mkdir(join(out, 'dvd'), { recursive: true });
    for (const name of ['WHOLE', 'ROTTEN']) {
      const image = join(out, 'dvd', `${name}.iso`);
      const data = randomBytes(128 * 1024);
      await writeFile(image, data);
      const sha256 = createHash('sha256').update(data).digest('hex');
      await writeFile(`${image}.sha256`, `${sha256}  ${name}.iso\n`);
      await writeImageMetadata(image, { fingerprint: null, label: `${name} disc`, disc_type: 'dvd-rom', created: new Date().toISOString(), bytes: data.length, checksums: { sha256 }, method: 'block-copy', result: 'success', bad_ranges: [] });
    }
    const config = parseOptions(
      { drives: [`sim:${sim}`], api_dir: join(temp.dir, 'api'), output_dir: out, web_port: await freePort(), mqtt_enabled: true, min_free_space_mb: 0, log_level: 'warning' },
      '(test)',
    );
    core = await startCore({ config, logger: pino({ level: 'silent' }), logs: new LogBuffer(), machineOverrides: { intervalsMs: FAST_INTERVALS } });
    recorder = await Recorder.connect(broker.url);
    bridge = await startBridge(config, memoryLogger().logger, { broker: { url: broker.url }, supervisor: null, configurationUrl: null, stateDir: join(temp.dir, 'mqtt'), ...FAST_SETTINGS });
    await waitFor(() => recorder.last('disk2iso/availability') === 'online', { message: 'bridge online' });
    // Bit rot: one byte of an archived image changes, its size and time do not.
    const rotten = join(out, 'dvd', 'ROTTEN.iso');
    const { atime, mtime } = await stat(rotten);
    const handle = await open(rotten, 'r+');
    await handle.write(Buffer.from([0x5a]), 0, 1, 4242);
    await handle.close();
    await utimes(rotten, atime, mtime);
  }, 120_000);

  afterAll(async () => {
    await bridge?.stop();
    await recorder?.close();
    await core?.stop();
    await temp?.cleanup();
  });

  it('publishes the corrupt count, the last check and one image_corrupt event on the hub device', async () => {
    const hub = await waitFor(() => recorder.json<{ components: Record<string, { state_topic?: string; event_types?: string[] }> }>('homeassistant/device/disk2iso/config'), { message: 'hub discovery' });
    expect(hub.components.corrupt_images?.state_topic).toBe('disk2iso/archive');
    expect(hub.components.archive_event).toMatchObject({ state_topic: 'disk2iso/archive/event', event_types: ['image_corrupt'] });
    const before = await waitFor(() => recorder.json<{ corrupt_images: number | null; last_scrub: string | null }>('disk2iso/archive'), { message: 'archive topic' });
    expect(before).toMatchObject({ corrupt_images: 0, last_scrub: null });

    const res = await fetch(`http://127.0.0.1:${core.web?.port ?? 0}/api/archive/scrub`, { method: 'POST', headers: { [CONTROL_HEADER]: '1', 'content-type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(202);
    await core.scrub.settled();

    const after = await waitFor(() => {
      const payload = recorder.json<{ corrupt_images: number | null; last_scrub: string | null; images: number | null }>('disk2iso/archive');
      return payload?.last_scrub ? payload : undefined;
    }, { message: 'archive topic after the scrub' });
    expect(after).toMatchObject({ corrupt_images: 1, images: 2 });
    expect(Date.parse(after.last_scrub ?? '')).not.toBeNaN();
    const event = await waitFor(() => recorder.json<Record<string, unknown>>('disk2iso/archive/event'), { message: 'image_corrupt event' });
    expect(event).toMatchObject({ event_type: 'image_corrupt', path: 'dvd/ROTTEN.iso', reason: 'mismatch', label: 'ROTTEN disc' });
    expect(recorder.payloads('disk2iso/archive/event')).toHaveLength(1);
  });
});

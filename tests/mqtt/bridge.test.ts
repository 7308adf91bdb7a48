import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import type { DriveState } from '../../src/contract/index.js';
import { DRIVE_ENTITIES, startBridge, type RunningBridge, type StartBridgeOptions } from '../../src/mqtt/index.js';
import { Cleanups } from '../helpers/cleanups.js';
import { MOSQUITTO_AVAILABLE, requireMosquitto } from '../helpers/mosquitto.js';
import { checkDevicePayload, checkDiscoveryTopic } from './ha-rules.js';
import { fakeContract, FAST_SETTINGS, memoryLogger, readRetained, recorderFor, testConfig, useBroker, waitFor } from './support.js';

requireMosquitto();

const DISCOVERY = (drive: string) => `homeassistant/device/disk2iso/${drive}/config`;

describe.skipIf(!MOSQUITTO_AVAILABLE)('MQTT bridge against a real Mosquitto', () => {
  const broker = useBroker();
  const cleanups = new Cleanups();

  afterEach(async () => {
    await cleanups.runAll();
    // Each test starts from an empty broker: clear what the last one retained.
    const retained = await readRetained(broker.url);
    const client = await connectAsync(broker.url);
    for (const topic of retained.keys()) await client.publishAsync(topic, '', { retain: true, qos: 1 });
    await client.endAsync();
  });

  async function setup(options: { drives?: string[]; config?: Record<string, unknown>; bridge?: StartBridgeOptions; start?: boolean } = {}) {
    const drives = options.drives ?? ['sr0'];
    const { dir, apiDir, core, control } = await fakeContract(drives, cleanups);
    const recorder = await recorderFor(cleanups, broker.url);
    const { logger, lines } = memoryLogger();
    const config = testConfig(apiDir, drives, options.config);
    const bridgeOptions: StartBridgeOptions = {
      broker: { url: broker.url },
      supervisor: null,
      configurationUrl: null,
      stateDir: join(dir, 'mqtt'),
      ...FAST_SETTINGS,
      ...options.bridge,
    };
    let running: RunningBridge | null = null;
    const start = async () => {
      running = await startBridge(config, logger, bridgeOptions);
      cleanups.defer(() => running!.stop());
      await waitFor(() => recorder.last('disk2iso/availability') === 'online', { message: 'bridge online' });
      await running.bridge?.settled();
      return running;
    };
    if (options.start !== false) await start();
    return { dir, apiDir, control, core, recorder, logger, lines, config, start, bridge: () => running!, bridgeOptions };
  }

  it('publishes HA device discovery that follows the documented rules, plus state and availability', async () => {
    const { recorder } = await setup({ drives: ['sr0', 'sr1'] });
    await waitFor(() => recorder.last(DISCOVERY('sr0')) && recorder.last(DISCOVERY('sr1')), { message: 'discovery of both drives' });
    const seen = new Set<string>();
    const retained = await readRetained(broker.url);
    for (const drive of ['sr0', 'sr1']) {
      const msg = recorder.on(DISCOVERY(drive)).at(-1)!;
      expect(retained.get(msg.topic)).toBe(msg.payload);
      expect(checkDiscoveryTopic(msg.topic)).toEqual([]);
      expect(checkDevicePayload(msg.topic, JSON.parse(msg.payload), seen)).toEqual([]);
      const payload = JSON.parse(msg.payload) as { device: { identifiers: string[] }; origin: { name: string }; components: Record<string, unknown> };
      expect(payload.device.identifiers).toEqual([`disk2iso_${drive}`]);
      expect(payload.origin.name).toBe('disk2iso');
      expect(Object.keys(payload.components)).toHaveLength(DRIVE_ENTITIES.length);
    }
    expect(seen.size).toBe(2 * DRIVE_ENTITIES.length);
    await waitFor(() => recorder.last('disk2iso/sr0/availability') === 'online', { message: 'drive online' });
    await waitFor(() => recorder.last('disk2iso/sr0/state') === 'waiting_for_media', { message: 'initial state from status.json' });
    expect(recorder.json('disk2iso/sr0/status')).toMatchObject({ state: 'waiting_for_media', auto_copy: true, vendor: 'TSSTcorp' });
    expect(recorder.json('disk2iso/system')).toMatchObject({ version: '0.1.0', free_gb: 123.46 });
    expect(recorder.json('disk2iso/sr0/last_job')).toMatchObject({ result: null, archived_total: 0 });
    const now = await readRetained(broker.url, 'disk2iso/#');
    expect(now.get('disk2iso/sr0/state')).toBe('waiting_for_media');
    expect(now.get('disk2iso/availability')).toBe('online');
  });

  it('publishes every transition and job event in order, even within a few milliseconds', async () => {
    const { recorder, core } = await setup();
    await waitFor(() => recorder.last('disk2iso/sr0/state') === 'waiting_for_media', { message: 'initial state' });
    recorder.clear();
    const path: DriveState[] = ['media_detected', 'analyzing', 'copying', 'completed', 'waiting_for_removal', 'waiting_for_media'];
    await core.event('sr0', 'disc_inserted', { label: 'A' });
    for (const [i, state] of path.entries()) {
      await core.transition('sr0', state);
      if (state === 'copying') await core.event('sr0', 'copy_started', { label: 'A' });
      if (state === 'completed') await core.event('sr0', 'copy_completed', { label: 'A', image: '/media/disk2iso/dvd/A.iso' });
      if (i === path.length - 2) await core.event('sr0', 'disc_removed', {});
    }
    await waitFor(() => recorder.payloads('disk2iso/sr0/event').length === 4, { message: 'four job events' });
    await waitFor(() => recorder.payloads('disk2iso/sr0/state').length >= path.length, { message: 'all states' });
    expect(recorder.payloads('disk2iso/sr0/state')).toEqual(path);
    const events = recorder.on('disk2iso/sr0/event').map((m) => ({ ...(JSON.parse(m.payload) as { event_type: string; seq: number }), retain: m.retain }));
    expect(events.map((e) => e.event_type)).toEqual(['disc_inserted', 'copy_started', 'copy_completed', 'disc_removed']);
    expect(events.every((e) => e.retain === false)).toBe(true);
    const seqs = events.map((e) => e.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(JSON.parse(recorder.payloads('disk2iso/sr0/event')[2]!)).toMatchObject({ event_type: 'copy_completed', image: '/media/disk2iso/dvd/A.iso', drive: 'sr0' });
    // State and events interleave in log order on the wire too.
    const wire = recorder.messages.filter((m) => m.topic === 'disk2iso/sr0/state' || m.topic === 'disk2iso/sr0/event').map((m) =>
      m.topic.endsWith('state') ? m.payload : (JSON.parse(m.payload) as { event_type: string }).event_type,
    );
    expect(wire.indexOf('copy_started')).toBe(wire.indexOf('copying') + 1);
    expect(wire.indexOf('copy_completed')).toBe(wire.indexOf('completed') + 1);
  });

  it('sends progress at most once per second per drive and always the last value', async () => {
    const { recorder, core } = await setup();
    await core.writeProgress('sr0', 0);
    await waitFor(() => recorder.json<{ percent: number }>('disk2iso/sr0/progress')?.percent === 0, { message: 'progress 0' });
    recorder.clear();
    const started = performance.now();
    for (let p = 1; p <= 60; p++) {
      await core.writeProgress('sr0', p * (100 / 60));
      await new Promise((r) => setTimeout(r, 15));
    }
    await waitFor(() => recorder.json<{ percent: number }>('disk2iso/sr0/progress')?.percent === 100, { message: 'final progress 100' });
    const elapsed = performance.now() - started;
    const messages = recorder.on('disk2iso/sr0/progress');
    expect(messages.length).toBeGreaterThanOrEqual(1);
    expect(messages.length).toBeLessThanOrEqual(Math.ceil(elapsed / 1000) + 1);
    expect(JSON.parse(messages.at(-1)!.payload)).toMatchObject({ percent: 100, speed_mb_s: 4.5, eta_s: 0, phase: 'reading' });
  });

  it('publishes the disc, the last job and the archived total from the contract files', async () => {
    const { recorder, core } = await setup();
    await core.writeAttributes('sr0');
    await waitFor(() => recorder.json<{ label: string }>('disk2iso/sr0/disc')?.label === 'MY_DISC', { message: 'disc label' });
    expect(recorder.json('disk2iso/sr0/disc')).toMatchObject({ type: 'dvd-rom', size_mb: 4200.5 });
    await core.addHistory('sr0', 'success');
    await core.addHistory('sr0', 'failed', 'BAD');
    await waitFor(() => recorder.json<{ result: string }>('disk2iso/sr0/last_job')?.result === 'failed', { message: 'last job' });
    expect(recorder.json('disk2iso/sr0/last_job')).toMatchObject({ label: 'BAD', archived_total: 1, error_message: 'read error' });
  });

  it('forwards button presses and the auto-copy switch to the control API; ignores malformed payloads', async () => {
    const { control, lines } = await setup();
    const client = await connectAsync(broker.url);
    cleanups.defer(() => client.endAsync());
    await client.publishAsync('disk2iso/sr0/command/eject', 'PRESS', { qos: 1 });
    await client.publishAsync('disk2iso/sr0/command/eject', 'EJECT NOW', { qos: 1 });
    await client.publishAsync('disk2iso/sr0/command/auto_copy', 'OFF', { qos: 1 });
    await client.publishAsync('disk2iso/sr0/command/self_destruct', 'PRESS', { qos: 1 });
    await client.publishAsync('disk2iso/sr9/command/eject', 'PRESS', { qos: 1 });
    await client.publishAsync('disk2iso/sr0/command/start', 'PRESS', { qos: 1 });
    await client.publishAsync('disk2iso/sr0/command/duplicate_policy', 'skip', { qos: 1 });
    await waitFor(() => control.commands.length === 4, { message: 'four valid commands' });
    expect(control.commands).toEqual([
      { drive: 'sr0', command: { action: 'eject' } },
      { drive: 'sr0', command: { action: 'set_auto_copy', enabled: false } },
      { drive: 'sr0', command: { action: 'start' } },
      { drive: 'sr0', command: { action: 'set_duplicate_policy', policy: 'skip' } },
    ]);
    expect(control.rejected).toEqual([]);
    const warnings = lines.filter((l) => l.level === 40).map((l) => l.msg);
    expect(warnings.filter((m) => m.startsWith('ignoring the message on'))).toHaveLength(3);
  });

  it('never acts on a retained PRESS left on the broker (and clears it)', async () => {
    const { control, start } = await setup({ start: false });
    const client = await connectAsync(broker.url);
    cleanups.defer(() => client.endAsync());
    await client.publishAsync('disk2iso/sr0/command/eject', 'PRESS', { qos: 1, retain: true });
    await start();
    // A live press after the session is up proves commands flow; the stale one must not have.
    await client.publishAsync('disk2iso/sr0/command/cancel', 'PRESS', { qos: 1 });
    await waitFor(() => control.commands.length >= 1, { message: 'the live command' });
    expect(control.commands).toEqual([{ drive: 'sr0', command: { action: 'cancel' } }]);
    const retained = await readRetained(broker.url, 'disk2iso/#');
    expect(retained.get('disk2iso/availability')).toBe('online');
    expect(retained.has('disk2iso/sr0/command/eject')).toBe(false);
  });

  it('re-publishes discovery and state after Home Assistant’s birth message', async () => {
    const { recorder, lines } = await setup();
    await waitFor(() => recorder.last('disk2iso/sr0/state'), { message: 'state' });
    recorder.clear();
    const client = await connectAsync(broker.url);
    cleanups.defer(() => client.endAsync());
    await client.publishAsync('homeassistant/status', 'online', { qos: 1 });
    await waitFor(() => recorder.last(DISCOVERY('sr0')) && recorder.last('disk2iso/sr0/state') && recorder.last('disk2iso/sr0/status'), {
      message: 'discovery and state again',
    });
    expect(recorder.last('disk2iso/availability')).toBe('online');
    expect(lines.some((l) => String(l.msg).startsWith('Home Assistant is online'))).toBe(true);
  });

  it('removes a drive dropped from the options and entities a device no longer has', async () => {
    const first = await setup({ drives: ['sr0', 'sr1'] });
    await waitFor(() => first.recorder.last(DISCOVERY('sr1')) && first.recorder.last('disk2iso/sr1/state'), { message: 'sr1 discovered' });
    await first.bridge().stop();
    // A config of ours with an extra component, as an older version could have left it.
    const held = JSON.parse(first.recorder.last(DISCOVERY('sr0'))!) as { components: Record<string, unknown> };
    held.components.old_thing = { platform: 'sensor', unique_id: 'disk2iso_sr0_old_thing', state_topic: 'disk2iso/sr0/old' };
    const client = await connectAsync(broker.url);
    cleanups.defer(() => client.endAsync());
    await client.publishAsync(DISCOVERY('sr0'), JSON.stringify(held), { qos: 1, retain: true });
    await client.publishAsync('disk2iso/sr0/old', '42', { qos: 1, retain: true });

    const recorder = first.recorder;
    recorder.clear();
    const { logger } = memoryLogger();
    const running = await startBridge(testConfig(first.apiDir, ['sr0']), logger, first.bridgeOptions);
    cleanups.defer(() => running.stop());
    await waitFor(() => recorder.last(DISCOVERY('sr1')) === '', { message: 'sr1 config cleared' });
    await waitFor(() => recorder.last('disk2iso/sr1/state') === '' && recorder.last('disk2iso/sr1/availability') === '', { message: 'sr1 state cleared' });
    await waitFor(() => recorder.last('disk2iso/sr0/old') === '', { message: 'stale topic cleared' });
    const sr0 = () => recorder.payloads(DISCOVERY('sr0')).map((p) => JSON.parse(p) as { components: Record<string, unknown> });
    // First the removal ({platform} stub), then the full config without the component.
    await waitFor(() => sr0().length >= 2 && !('old_thing' in sr0().at(-1)!.components), { message: 'config without old_thing' });
    expect(sr0()[0]!.components.old_thing).toEqual({ platform: 'sensor' });
  });

  it('marks a drive offline when the core’s heartbeat goes stale, and online when it beats again', async () => {
    const { recorder, core, start } = await setup({ start: false });
    core.heartbeatIntervalS = 0.3;
    await core.writeStatus('sr0');
    await start();
    await waitFor(() => recorder.last('disk2iso/sr0/availability') === 'offline', { message: 'stale heartbeat → offline' });
    // The core beats again, with its normal interval (so a slow machine cannot make it stale at once).
    core.heartbeatIntervalS = 30;
    await core.writeStatus('sr0');
    await waitFor(() => recorder.last('disk2iso/sr0/availability') === 'online', { message: 'fresh heartbeat → online' });
    // The bridge itself stays online: only that drive's entities become unavailable.
    expect(recorder.last('disk2iso/availability')).toBe('online');
  });

  it('publishes offline on a clean stop', async () => {
    const { recorder, bridge } = await setup();
    await bridge().stop();
    await waitFor(() => recorder.last('disk2iso/availability') === 'offline', { message: 'offline after stop' });
    expect((await readRetained(broker.url, 'disk2iso/availability')).get('disk2iso/availability')).toBe('offline');
  });

  it('speaks MQTT 5 as well', async () => {
    const { recorder, control } = await setup({ bridge: { broker: { url: broker.url, protocolVersion: 5 } } });
    await waitFor(() => recorder.last(DISCOVERY('sr0')), { message: 'discovery over MQTT 5' });
    const client = await connectAsync(broker.url, { protocolVersion: 5 });
    cleanups.defer(() => client.endAsync());
    await client.publishAsync('disk2iso/sr0/command/eject', 'PRESS', { qos: 1 });
    await waitFor(() => control.commands.length === 1, { message: 'command over MQTT 5' });
  });

  it('mirrors the original tool’s legacy topics when enabled, and clears them when disabled again', async () => {
    const { recorder, core, apiDir, bridge, bridgeOptions } = await setup({ config: { mqtt_legacy_topics: true } });
    await core.writeAttributes('sr0');
    await core.writeProgress('sr0', 37.8);
    await core.transition('sr0', 'copying');
    const legacy = 'homeassistant/sensor/disk2iso';
    await waitFor(() => recorder.last(`${legacy}/state`) === 'copying', { message: 'legacy state' });
    await waitFor(() => recorder.last(`${legacy}/progress`) === '37', { message: 'legacy progress' });
    await waitFor(
      () => {
        const a = recorder.json<{ disc_label: string; progress_percent: number }>(`${legacy}/attributes`);
        return a?.disc_label === 'MY_DISC' && a.progress_percent === 37;
      },
      { message: 'legacy attributes' },
    );
    expect(recorder.json(`${legacy}/attributes`)).toMatchObject({ disc_type: 'dvd-rom', disc_size_mb: 4200.5, progress_percent: 37, filename: 'MY_DISC.iso' });
    expect(recorder.last(`${legacy}/availability`)).toBe('online');
    await bridge().stop();
    await waitFor(() => recorder.last(`${legacy}/availability`) === 'offline', { message: 'legacy availability offline' });
    const { logger } = memoryLogger();
    const running = await startBridge(testConfig(apiDir, ['sr0']), logger, bridgeOptions);
    cleanups.defer(() => running.stop());
    await waitFor(() => recorder.last(`${legacy}/state`) === '' && recorder.last(`${legacy}/attributes`) === '', { message: 'legacy topics cleared' });
  });

});

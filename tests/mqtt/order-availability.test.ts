import { connectAsync } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { readEventsAfter, type DriveState } from '../../src/contract/index.js';
import type { RunningBridge, StartBridgeOptions } from '../../src/mqtt/index.js';
import { cleanupsAfterEach } from '../helpers/cleanups.js';
import { MOSQUITTO_AVAILABLE, requireMosquitto } from '../helpers/mosquitto.js';
import { checkDevicePayload, checkDiscoveryTopic } from './ha-rules.js';
import { gatedRig, recorderBack, waitFor, type FakeCore, type Recorded, type Recorder } from './support.js';

requireMosquitto();

const STATE = 'disk2iso/sr0/state';
const STATUS = 'disk2iso/sr0/status';
const DISCOVERY = 'homeassistant/device/disk2iso/sr0/config';
const HUB = 'homeassistant/device/disk2iso/config';

/**
 * What a Home Assistant user notices, seen by a recording subscriber on a real Mosquitto: every
 * transition once and in events.jsonl order with the snapshot last (first start, broker restart,
 * bridge restart), one discovery per start, the drive's final progress, and availability that
 * follows the core (a crash within 10 s, a clean stop at once).
 */
describe.skipIf(!MOSQUITTO_AVAILABLE)('MQTT: order, discovery and availability as HA sees them', () => {
  const cleanups = cleanupsAfterEach();

  /** A broker behind a TCP gate, a fake core and a recorder; neither the core nor the bridge is started. */
  async function setup(bridgeOverrides: StartBridgeOptions = {}) {
    const rig = await gatedRig(cleanups, bridgeOverrides);
    const startOne = async (): Promise<RunningBridge> => {
      const running = await rig.startOne();
      await waitFor(() => running.bridge?.connected, { message: 'bridge connected' });
      await running.bridge!.settled();
      return running;
    };
    return { ...rig, startOne };
  }

  /** The `to` states of sr0's transitions in events.jsonl after `afterSeq`, in log order. */
  async function loggedStates(core: FakeCore, afterSeq: number): Promise<string[]> {
    const events = await readEventsAfter(core.paths, afterSeq);
    return events.filter((e) => e.type === 'state_changed' && e.drive === 'sr0').map((e) => String(e.data.to));
  }

  /** One disc through the machine, as the core writes it: transitions and job events. */
  async function oneDisc(core: FakeCore, label: string): Promise<void> {
    const path: DriveState[] = ['media_detected', 'analyzing', 'copying', 'completed', 'waiting_for_removal', 'idle', 'waiting_for_media'];
    await core.event('sr0', 'disc_inserted', { label });
    for (const state of path) {
      await core.transition('sr0', state);
      if (state === 'copying') await core.event('sr0', 'copy_started', { label, job_id: `job-${label}` });
      if (state === 'completed') await core.event('sr0', 'copy_completed', { label, job_id: `job-${label}` });
      if (state === 'idle') await core.event('sr0', 'disc_removed', { label });
    }
  }

  /** The index of a message in the recording (for "this came before that"). */
  const indexOf = (recorder: Recorder, m: Recorded | undefined) => (m ? recorder.messages.indexOf(m) : -1);

  it('first start: the transitions of the start-up in log order, then the snapshot; devices before states', async () => {
    const { core, recorder, startOne } = await setup();
    // The core starts before the bridge: initializing (from no state), drive found, waiting.
    await core.start('initializing');
    await core.events.append('sr0', 'state_changed', { from: null, to: 'initializing', message: '' });
    await core.transition('sr0', 'drive_detected');
    await core.transition('sr0', 'waiting_for_media');
    await startOne();
    await waitFor(() => recorder.last(STATUS), { message: 'status snapshot' });
    const expected = await loggedStates(core, 0);
    expect(expected).toEqual(['initializing', 'drive_detected', 'waiting_for_media']);
    expect(recorder.payloads(STATE)).toEqual(expected);
    const lastState = recorder.on(STATE).at(-1);
    const snapshot = recorder.on(STATUS).at(-1);
    expect(indexOf(recorder, snapshot)).toBeGreaterThan(indexOf(recorder, lastState));
    expect(JSON.parse(snapshot!.payload)).toMatchObject({ state: 'waiting_for_media' });
    // Discovery (hub, drive) came before the first state: HA had the entities when the transitions arrived.
    expect(indexOf(recorder, recorder.on(DISCOVERY)[0])).toBeLessThan(indexOf(recorder, recorder.on(STATE)[0]));
    expect(indexOf(recorder, recorder.on(HUB)[0])).toBeLessThan(indexOf(recorder, recorder.on(STATE)[0]));
    expect(recorder.on(DISCOVERY)).toHaveLength(1);
    expect(recorder.on(HUB)).toHaveLength(1);
  });

  it('broker restarts: what the broker missed arrives in log order, then the snapshot; the state never goes back', async () => {
    const { broker, gate, core, recorder, startOne } = await setup();
    await core.start();
    const running = await startOne();
    await oneDisc(core, 'BEFORE');
    await waitFor(() => recorder.last(STATE) === 'waiting_for_media' && recorder.payloads(STATE).includes('completed'), { message: 'first disc' });
    await running.bridge!.settled();
    for (const how of ['kill', 'stop'] as const) {
      await gate.close();
      await (how === 'kill' ? broker.kill() : broker.stop());
      const seqBefore = core.events.lastSeq;
      await oneDisc(core, `DURING_${how}`);
      await core.transition('sr0', 'media_detected');
      await core.transition('sr0', 'analyzing');
      await broker.start();
      await recorderBack(broker, recorder);
      recorder.clear();
      await gate.open();
      const expected = await loggedStates(core, seqBefore);
      await waitFor(() => recorder.payloads(STATE).length >= expected.length && recorder.last(STATUS), {
        message: () => `replayed states, got ${recorder.payloads(STATE).join(',')}`,
      });
      await running.bridge!.settled();
      // Exactly the missed transitions, once each, in log order; the last one is the present.
      expect(recorder.payloads(STATE)).toEqual(expected);
      expect(expected.at(-1)).toBe('analyzing');
      const snapshot = recorder.on(STATUS).at(-1)!;
      expect(indexOf(recorder, snapshot)).toBeGreaterThan(indexOf(recorder, recorder.on(STATE).at(-1)));
      expect(JSON.parse(snapshot.payload)).toMatchObject({ state: 'analyzing' });
      // The broker lost its retained messages (no persistence): the devices once each, before the states.
      expect(recorder.on(DISCOVERY)).toHaveLength(1);
      expect(recorder.on(HUB)).toHaveLength(1);
      expect(indexOf(recorder, recorder.on(DISCOVERY)[0])).toBeLessThan(indexOf(recorder, recorder.on(STATE)[0]));
      const events = recorder.payloads('disk2iso/sr0/event').map((p) => (JSON.parse(p) as { event_type: string }).event_type);
      expect(events).toEqual(['disc_inserted', 'copy_started', 'copy_completed', 'disc_removed']);
      await core.transition('sr0', 'copying');
      await core.transition('sr0', 'completed');
      await core.transition('sr0', 'waiting_for_removal');
      await core.transition('sr0', 'idle');
      await core.transition('sr0', 'waiting_for_media');
      await waitFor(() => recorder.last(STATE) === 'waiting_for_media', { message: 'live again' });
      await running.bridge!.settled();
    }
  });

  it('bridge restarts: no discovery again for an unchanged device, the missed transitions, then the present', async () => {
    const { core, recorder, startOne } = await setup();
    await core.start();
    const first = await startOne();
    await waitFor(() => recorder.last(STATE) === 'waiting_for_media', { message: 'initial state' });
    await first.stop();
    const seqBefore = core.events.lastSeq;
    await oneDisc(core, 'WHILE_AWAY');
    recorder.clear();
    await startOne();
    await waitFor(() => recorder.last(STATE) === 'waiting_for_media' && recorder.payloads(STATE).length > 1, { message: 'replay' });
    expect(recorder.payloads(STATE)).toEqual(await loggedStates(core, seqBefore));
    // The broker still held the same discovery: nothing to churn in HA's device registry.
    expect(recorder.on(DISCOVERY)).toHaveLength(0);
    expect(recorder.on(HUB)).toHaveLength(0);
  });

  it('discovery waits for the drive identity while the core starts, then is published once, with the model name', async () => {
    const { core, recorder, startOne } = await setup();
    // A fresh install: the core writes `initializing` with no identity yet.
    core.states.set('sr0', 'initializing');
    await core.start('initializing');
    const { writeJsonAtomic } = await import('../../src/contract/index.js');
    const unknown = { ...core.status('sr0'), drive: { path: '/dev/sr0', vendor: null, model: null, present: false, simulated: false } };
    await writeJsonAtomic(core.paths.status('sr0'), unknown);
    await startOne();
    await waitFor(() => recorder.last(HUB), { message: 'hub discovery' });
    expect(recorder.on(DISCOVERY)).toHaveLength(0);
    await core.transition('sr0', 'drive_detected');
    await core.transition('sr0', 'waiting_for_media');
    await waitFor(() => recorder.last(DISCOVERY), { message: 'drive discovery' });
    await waitFor(() => recorder.last(STATE) === 'waiting_for_media', { message: 'waiting' });
    const sent = recorder.on(DISCOVERY);
    expect(sent).toHaveLength(1);
    const payload = JSON.parse(sent[0]!.payload) as { device: Record<string, unknown> };
    expect(payload.device).toMatchObject({ manufacturer: 'TSSTcorp', model: 'DVD-RW SH-224', via_device: 'disk2iso' });
    expect(JSON.stringify(payload.device)).not.toContain('/dev/');
    // Both payloads pass HA's rules, unique ids unique across the hub and the drive.
    const seen = new Set<string>();
    for (const topic of [HUB, DISCOVERY]) {
      expect(checkDiscoveryTopic(topic)).toEqual([]);
      expect(checkDevicePayload(topic, JSON.parse(recorder.last(topic)!), seen)).toEqual([]);
    }
    expect(JSON.parse(recorder.last(HUB)!)).toMatchObject({ device: { identifiers: ['disk2iso'], name: 'disk2iso' } });
  });

  it('a job’s final progress is published even when the reset follows within the rate window', async () => {
    const { core, recorder, startOne } = await setup();
    await core.start();
    await startOne();
    await core.writeProgress('sr0', 0);
    await waitFor(() => recorder.json<{ job_id: string | null }>('disk2iso/sr0/progress')?.job_id === 'job-1', { message: 'progress of the job' });
    recorder.clear();
    for (let p = 10; p <= 90; p += 20) {
      await core.writeProgress('sr0', p);
      await new Promise((r) => setTimeout(r, 20));
    }
    // The end of a short copy: 100 %, the job event, and the reset 30 ms later (disc removed).
    await core.writeProgress('sr0', 100);
    await core.event('sr0', 'copy_completed', { job_id: 'job-1', label: 'A' });
    await new Promise((r) => setTimeout(r, 30));
    await core.resetProgress('sr0');
    await waitFor(() => recorder.json<{ job_id: string | null }>('disk2iso/sr0/progress')?.job_id === null, { message: 'the reset' });
    const values = recorder.payloads('disk2iso/sr0/progress').map((p) => JSON.parse(p) as { percent: number; job_id: string | null });
    const lastOfJob = values.filter((v) => v.job_id === 'job-1').at(-1);
    expect(lastOfJob?.percent).toBe(100);
    expect(values.findIndex((v) => v.job_id === null)).toBeGreaterThan(values.findIndex((v) => v.percent === 100));
  });

  it('the core dies (its lock goes stale): drive and hub unavailable within 10 s, commands refused with one clear line, back when it returns', async () => {
    const { broker, core, recorder, startOne, log, control } = await setup();
    await core.start();
    await startOne();
    await waitFor(() => recorder.last('disk2iso/sr0/availability') === 'online' && recorder.last('disk2iso/core_availability') === 'online', {
      message: 'online',
    });
    const diedAt = performance.now();
    core.die();
    await waitFor(() => recorder.last('disk2iso/sr0/availability') === 'offline' && recorder.last('disk2iso/core_availability') === 'offline', {
      message: 'offline after the core died',
      timeout: 20_000,
    });
    const offlineAt = Math.max(...['disk2iso/sr0/availability', 'disk2iso/core_availability'].map((t) => recorder.on(t).at(-1)!.at));
    // A correctness bound (SPEC: the truth within seconds), read from the recorded timestamps.
    expect(offlineAt - diedAt).toBeLessThanOrEqual(10_000);
    // The status.json heartbeat (30 s interval) is still fresh: the lock alone told.
    expect(Date.now() - Date.parse(core.status('sr0').heartbeat)).toBeLessThan(90_000);

    const client = await connectAsync(broker.url);
    cleanups.defer(() => client.endAsync());
    await client.publishAsync('disk2iso/sr0/command/eject', 'PRESS', { qos: 1 });
    await waitFor(() => log.lines.some((l) => /command eject for drive 'sr0' refused: the core is not responding/.test(l.msg)), { message: 'refusal logged' });
    expect(control.commands).toHaveLength(0);
    expect(log.lines.filter((l) => l.level >= 50)).toEqual([]);

    await core.takeLock();
    await waitFor(() => recorder.last('disk2iso/sr0/availability') === 'online' && recorder.last('disk2iso/core_availability') === 'online', { message: 'online again' });
  });

  it('a clean stop of the core says so: unavailable at once, the log names the stop', async () => {
    const { core, recorder, startOne, log } = await setup();
    await core.start();
    await startOne();
    await waitFor(() => recorder.last('disk2iso/core_availability') === 'online', { message: 'online' });
    const stoppedAt = performance.now();
    await core.stopCleanly();
    await waitFor(() => recorder.last('disk2iso/sr0/availability') === 'offline' && recorder.last('disk2iso/core_availability') === 'offline', { message: 'offline' });
    expect(recorder.on('disk2iso/core_availability').at(-1)!.at - stoppedAt).toBeLessThanOrEqual(10_000);
    expect(log.lines.some((l) => /the core stopped at/.test(l.msg))).toBe(true);
  });
});

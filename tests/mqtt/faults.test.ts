import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DriveState } from '../../src/contract/index.js';
import type { StartBridgeOptions } from '../../src/mqtt/index.js';
import { cleanupsAfterEach } from '../helpers/cleanups.js';
import { MOSQUITTO_AVAILABLE, requireMosquitto } from '../helpers/mosquitto.js';
import { appendBackdated, FakeCore, gatedRig, readRetained, Recorder, recorderBack, waitFor } from './support.js';

requireMosquitto();

interface EventMsg {
  event_type: string;
  seq: number;
}

/**
 * Fault tests: the broker crashes, stops, restarts, is slow; the bridge restarts. The bridge
 * reaches the broker through a TCP gate so a test can keep it out until the recording
 * subscriber is back (otherwise the subscriber could miss what the bridge sends first).
 */
describe.skipIf(!MOSQUITTO_AVAILABLE)('MQTT bridge faults', () => {
  const cleanups = cleanupsAfterEach();

  async function setup(bridgeOverrides: StartBridgeOptions = {}) {
    const rig = await gatedRig(cleanups, bridgeOverrides);
    await rig.core.start();
    await rig.startOne();
    await waitFor(() => rig.recorder.last('disk2iso/availability') === 'online', { message: 'bridge online' });
    await waitFor(() => rig.recorder.last('disk2iso/sr0/state') === 'waiting_for_media', { message: 'initial state' });
    return rig;
  }

  const events = (recorder: Recorder) => recorder.payloads('disk2iso/sr0/event').map((p) => JSON.parse(p) as EventMsg);

  /** Drives one disc through the machine: 6 transitions and 4 job events. */
  async function oneDisc(core: FakeCore, label: string): Promise<DriveState[]> {
    const states: DriveState[] = ['media_detected', 'analyzing', 'copying', 'completed', 'waiting_for_removal', 'waiting_for_media'];
    await core.event('sr0', 'disc_inserted', { label });
    for (const state of states) {
      await core.transition('sr0', state);
      if (state === 'copying') await core.event('sr0', 'copy_started', { label });
      if (state === 'completed') await core.event('sr0', 'copy_completed', { label });
      if (state === 'waiting_for_removal') await core.event('sr0', 'disc_removed', { label });
    }
    return states;
  }

  for (const how of ['killed (SIGKILL)', 'stopped (SIGTERM)'] as const) {
    it(`broker ${how} while discs are processed: reconnects, and what happened meanwhile arrives in order`, async () => {
      const { broker, gate, core, recorder, log, bridges } = await setup();
      await oneDisc(core, 'BEFORE');
      await waitFor(() => events(recorder).length === 4, { message: 'events before the outage' });
      // Cut only once the broker acknowledged them: a PUBACK lost in the cut would (rightly,
      // QoS 1) make the bridge send them again, and this test counts exact deliveries.
      await bridges[0]!.bridge!.settled();

      await gate.close();
      if (how === 'killed (SIGKILL)') await broker.kill();
      else await broker.stop();
      const during = await oneDisc(core, 'DURING');
      await core.writeProgress('sr0', 55);
      await broker.start();
      await recorderBack(broker, recorder);
      await gate.open();

      await waitFor(() => events(recorder).length === 8, { message: () => `8 events, got ${JSON.stringify(events(recorder).map((e) => [e.seq, e.event_type]))}` });
      const all = events(recorder);
      expect(all.map((e) => e.seq)).toEqual([...all.map((e) => e.seq)].sort((a, b) => a - b));
      expect(new Set(all.map((e) => e.seq)).size).toBe(8);
      expect(all.slice(4).map((e) => e.event_type)).toEqual(['disc_inserted', 'copy_started', 'copy_completed', 'disc_removed']);
      // The last transition comes after the last event: wait for it rather than race it.
      await waitFor(() => recorder.payloads('disk2iso/sr0/state').slice(-during.length).join() === during.join(), {
        message: () => `states ${recorder.payloads('disk2iso/sr0/state').join(',')}`,
      });
      // The broker lost its retained messages: the bridge restored discovery and the current state.
      await waitFor(async () => (await readRetained(broker.url)).get('disk2iso/sr0/progress')?.includes('"percent":55'), { message: 'retained progress' });
      const retained = await readRetained(broker.url);
      expect(retained.get('disk2iso/sr0/state')).toBe('waiting_for_media');
      expect(retained.get('disk2iso/availability')).toBe('online');
      expect(retained.has('homeassistant/device/disk2iso/sr0/config')).toBe(true);
      expect(log.lines.some((l) => l.msg === 'connected to the MQTT broker again')).toBe(true);
    });
  }

  it('a slow broker delays messages but loses or reorders nothing', async () => {
    const { gate, core, recorder } = await setup();
    gate.latencyMs = 150;
    for (let i = 0; i < 5; i++) await oneDisc(core, `SLOW${i}`);
    await waitFor(() => events(recorder).length === 20, { message: () => `20 events, got ${events(recorder).length}`, timeout: 30_000 });
    const seqs = events(recorder).map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const expected = Array.from({ length: 5 }, () => ['media_detected', 'analyzing', 'copying', 'completed', 'waiting_for_removal', 'waiting_for_media']).flat();
    await waitFor(() => recorder.payloads('disk2iso/sr0/state').slice(-30).join() === expected.join(), {
      message: () => `states ${recorder.payloads('disk2iso/sr0/state').join(',')}`,
    });
  });

  it('a dropped connection makes the broker send the Last Will; the bridge comes back online', async () => {
    const { gate, recorder } = await setup();
    recorder.clear();
    gate.cut();
    await waitFor(() => recorder.payloads('disk2iso/availability').includes('offline'), { message: 'last will offline' });
    await waitFor(() => recorder.last('disk2iso/availability') === 'online', { message: 'online again' });
    expect(recorder.payloads('disk2iso/availability')).toEqual(['offline', 'online']);
  });

  it('a restarted bridge resumes after the saved seq: no event lost, none sent twice', async () => {
    const { core, recorder, bridges, startOne } = await setup();
    await oneDisc(core, 'FIRST');
    await waitFor(() => events(recorder).length === 4, { message: 'first disc' });
    await bridges[0]!.stop();
    await oneDisc(core, 'WHILE_STOPPED');
    await startOne();
    await oneDisc(core, 'AFTER');
    await waitFor(() => events(recorder).length === 12, { message: () => `12 events, got ${events(recorder).length}` });
    const seqs = events(recorder).map((e) => e.seq);
    expect(new Set(seqs).size).toBe(12);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    // Nothing more trickles in (e.g. a replay of the first disc).
    await bridges[1]!.bridge!.settled();
    expect(events(recorder)).toHaveLength(12);
  });

  it('does not replay events older than the bound after a restart', async () => {
    const { core, recorder, bridges, startOne, log } = await setup({ maxReplayAgeMs: 60 * 60 * 1000 });
    await bridges[0]!.stop();
    const old = await appendBackdated(core, 'sr0', ['disc_inserted', 'copy_started', 'copy_completed'], 2 * 60 * 60 * 1000);
    await startOne();
    const fresh = await core.event('sr0', 'copy_failed', { label: 'NEW' });
    await waitFor(() => events(recorder).some((e) => e.seq === fresh), { message: 'the fresh event' });
    expect(events(recorder).map((e) => e.seq)).not.toEqual(expect.arrayContaining([old[0]]));
    expect(events(recorder).map((e) => e.event_type)).toEqual(['copy_failed']);
    expect(log.lines.some((l) => /skipped 3 events older than/.test(l.msg))).toBe(true);
  });

  it('follows an event log that was started over (seq lower than the saved cursor)', async () => {
    const { core, recorder, bridges, startOne, apiDir } = await setup();
    await oneDisc(core, 'A');
    await waitFor(() => events(recorder).length === 4, { message: 'first disc' });
    await bridges[0]!.stop();
    await core.stop();
    const { rm } = await import('node:fs/promises');
    await rm(join(apiDir, 'events.jsonl'), { force: true });
    await rm(join(apiDir, 'events.1.jsonl'), { force: true });
    const fresh = new FakeCore(apiDir, ['sr0'], 'http://127.0.0.1:1/');
    await fresh.events.start();
    cleanups.defer(() => fresh.stop());
    recorder.clear();
    await startOne();
    await fresh.event('sr0', 'disc_inserted', { label: 'B' });
    await waitFor(() => events(recorder).length === 1, { message: 'event of the new log' });
    expect(events(recorder)[0]).toMatchObject({ seq: 1, event_type: 'disc_inserted' });
  });
});

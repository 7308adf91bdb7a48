/**
 * End to end: the real core (`node dist/cli.js run`) with a simulated drive, the real bridge
 * (`node dist/cli.js mqtt`), a real Mosquitto. Needs a built dist/ (`npm run build`); skipped
 * with a message when it is missing.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { HistorySchema } from '../../src/contract/index.js';
import { simInsert, trayImage, updateSimState } from '../../src/drive/index.js';
import { cleanupsAfterAll } from '../helpers/cleanups.js';
import { MOSQUITTO_AVAILABLE, requireMosquitto } from '../helpers/mosquitto.js';
import { BUILT, CLI, clientAndRecorderBack, cursorSaved, e2eFolder, e2eRig, outputTails, stopProc, type Proc } from './cli-rig.js';
import { gateFor, waitFor } from './support.js';

requireMosquitto();
if (!BUILT) console.warn(`SKIPPED: ${CLI} is missing; run "npm run build" for the MQTT end-to-end test`);

describe.skipIf(!MOSQUITTO_AVAILABLE || !BUILT)('end to end: core + bridge + Mosquitto', () => {
  const cleanups = cleanupsAfterAll();

  it('a disc goes through every state on MQTT, events in order, eject by button, faults survive', { timeout: 240_000 }, async () => {
    const { broker, dir, recorder, spawn } = await e2eRig(cleanups, 'disk2iso-e2e-');
    const gate = await gateFor(cleanups, broker);
    const { sim, iso, apiDir, optionsPath } = await e2eFolder(dir, 'E2E_DISC', 4, gate.port, { eject_after_copy: false });

    const core = spawn('run', optionsPath);
    let bridge: Proc | null = spawn('mqtt', optionsPath);
    const logs = () => outputTails({ core, bridge });
    const states = () => recorder.payloads('disk2iso/sim0/state');
    const events = () => recorder.payloads('disk2iso/sim0/event').map((p) => JSON.parse(p) as { event_type: string; seq: number });
    const count = (type: string) => events().filter((e) => e.event_type === type).length;

    await waitFor(() => recorder.last('homeassistant/device/disk2iso/sim0/config'), { timeout: 60_000, message: () => `discovery${logs()}` });
    await waitFor(() => states().at(-1) === 'waiting_for_media', { timeout: 60_000, message: () => `waiting_for_media${logs()}` });

    // 1. A disc: every transition and job event on MQTT, in order.
    await simInsert(sim, iso);
    await waitFor(() => count('copy_completed') === 1, { timeout: 90_000, message: () => `copy_completed; states ${states().join(',')}${logs()}` });
    await waitFor(() => states().at(-1) === 'waiting_for_removal', { timeout: 30_000, message: () => `waiting_for_removal; states ${states().join(',')}` });
    const path = states();
    const order = ['media_detected', 'analyzing', 'copying', 'completed', 'waiting_for_removal'].map((s) => path.lastIndexOf(s));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    const types = events().map((e) => e.event_type);
    expect(types.indexOf('disc_inserted')).toBeLessThan(types.indexOf('copy_started'));
    expect(types.indexOf('copy_started')).toBeLessThan(types.indexOf('copy_completed'));
    const seqs = events().map((e) => e.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    // last_job follows history.json (the contract watcher), the state follows events.jsonl: two
    // files with no order between them on a busy machine.
    await waitFor(() => recorder.json<{ result: string }>('disk2iso/sim0/last_job')?.result === 'success', { timeout: 10_000, message: () => 'last_job' });
    expect(recorder.json('disk2iso/sim0/last_job')).toMatchObject({ result: 'success', archived_total: 1 });
    expect(recorder.json<{ label: string }>('disk2iso/sim0/disc')?.label).toBe('E2E_DISC');

    // 2. The eject button over MQTT ejects the disc.
    const client = await connectAsync(broker.url);
    cleanups.defer(() => client.endAsync());
    await client.publishAsync('disk2iso/sim0/command/eject', 'PRESS', { qos: 1 });
    await waitFor(async () => (await trayImage(sim)) === null, { timeout: 30_000, message: () => `disc ejected${logs()}` });
    await waitFor(() => states().at(-1) === 'waiting_for_media', { timeout: 30_000, message: () => `back to waiting_for_media; ${states().join(',')}` });
    await waitFor(() => count('disc_removed') >= 1, { timeout: 30_000, message: 'disc_removed event' });

    // 3. The bridge is killed (-9): the broker sends its Last Will; a new bridge resumes without repeats.
    await cursorSaved(dir, Math.max(...events().map((e) => e.seq)));
    const before = events().length;
    await stopProc(bridge, 'SIGKILL');
    await waitFor(() => recorder.last('disk2iso/availability') === 'offline', { message: 'last will' });
    bridge = spawn('mqtt', optionsPath);
    await waitFor(() => recorder.last('disk2iso/availability') === 'online', { timeout: 60_000, message: () => `online again${logs()}` });

    // 4. The broker goes down during a copy: the copy is unaffected; what happened meanwhile arrives in order.
    await updateSimState(sim, { bytes_per_second: 400_000 });
    await simInsert(sim, iso, { bytes_per_second: 400_000 });
    await waitFor(() => states().at(-1) === 'copying', { timeout: 60_000, message: () => `copying; ${states().join(',')}` });
    const eventsBeforeOutage = events().length;
    await gate.close();
    await broker.kill();
    const history = async () => {
      try {
        return HistorySchema.parse(JSON.parse(await readFile(join(apiDir, 'history.json'), 'utf8')));
      } catch {
        return null;
      }
    };
    await waitFor(async () => (await history())?.entries.filter((e) => e.result === 'success').length === 2, {
      timeout: 90_000,
      message: () => `second copy done without a broker${logs()}`,
    });
    await broker.start();
    await clientAndRecorderBack(client, recorder);
    await gate.open();
    await waitFor(() => count('copy_completed') === 2, { timeout: 90_000, message: () => `second copy_completed over MQTT${logs()}` });
    const after = events().map((e) => e.seq);
    // Up to the broker outage, including across the bridge's kill -9: each event exactly once.
    expect(new Set(after.slice(0, eventsBeforeOutage)).size).toBe(eventsBeforeOutage);
    expect(eventsBeforeOutage).toBeGreaterThan(before);
    // Across the outage, QoS 1: an event whose PUBACK was cut off is sent again, nothing is lost
    // and first deliveries stay in order.
    const firsts = after.filter((seq, i) => after.indexOf(seq) === i);
    expect(firsts).toEqual([...firsts].sort((a, b) => a - b));
    expect(firsts.length).toBeGreaterThan(eventsBeforeOutage);
    await waitFor(() => states().at(-1) === 'waiting_for_removal', { timeout: 30_000, message: () => `final state; ${states().join(',')}` });

    expect(await stopProc(bridge)).toBe(0);
    expect(recorder.last('disk2iso/availability')).toBe('offline');
    expect(await stopProc(core)).toBe(0);
  });
});

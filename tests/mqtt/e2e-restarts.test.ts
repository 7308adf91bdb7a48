/**
 * End to end, as a Home Assistant user sees it: the real core (`node dist/cli.js run`) with a
 * simulated drive, the real bridge (`node dist/cli.js mqtt`), a real Mosquitto and a recording
 * subscriber, across core restarts, a core kill (-9) and a broker restart. Needs a built dist/
 * (`npm run build`); skipped with a message when it is missing.
 */
import { connectAsync } from 'mqtt';
import { describe, expect, it } from 'vitest';
import { apiPaths, readEventsAfter, type ContractEvent } from '../../src/contract/index.js';
import { simInsert } from '../../src/drive/index.js';
import { cleanupsAfterAll } from '../helpers/cleanups.js';
import { MOSQUITTO_AVAILABLE, requireMosquitto } from '../helpers/mosquitto.js';
import { BUILT, CLI, clientAndRecorderBack, cursorSaved, e2eFolder, e2eRig, outputTails, stopProc, type Proc } from './cli-rig.js';
import { checkDevicePayload } from './ha-rules.js';
import { gateFor, waitFor } from './support.js';

requireMosquitto();
if (!BUILT) console.warn(`SKIPPED: ${CLI} is missing; run "npm run build" for the MQTT restart test`);

const STATE = 'disk2iso/sim0/state';
const STATUS = 'disk2iso/sim0/status';
const DRIVE_AVAILABLE = 'disk2iso/sim0/availability';
const CORE_AVAILABLE = 'disk2iso/core_availability';
const DRIVE_DISCOVERY = 'homeassistant/device/disk2iso/sim0/config';
const HUB_DISCOVERY = 'homeassistant/device/disk2iso/config';

describe.skipIf(!MOSQUITTO_AVAILABLE || !BUILT)('end to end: core restarts, a core kill and a broker restart, as HA sees them', () => {
  const cleanups = cleanupsAfterAll(60_000);

  it('every transition once in events.jsonl order with the snapshot last, one discovery per start, availability lost within 10 s of a core death', { timeout: 300_000 }, async () => {
    const { broker, dir, recorder, spawn } = await e2eRig(cleanups, 'disk2iso-e2e-restarts-');
    const gate = await gateFor(cleanups, broker);
    // The disc leaves right after the copy: the progress reset follows the end value closely.
    const { sim, iso, apiDir, optionsPath } = await e2eFolder(dir, 'RESTART_DISC', 2, gate.port, { eject_after_copy: true });
    const events = (): Promise<ContractEvent[]> => readEventsAfter(apiPaths(apiDir), 0);
    const lastSeq = async () => (await events()).at(-1)?.seq ?? 0;
    /** The `to` of every sim0 transition after `afterSeq`, in log order. */
    const logged = async (afterSeq: number) =>
      (await events()).filter((e) => e.seq > afterSeq && e.type === 'state_changed' && e.drive === 'sim0').map((e) => String(e.data.to));

    let core: Proc | null = spawn('run', optionsPath);
    const bridge = spawn('mqtt', optionsPath);
    const logs = () => outputTails({ core, bridge });
    const states = () => recorder.payloads(STATE);
    /** Waits until the core logged `state` as its newest transition (after `afterSeq`) and MQTT shows it. */
    const settle = async (state: string, afterSeq = 0) => {
      // MQTT may still show the previous core's last state while the new core already logged the
      // same one: wait until the subscriber has every logged transition (a wrong order never settles).
      await waitFor(
        async () => states().at(-1) === state && (await logged(afterSeq)).at(-1) === state && JSON.stringify(states()) === JSON.stringify(await logged(0)),
        { timeout: 60_000, message: () => `${state}; mqtt ${states().join(',')}${logs()}` },
      );
      // The bridge's snapshot (status) follows the last transition.
      await waitFor(() => recorder.json<{ state: string }>(STATUS)?.state === state, { timeout: 30_000, message: () => `status ${state}${logs()}` });
    };

    // 1. Core and bridge start together (as the add-on's services do): the start-up in order, no self-transition.
    await settle('waiting_for_media');
    expect(states()).toEqual(await logged(0));
    const transitions = (await events()).filter((e) => e.type === 'state_changed');
    expect(transitions.filter((e) => e.data.from === e.data.to)).toEqual([]);
    expect(transitions[0]?.data).toMatchObject({ from: null, to: 'initializing' });
    await waitFor(() => recorder.last(HUB_DISCOVERY) && recorder.last(DRIVE_DISCOVERY), { message: 'discovery' });
    const seen = new Set<string>();
    for (const topic of [HUB_DISCOVERY, DRIVE_DISCOVERY]) expect(checkDevicePayload(topic, JSON.parse(recorder.last(topic)!), seen)).toEqual([]);
    const drive = JSON.parse(recorder.last(DRIVE_DISCOVERY)!) as { device: Record<string, unknown> };
    expect(drive.device.via_device).toBe('disk2iso');
    expect(JSON.stringify(drive.device)).not.toContain('(');

    // 2. A short copy: its final progress (100 %) is on MQTT although the reset follows within a second.
    await simInsert(sim, iso);
    await waitFor(async () => (await events()).some((e) => e.type === 'copy_completed'), { timeout: 90_000, message: () => `copy_completed${logs()}` });
    await settle('waiting_for_media');
    const jobId = String((await events()).find((e) => e.type === 'copy_completed')?.data.job_id);
    const progress = recorder.payloads('disk2iso/sim0/progress').map((p) => JSON.parse(p) as { percent: number; job_id: string | null });
    expect(progress.filter((p) => p.job_id === jobId).at(-1)?.percent).toBe(100);
    expect(states()).toEqual(await logged(0));
    await waitFor(() => recorder.json<{ archived_total: number; title: string }>('disk2iso/archive')?.archived_total === 1, { message: 'archive total' });
    expect(recorder.json('disk2iso/archive')).toMatchObject({ title: 'RESTART_DISC', drive: 'sim0' });

    // 3. The core restarts cleanly: it says it stops (unavailable at once), the new start's transitions follow in order.
    const beforeRestart = await lastSeq();
    const stoppingAt = performance.now();
    expect(await stopProc(core)).toBe(0);
    await waitFor(() => recorder.last(CORE_AVAILABLE) === 'offline' && recorder.last(DRIVE_AVAILABLE) === 'offline', { message: () => `offline on a clean stop${logs()}` });
    expect(recorder.on(CORE_AVAILABLE).at(-1)!.at - stoppingAt).toBeLessThanOrEqual(10_000);
    core = spawn('run', optionsPath);
    await waitFor(() => recorder.last(CORE_AVAILABLE) === 'online' && recorder.last(DRIVE_AVAILABLE) === 'online', { timeout: 60_000, message: () => `online again${logs()}` });
    await settle('waiting_for_media', beforeRestart);
    expect(await logged(beforeRestart)).toEqual(['initializing', 'drive_detected', 'waiting_for_media']);
    expect(states()).toEqual(await logged(0));

    // 4. The core is killed (-9): its entities go unavailable within 10 s; a button press is refused with one clear line.
    const diedAt = performance.now();
    await stopProc(core, 'SIGKILL');
    await waitFor(() => recorder.last(CORE_AVAILABLE) === 'offline' && recorder.last(DRIVE_AVAILABLE) === 'offline', { timeout: 30_000, message: () => `offline after kill -9${logs()}` });
    const offlineAt = Math.max(recorder.on(CORE_AVAILABLE).at(-1)!.at, recorder.on(DRIVE_AVAILABLE).at(-1)!.at);
    expect(offlineAt - diedAt).toBeLessThanOrEqual(10_000);
    if (process.env.DISK2ISO_PRINT_FIGURES) console.info(`unavailable ${Math.round(offlineAt - diedAt)} ms after kill -9, ${Math.round(recorder.on(CORE_AVAILABLE).at(-2)!.at - stoppingAt)} ms after a clean stop`);
    const client = await connectAsync(broker.url);
    cleanups.defer(() => client.endAsync());
    await client.publishAsync('disk2iso/sim0/command/eject', 'PRESS', { qos: 1 });
    await waitFor(() => bridge.output.join('').includes("command eject for drive 'sim0' refused: the core is not responding"), { message: () => `refusal${logs()}` });
    expect(bridge.output.join('')).not.toMatch(/"status":500/);
    const beforeSecondStart = await lastSeq();
    core = spawn('run', optionsPath);
    await waitFor(() => recorder.last(DRIVE_AVAILABLE) === 'online', { timeout: 60_000, message: () => `online after the kill${logs()}` });
    await settle('waiting_for_media', beforeSecondStart);
    expect(await logged(beforeSecondStart)).toEqual(['initializing', 'drive_detected', 'waiting_for_media']);
    expect(states()).toEqual(await logged(0));

    // One discovery per start: the bridge started once; the core's restarts changed nothing HA has.
    expect(recorder.on(DRIVE_DISCOVERY)).toHaveLength(1);
    expect(recorder.on(HUB_DISCOVERY)).toHaveLength(1);

    // 5. The broker restarts (retained messages lost) while a disc is copied: the missed transitions in order, then the snapshot.
    const beforeOutage = await lastSeq();
    // Cut only once the broker acknowledged everything so far: a PUBACK lost in the cut would
    // (rightly, QoS 1) make the bridge send those events again, and this test counts deliveries.
    await cursorSaved(dir, beforeOutage);
    await gate.close();
    await broker.kill();
    await simInsert(sim, iso);
    await waitFor(async () => (await events()).filter((e) => e.type === 'copy_completed').length === 2, { timeout: 90_000, message: () => `second copy${logs()}` });
    await waitFor(async () => (await logged(beforeOutage)).at(-1) === 'waiting_for_media', { timeout: 30_000, message: 'back to waiting' });
    await broker.start();
    await clientAndRecorderBack(client, recorder);
    recorder.clear();
    await gate.open();
    const missed = await logged(beforeOutage);
    expect(missed).toEqual(['media_detected', 'analyzing', 'copying', 'completed', 'waiting_for_removal', 'idle', 'waiting_for_media']);
    await waitFor(() => states().length >= missed.length && recorder.last(STATUS), { timeout: 60_000, message: () => `replay; ${states().join(',')}${logs()}` });
    expect(states()).toEqual(missed);
    const snapshot = recorder.on(STATUS).at(-1)!;
    expect(recorder.messages.indexOf(snapshot)).toBeGreaterThan(recorder.messages.indexOf(recorder.on(STATE).at(-1)!));
    expect(recorder.on(DRIVE_DISCOVERY)).toHaveLength(1);
    expect(recorder.on(HUB_DISCOVERY)).toHaveLength(1);
    expect(recorder.messages.indexOf(recorder.on(DRIVE_DISCOVERY)[0]!)).toBeLessThan(recorder.messages.indexOf(recorder.on(STATE)[0]!));

    expect(await stopProc(bridge)).toBe(0);
    expect(await stopProc(core)).toBe(0);
  });
});

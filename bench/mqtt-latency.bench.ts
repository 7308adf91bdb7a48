/**
 * State change → MQTT message at a subscriber, through a real Mosquitto and the bridge as its own
 * process: ≥ 1000 transitions written to events.jsonl with the contract's writer (timestamped
 * when written), arrival measured at a subscriber. Target (SPEC §10): p99 < 100 ms.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { afterAll, expect, it } from 'vitest';
import type { DriveState } from '../src/contract/index.js';
import { startMosquitto } from '../tests/helpers/mosquitto.js';
import { ControlServer, FakeCore, tmpDir, waitFor } from '../tests/mqtt/support.js';
import { bridgeCommand, percentile, spawnBridge } from './mqtt-support.js';

const TRANSITIONS = 1200;
const PACE_MS = 5;
const cleanups: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
});

it('state change → MQTT message latency (p50/p99)', async () => {
  const broker = await startMosquitto();
  cleanups.push(() => broker.dispose());
  const dir = await tmpDir('disk2iso-bench-mqtt-');
  cleanups.push(dir.remove);
  const control = await ControlServer.start();
  cleanups.push(() => control.close());
  const apiDir = join(dir.path, 'api');
  const core = new FakeCore(apiDir, ['sr0'], control.url, 64 * 1024 * 1024);
  await core.start('idle');
  cleanups.push(() => core.stop());
  const optionsPath = join(dir.path, 'options.json');
  await writeFile(optionsPath, JSON.stringify({ drives: ['sim:/tmp/sim/sr0'], api_dir: apiDir, mqtt_host: '127.0.0.1', mqtt_port: broker.port, log_level: 'warning' }));

  const subscriber = await connectAsync(broker.url);
  cleanups.push(() => subscriber.endAsync());
  const arrivals: Array<{ state: string; at: number }> = [];
  let online = false;
  subscriber.on('message', (topic, payload, packet) => {
    if (topic === 'disk2iso/availability') online = payload.toString() === 'online';
    else if (!packet.retain) arrivals.push({ state: payload.toString(), at: performance.now() });
  });
  await subscriber.subscribeAsync(['disk2iso/sr0/state', 'disk2iso/availability'], { qos: 1 });

  const { args, how } = await bridgeCommand();
  const bridge = spawnBridge(args, optionsPath);
  cleanups.push(() => bridge.stop());
  await waitFor(() => online, { timeout: 60_000, message: () => `bridge online; output:\n${bridge.output.join('')}` });
  // Let the session settle (initial state from status.json) before measuring.
  await waitFor(() => arrivals.length > 0, { timeout: 30_000, message: 'initial state' });
  await new Promise((r) => setTimeout(r, 500));
  arrivals.length = 0;

  const written: Array<{ state: DriveState; at: number }> = [];
  const cycle: DriveState[] = ['analyzing', 'copying', 'completed', 'waiting_for_removal'];
  for (let i = 0; i < TRANSITIONS; i++) {
    const state = cycle[i % cycle.length]!;
    written.push({ state, at: performance.now() });
    await core.events.append('sr0', 'state_changed', { from: null, to: state, message: '' });
    await new Promise((r) => setTimeout(r, PACE_MS));
  }
  await waitFor(() => arrivals.length >= TRANSITIONS, { timeout: 120_000, message: () => `${TRANSITIONS} arrivals, got ${arrivals.length}` });

  expect(arrivals.map((a) => a.state)).toEqual(written.map((w) => w.state));
  const latencies = written.map((w, i) => arrivals[i]!.at - w.at).sort((a, b) => a - b);
  const p50 = percentile(latencies, 50);
  const p95 = percentile(latencies, 95);
  const p99 = percentile(latencies, 99);
  const max = latencies.at(-1)!;
  console.log(`bridge process: ${how}`);
  console.log(`mqtt latency: ${TRANSITIONS} transitions (one every ~${PACE_MS} ms), all delivered in order`);
  console.log(`mqtt latency p50: ${p50.toFixed(1)} ms`);
  console.log(`mqtt latency p95: ${p95.toFixed(1)} ms`);
  console.log(`mqtt latency p99: ${p99.toFixed(1)} ms (target < 100 ms) ${p99 < 100 ? 'OK' : 'MISSED'}`);
  console.log(`mqtt latency max: ${max.toFixed(1)} ms`);
  expect(Number.isFinite(p99)).toBe(true);
  expect(await bridge.stop()).toBe(0);
});

/**
 * The bridge process's resident memory (idle and under 100 progress updates/s) and its idle CPU,
 * with a real Mosquitto. Targets (SPEC §10): RSS < 50 MB; idle CPU (with the core) < 0.5 %.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { afterEach, expect, it } from 'vitest';
import { startMosquitto } from '../tests/helpers/mosquitto.js';
import { ControlServer, FakeCore, tmpDir, waitFor } from '../tests/mqtt/support.js';
import { cpuSeconds, rssMiB } from './lib/proc.js';
import { bridgeCommand, LEAN_NODE_FLAGS, spawnBridge } from './mqtt-support.js';

const WARMUP_S = 20;
const IDLE_S = 30;
const LOAD_S = 10;
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
});

for (const flags of [[], LEAN_NODE_FLAGS]) {
it(`bridge RSS and CPU, idle and under 100 progress updates/s (node ${flags.join(' ') || 'without flags'})`, async () => {
  const broker = await startMosquitto();
  cleanups.push(() => broker.dispose());
  const dir = await tmpDir('disk2iso-bench-mqtt-');
  cleanups.push(dir.remove);
  const control = await ControlServer.start();
  cleanups.push(() => control.close());
  const apiDir = join(dir.path, 'api');
  const core = new FakeCore(apiDir, ['sr0'], control.url);
  await core.start('copying');
  cleanups.push(() => core.stop());
  const optionsPath = join(dir.path, 'options.json');
  await writeFile(optionsPath, JSON.stringify({ drives: ['sim:/tmp/sim/sr0'], api_dir: apiDir, mqtt_host: '127.0.0.1', mqtt_port: broker.port, log_level: 'warning' }));

  const subscriber = await connectAsync(broker.url);
  cleanups.push(() => subscriber.endAsync());
  let online = false;
  let progressMessages = 0;
  subscriber.on('message', (topic, payload) => {
    if (topic === 'disk2iso/availability') online = payload.toString() === 'online';
    if (topic === 'disk2iso/sr0/progress') progressMessages++;
  });
  await subscriber.subscribeAsync(['disk2iso/availability', 'disk2iso/sr0/progress'], { qos: 1 });

  const { args, how } = await bridgeCommand();
  const bridge = spawnBridge(args, optionsPath, flags);
  cleanups.push(() => bridge.stop());
  await waitFor(() => online, { timeout: 60_000, message: () => `bridge online; output:\n${bridge.output.join('')}` });
  // V8 settles its heap for some seconds after start-up (GCs by its memory reducer); measure after.
  await new Promise((r) => setTimeout(r, WARMUP_S * 1000));

  // Idle: the core's heartbeat every 30 s is all that happens (as when waiting for a disc).
  const heartbeat = setInterval(() => void core.writeStatus('sr0'), 30_000);
  cleanups.push(() => Promise.resolve(clearInterval(heartbeat)));
  const cpu0 = await cpuSeconds(bridge.pid);
  const t0 = performance.now();
  let idleRss = 0;
  for (let s = 0; s < IDLE_S; s += 5) {
    await new Promise((r) => setTimeout(r, 5000));
    idleRss = Math.max(idleRss, await rssMiB(bridge.pid));
  }
  const idleCpu = (((await cpuSeconds(bridge.pid)) - cpu0) / ((performance.now() - t0) / 1000)) * 100;

  // Load: 100 progress.json writes per second (the core writes at most 2/s; this is 50× that).
  progressMessages = 0;
  const cpu1 = await cpuSeconds(bridge.pid);
  const t1 = performance.now();
  let loadRss = 0;
  let writes = 0;
  const sampler = setInterval(() => void rssMiB(bridge.pid).then((mb) => (loadRss = Math.max(loadRss, mb))), 250);
  while (performance.now() - t1 < LOAD_S * 1000) {
    await core.writeProgress('sr0', (writes % 1000) / 10);
    writes++;
    const next = t1 + writes * 10;
    await new Promise((r) => setTimeout(r, Math.max(0, next - performance.now())));
  }
  clearInterval(sampler);
  const loadSeconds = (performance.now() - t1) / 1000;
  const loadCpu = (((await cpuSeconds(bridge.pid)) - cpu1) / loadSeconds) * 100;
  await new Promise((r) => setTimeout(r, 1500));

  console.log(`bridge process: ${how}; node flags: ${flags.join(' ') || '(none)'}`);
  console.log(`bridge RSS idle: ${idleRss.toFixed(1)} MiB (target < 50 MB) ${idleRss * 1.048576 < 50 ? 'OK' : 'MISSED'}`);
  console.log(`bridge CPU idle: ${idleCpu.toFixed(3)} % of one core over ${IDLE_S} s after ${WARMUP_S} s warm-up (target for core + bridge < 0.5 %)`);
  console.log(`bridge RSS under load: ${loadRss.toFixed(1)} MiB max with ${(writes / loadSeconds).toFixed(0)} progress writes/s (target < 50 MB) ${loadRss * 1.048576 < 50 ? 'OK' : 'MISSED'}`);
  console.log(`bridge CPU under load: ${loadCpu.toFixed(1)} % of one core`);
  console.log(`progress messages published: ${progressMessages} in ${loadSeconds.toFixed(1)} s (at most 1/s per drive)`);
  expect(progressMessages).toBeGreaterThan(0);
  expect(progressMessages).toBeLessThanOrEqual(Math.ceil(loadSeconds) + 2);
  expect(await bridge.stop()).toBe(0);
});
}

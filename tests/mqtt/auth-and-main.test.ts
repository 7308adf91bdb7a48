import { execFileSync } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startBridge } from '../../src/mqtt/index.js';
import { SupervisorClient } from '../../src/supervisor/index.js';
import { LoopbackSupervisor } from '../supervisor/loopback-supervisor.js';
import { main } from '../../src/mqtt/main.js';
import { cleanupsAfterEach } from '../helpers/cleanups.js';
import { freePort, MOSQUITTO_AVAILABLE, requireMosquitto, startMosquitto } from '../helpers/mosquitto.js';
import { fakeContract, FAST_SETTINGS, memoryLogger, readRetained, recorderFor, testConfig, tmpDir, useBroker, waitFor } from './support.js';

requireMosquitto();

const cleanups = cleanupsAfterEach();

async function contract(drives = ['sr0']) {
  return fakeContract(drives, cleanups);
}

describe.skipIf(!MOSQUITTO_AVAILABLE)('a broker with a password file', () => {
  const broker = useBroker({ users: { disk2iso: 'right horse battery', watcher: 'w' } });

  it('connects with the user and password from the options', async () => {
    const { apiDir, dir } = await contract();
    const recorder = await recorderFor(cleanups, broker.url, { username: 'watcher', password: 'w' });
    const config = testConfig(apiDir, ['sr0'], { mqtt_host: '127.0.0.1', mqtt_port: broker.port, mqtt_user: 'disk2iso', mqtt_password: 'right horse battery' });
    const { logger } = memoryLogger();
    const running = await startBridge(config, logger, { supervisor: null, configurationUrl: null, stateDir: join(dir, 'mqtt'), ...FAST_SETTINGS });
    cleanups.defer(() => running.stop());
    await waitFor(() => recorder.last('disk2iso/availability') === 'online', { message: 'online with credentials' });
    await waitFor(() => recorder.last('homeassistant/device/disk2iso/sr0/config'), { message: 'discovery' });
  });

  it('finds the broker and its credentials through the Supervisor, and links the ingress panel', async () => {
    const { apiDir, dir } = await contract();
    const supervisor = await LoopbackSupervisor.start();
    cleanups.defer(() => supervisor.close());
    supervisor.handler = (path, res) => {
      if (path === '/services/mqtt') LoopbackSupervisor.ok(res, { addon: 'core_mosquitto', host: '127.0.0.1', port: broker.port, ssl: false, protocol: '5', username: 'disk2iso', password: 'right horse battery' });
      else if (path === '/addons/self/info') LoopbackSupervisor.ok(res, { slug: 'local_disk2iso', ingress: true, ingress_url: '/api/hassio_ingress/x/' });
      else supervisor.notFound(res);
    };
    const recorder = await recorderFor(cleanups, broker.url, { username: 'watcher', password: 'w' });
    const { logger, lines } = memoryLogger();
    const running = await startBridge(testConfig(apiDir, ['sr0']), logger, {
      supervisor: new SupervisorClient({ baseUrl: supervisor.url, token: 'tok' }),
      stateDir: join(dir, 'mqtt'),
      ...FAST_SETTINGS,
    });
    cleanups.defer(() => running.stop());
    // (An earlier test's retained config may arrive first; wait for this bridge's.)
    const url = await waitFor(() => recorder.json<{ device: { configuration_url?: string } }>('homeassistant/device/disk2iso/sr0/config')?.device.configuration_url, {
      message: 'discovery with the ingress link',
    });
    expect(url).toBe('homeassistant://hassio/ingress/local_disk2iso');
    expect(supervisor.requests.map((r) => r.authorization)).toEqual(['Bearer tok', 'Bearer tok']);
    expect(lines.some((l) => /MQTT 5, user "disk2iso", from supervisor/.test(String(l.msg)))).toBe(true);
  });

  it('a wrong password is one warning and patient retries, not a crash loop', async () => {
    const { apiDir, dir } = await contract();
    const config = testConfig(apiDir, ['sr0'], { mqtt_host: `mqtt://127.0.0.1:${broker.port}`, mqtt_user: 'disk2iso', mqtt_password: 'wrong' });
    const { logger, lines } = memoryLogger();
    const running = await startBridge(config, logger, { supervisor: null, configurationUrl: null, stateDir: join(dir, 'mqtt'), ...FAST_SETTINGS });
    cleanups.defer(() => running.stop());
    await waitFor(() => lines.filter((l) => String(l.msg).startsWith('next MQTT connection attempt')).length >= 3, { message: 'several attempts' });
    const warnings = lines.filter((l) => l.level === 40 && String(l.msg).startsWith('MQTT broker:'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toMatch(/Not authorized|Bad User Name or Password/i);
    expect(running.bridge?.connected).toBe(false);
    await running.stop();
  });
});

describe('without a broker', () => {
  it('MQTT disabled: one line, idle, nothing to stop', async () => {
    const { apiDir } = await contract();
    const { logger, lines } = memoryLogger();
    const running = await startBridge(testConfig(apiDir, ['sr0'], { mqtt_enabled: false }), logger);
    expect(running.bridge).toBeNull();
    expect(lines.map((l) => l.msg)).toEqual(['MQTT is disabled (option mqtt_enabled: false); the bridge stays idle']);
    await running.stop();
  });

  it('no broker from the options or the Supervisor: one warning, idle, and it keeps looking', async () => {
    const { apiDir } = await contract();
    const { logger, lines } = memoryLogger();
    const running = await startBridge(testConfig(apiDir, ['sr0']), logger, { supervisor: null, brokerRetryMs: 50 });
    expect(running.bridge).toBeNull();
    await waitFor(() => lines.filter((l) => String(l.msg).startsWith('still no broker')).length >= 2, { message: 'quiet retries' });
    expect(lines.filter((l) => l.level >= 40)).toHaveLength(1);
    expect(lines.find((l) => l.level >= 40)?.msg).toMatch(/no broker.*mqtt_host/);
    await running.stop();
  });
});

describe('disk2iso mqtt (main)', () => {
  const saved = { options: process.env.DISK2ISO_OPTIONS, token: process.env.SUPERVISOR_TOKEN };
  afterEach(() => {
    for (const [key, value] of [['DISK2ISO_OPTIONS', saved.options], ['SUPERVISOR_TOKEN', saved.token]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  async function optionsFile(options: unknown) {
    const { dir, apiDir } = await contract();
    const path = join(dir, 'options.json');
    await writeFile(path, typeof options === 'string' ? options : JSON.stringify({ api_dir: apiDir, drives: ['sim:/tmp/sim/sr0'], log_level: 'error', ...(options as object) }));
    process.env.DISK2ISO_OPTIONS = path;
    delete process.env.SUPERVISOR_TOKEN;
    return { dir, apiDir };
  }

  it('rejects arguments and invalid options with exit codes 2 and 1', async () => {
    expect(await main(['--bogus'])).toBe(2);
    await optionsFile('{ not json');
    expect(await main([])).toBe(1);
    await optionsFile({ mqtt_port: 'many' });
    expect(await main([])).toBe(1);
  });

  it('idles without a broker and exits 0 when stopped', async () => {
    await optionsFile({});
    const abort = new AbortController();
    const exit = main([], { signal: abort.signal });
    await new Promise((r) => setTimeout(r, 100));
    abort.abort();
    expect(await exit).toBe(0);
  });

  it.skipIf(!MOSQUITTO_AVAILABLE)('runs the bridge until stopped, then publishes offline', async () => {
    const broker = await startMosquitto();
    cleanups.defer(() => broker.dispose());
    await optionsFile({ mqtt_host: '127.0.0.1', mqtt_port: broker.port });
    const recorder = await recorderFor(cleanups, broker.url);
    const abort = new AbortController();
    const exit = main([], { signal: abort.signal });
    await waitFor(() => recorder.last('disk2iso/availability') === 'online', { message: 'online' });
    abort.abort();
    expect(await exit).toBe(0);
    expect((await readRetained(broker.url, 'disk2iso/availability')).get('disk2iso/availability')).toBe('offline');
  });
});

describe.skipIf(!MOSQUITTO_AVAILABLE)('mqtts (TLS)', () => {
  let tlsPort: number;
  let ca: string;
  let certDir: { path: string; remove: () => Promise<void> };
  beforeAll(async () => {
    certDir = await tmpDir('disk2iso-tls-');
    const d = certDir.path;
    const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: d, stdio: 'ignore' });
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=disk2iso test CA');
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
    await writeFile(join(d, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'san.ext');
    ca = await readFile(join(d, 'ca.crt'), 'utf8');
    tlsPort = await freePort();
  });
  afterAll(async () => {
    await certDir?.remove();
  });
  // Registered after the certificates' hooks: started once they exist, disposed before they go.
  const broker = useBroker(() => {
    const d = certDir.path;
    return { extraConfig: [`listener ${tlsPort} 127.0.0.1`, `cafile ${join(d, 'ca.crt')}`, `certfile ${join(d, 'server.crt')}`, `keyfile ${join(d, 'server.key')}`] };
  });

  it('connects over mqtts and verifies the broker certificate', async () => {
    const { apiDir, dir } = await contract();
    const recorder = await recorderFor(cleanups, broker.url);
    const { logger } = memoryLogger();
    const running = await startBridge(testConfig(apiDir, ['sr0']), logger, {
      broker: { url: `mqtts://127.0.0.1:${tlsPort}`, ca },
      supervisor: null,
      configurationUrl: null,
      stateDir: join(dir, 'mqtt'),
      ...FAST_SETTINGS,
    });
    cleanups.defer(() => running.stop());
    await waitFor(() => recorder.last('disk2iso/availability') === 'online', { message: 'online over TLS' });
  });

  it('refuses a certificate it cannot verify, with one clear warning', async () => {
    const { apiDir, dir } = await contract();
    const { logger, lines } = memoryLogger();
    const running = await startBridge(testConfig(apiDir, ['sr0'], { mqtt_host: `mqtts://127.0.0.1:${tlsPort}` }), logger, {
      supervisor: null,
      configurationUrl: null,
      stateDir: join(dir, 'mqtt'),
      ...FAST_SETTINGS,
    });
    cleanups.defer(() => running.stop());
    await waitFor(() => lines.filter((l) => String(l.msg).startsWith('next MQTT connection attempt')).length >= 2, { message: 'attempts' });
    const warnings = lines.filter((l) => l.level === 40 && String(l.msg).startsWith('MQTT broker:'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toMatch(/certificate/i);
    expect(running.bridge?.connected).toBe(false);
  });
});

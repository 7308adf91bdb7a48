import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeBroker, parseBrokerAddress, resolveBroker } from '../../src/mqtt/index.js';
import { retryDelay } from '../../src/mqtt/connection.js';
import { SupervisorClient } from '../../src/supervisor/index.js';
import { LoopbackSupervisor } from '../supervisor/loopback-supervisor.js';

const noOptions = { mqtt_host: '', mqtt_port: 0, mqtt_tls: false, mqtt_user: '', mqtt_password: '' };
let supervisor: LoopbackSupervisor;
let client: SupervisorClient;
beforeAll(async () => {
  supervisor = await LoopbackSupervisor.start();
  client = new SupervisorClient({ baseUrl: supervisor.url, token: 't', timeoutMs: 2000 });
});
afterAll(async () => {
  await supervisor.close();
});

describe('resolveBroker', () => {
  it('uses the Supervisor’s broker, including MQTT 5 and TLS', async () => {
    supervisor.handler = (_p, res) =>
      LoopbackSupervisor.ok(res, { host: 'core-mosquitto', port: 8883, ssl: true, protocol: '5', username: 'addons', password: 'pw' });
    expect(await resolveBroker(noOptions, client)).toEqual({
      ok: true,
      settings: { host: 'core-mosquitto', port: 8883, tls: true, username: 'addons', password: 'pw', protocolVersion: 5, source: 'supervisor' },
    });
  });

  it('lets non-empty options override the Supervisor’s fields (credentials as a pair)', async () => {
    supervisor.handler = (_p, res) => LoopbackSupervisor.ok(res, { host: 'core-mosquitto', port: 1883, ssl: false, protocol: '3.1.1', username: 'addons', password: 'pw' });
    const result = await resolveBroker({ ...noOptions, mqtt_port: 1884, mqtt_user: 'me', mqtt_password: '' }, client);
    expect(result).toMatchObject({ ok: true, settings: { host: 'core-mosquitto', port: 1884, username: 'me', password: undefined, protocolVersion: 4 } });
  });

  it('uses mqtt_host without asking the Supervisor; mqtts:// and host:port forms work', async () => {
    const before = supervisor.requests.length;
    expect(await resolveBroker({ ...noOptions, mqtt_host: 'broker.lan', mqtt_user: 'u', mqtt_password: 'p' }, client)).toMatchObject({
      ok: true,
      settings: { host: 'broker.lan', port: 1883, tls: false, username: 'u', password: 'p', source: 'options' },
    });
    expect(await resolveBroker({ ...noOptions, mqtt_host: 'mqtts://broker.lan' }, client)).toMatchObject({ ok: true, settings: { port: 8883, tls: true } });
    expect(await resolveBroker({ ...noOptions, mqtt_host: 'broker.lan:1999', mqtt_tls: true }, client)).toMatchObject({ ok: true, settings: { port: 1999, tls: true } });
    expect(supervisor.requests.length).toBe(before);
  });

  it('no broker anywhere is a reported condition, not an exception', async () => {
    supervisor.handler = (_p, res) => LoopbackSupervisor.error(res, 400, 'Service not enabled');
    const result = await resolveBroker(noOptions, client);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toMatch(/no app provides MQTT/);
    expect(await resolveBroker(noOptions, new SupervisorClient({ baseUrl: supervisor.url, token: undefined }))).toMatchObject({ ok: false });
    expect(await resolveBroker(noOptions, null)).toMatchObject({ ok: false });
    expect(await resolveBroker({ ...noOptions, mqtt_host: 'http://x' }, null)).toMatchObject({ ok: false });
  });

  it('a caller’s URL wins', async () => {
    expect(await resolveBroker({ ...noOptions, mqtt_host: 'ignored' }, client, { url: 'mqtt://127.0.0.1:1999', protocolVersion: 5 })).toMatchObject({
      ok: true,
      settings: { host: '127.0.0.1', port: 1999, protocolVersion: 5, source: 'caller' },
    });
  });

  it('never prints the password', () => {
    const text = describeBroker({ host: 'h', port: 1, tls: true, username: 'u', password: 'hunter2', protocolVersion: 5, source: 'options' });
    expect(text).toBe('mqtts://h:1 (MQTT 5, user "u", from options)');
    expect(parseBrokerAddress('[::1]:1884')).toEqual({ host: '::1', port: 1884, tls: null });
  });
});

describe('reconnect backoff', () => {
  it('doubles from the minimum up to the maximum, with ±25 % jitter', () => {
    const backoff = { minMs: 1000, maxMs: 60_000 };
    const middle = (n: number) => retryDelay(n, backoff, () => 0.5);
    expect([0, 1, 2, 3, 4, 5, 6, 7, 50].map(middle)).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000]);
    expect(retryDelay(0, backoff, () => 0)).toBe(750);
    expect(retryDelay(10, backoff, () => 1)).toBe(75_000);
  });
});

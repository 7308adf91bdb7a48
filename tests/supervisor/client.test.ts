import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SupervisorClient } from '../../src/supervisor/index.js';
import { freePort } from '../helpers/mosquitto.js';
import { LoopbackSupervisor } from './loopback-supervisor.js';

const MQTT_DATA = {
  addon: 'core_mosquitto',
  host: 'core-mosquitto',
  port: 1883,
  ssl: false,
  protocol: '3.1.1',
  username: 'addons',
  password: 'secret',
};

let supervisor: LoopbackSupervisor;
beforeAll(async () => {
  supervisor = await LoopbackSupervisor.start();
});
afterAll(async () => {
  await supervisor.close();
});

const client = (over: { token?: string | undefined; timeoutMs?: number; baseUrl?: string } = {}) =>
  new SupervisorClient({ baseUrl: supervisor.url, token: 'token-123', timeoutMs: 2000, ...over });

describe('SupervisorClient', () => {
  it('reads the MQTT service with the bearer token', async () => {
    supervisor.handler = (path, res) => (path === '/services/mqtt' ? LoopbackSupervisor.ok(res, MQTT_DATA) : supervisor.notFound(res));
    const result = await client().mqttService();
    expect(result).toEqual({ ok: true, data: MQTT_DATA });
    expect(supervisor.requests.at(-1)).toEqual({ path: '/services/mqtt', authorization: 'Bearer token-123' });
  });

  it('reports HTTP 400 (no app provides MQTT) as not_available', async () => {
    supervisor.handler = (_path, res) => LoopbackSupervisor.error(res, 400, 'Service not enabled');
    const result = await client().mqttService();
    expect(result).toMatchObject({ ok: false, reason: 'not_available', status: 400 });
    expect(!result.ok && result.message).toContain('Service not enabled');
  });

  it('reports 403 as forbidden and a non-envelope answer as invalid', async () => {
    supervisor.handler = (_path, res) => LoopbackSupervisor.error(res, 403, 'Forbidden');
    expect(await client().mqttService()).toMatchObject({ ok: false, reason: 'forbidden', status: 403 });
    supervisor.handler = (_path, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>');
    expect(await client().mqttService()).toMatchObject({ ok: false, reason: 'invalid_response' });
    supervisor.handler = (_path, res) => LoopbackSupervisor.ok(res, { host: '', port: 'many' });
    expect(await client().mqttService()).toMatchObject({ ok: false, reason: 'invalid_response' });
  });

  it('reads its own add-on info (slug and ingress)', async () => {
    supervisor.handler = (path, res) =>
      path === '/addons/self/info'
        ? LoopbackSupervisor.ok(res, { name: 'disk2iso', slug: 'local_disk2iso', version: '0.1.0', ingress: true, ingress_url: '/api/hassio_ingress/abc/', ingress_entry: '/api/hassio_ingress/abc', extra: 1 })
        : supervisor.notFound(res);
    const result = await client().selfInfo();
    expect(result).toMatchObject({ ok: true, data: { slug: 'local_disk2iso', ingress: true, ingress_url: '/api/hassio_ingress/abc/' } });
  });

  it('a dead Supervisor (connection refused) is unreachable, not a crash', async () => {
    const port = await freePort();
    const result = await client({ baseUrl: `http://127.0.0.1:${port}` }).mqttService();
    expect(result).toMatchObject({ ok: false, reason: 'unreachable', status: null });
    expect(!result.ok && result.message).toMatch(/ECONNREFUSED/);
  });

  it('a hanging Supervisor times out', async () => {
    supervisor.handler = () => undefined; // never answers
    const result = await client({ timeoutMs: 200 }).mqttService();
    expect(result).toMatchObject({ ok: false, reason: 'timeout' });
  });

  it('without a token it does not call at all', async () => {
    const before = supervisor.requests.length;
    const result = await client({ token: undefined }).mqttService();
    expect(result).toMatchObject({ ok: false, reason: 'no_token' });
    expect(supervisor.requests.length).toBe(before);
  });

  it('takes the base URL and token from the environment by default', () => {
    const saved = { url: process.env.SUPERVISOR_URL, token: process.env.SUPERVISOR_TOKEN };
    process.env.SUPERVISOR_URL = 'http://example.invalid:1234';
    process.env.SUPERVISOR_TOKEN = 't';
    try {
      const c = new SupervisorClient();
      expect(c.baseUrl).toBe('http://example.invalid:1234');
      expect(c.hasToken).toBe(true);
      delete process.env.SUPERVISOR_URL;
      expect(new SupervisorClient().baseUrl).toBe('http://supervisor');
    } finally {
      if (saved.url === undefined) delete process.env.SUPERVISOR_URL;
      else process.env.SUPERVISOR_URL = saved.url;
      if (saved.token === undefined) delete process.env.SUPERVISOR_TOKEN;
      else process.env.SUPERVISOR_TOKEN = saved.token;
    }
  });
});

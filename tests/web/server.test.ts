import { serve } from '@hono/node-server';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventLogWriter, writeJsonAtomic } from '../../src/contract/index.js';
import { buildWebApp, startWebServer, type RunningWebServer } from '../../src/web/index.js';
import { attributes, historyEntry, makeFixture, progress, status, writeDrive, writeHistory, waitFor, type WebFixture } from './fixtures.js';
import { SseClient } from './sse-client.js';

let fx: WebFixture;
let server: RunningWebServer | null = null;
const clients: SseClient[] = [];

function httpGet(url: string, localAddress?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { localAddress }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function openSse(url: string): Promise<SseClient> {
  const client = new SseClient(url);
  clients.push(client);
  await client.open();
  return client;
}

beforeEach(async () => {
  fx = await makeFixture();
  await writeDrive(fx, { status: status(), attributes: attributes({ disc_label: null, disc_type: null }) });
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await server?.stop();
  server = null;
  await fx.cleanup();
});

describe('startWebServer', () => {
  it('listens on a free port when asked for 0 and reports it', async () => {
    server = await startWebServer({ ...fx.deps, hostname: '127.0.0.1' });
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
    const res = await httpGet(`${server.url}healthz`);
    expect(res).toEqual({ status: 200, body: '{"status":"ok"}' });
  });

  it('applies the peer policy to the real socket address', async () => {
    server = await startWebServer({ ...fx.deps, hostname: '127.0.0.1', allowedPeers: (a) => a === '127.0.0.1' });
    expect((await httpGet(`${server.url}healthz`, '127.0.0.1')).status).toBe(200);
    const foreign = await httpGet(`${server.url}healthz`, '127.0.0.2');
    expect(foreign.status).toBe(403);
    expect(foreign.body).toContain('Forbidden');
  });

  it('fails with a clear error when the port is taken', async () => {
    server = await startWebServer({ ...fx.deps, hostname: '127.0.0.1' });
    const taken = { ...fx.deps, hostname: '127.0.0.1', config: { ...fx.config, web_port: server.port } };
    await expect(startWebServer(taken)).rejects.toThrow(/cannot listen on 127\.0\.0\.1:\d+/);
  });

  it('stop() ends open event streams instead of hanging', async () => {
    server = await startWebServer({ ...fx.deps, hostname: '127.0.0.1' });
    const client = await openSse(`${server.url}api/events`);
    await waitFor(() => client.of('snapshot').length > 0);
    await server.stop();
    server = null;
    await waitFor(() => client.ended, 10_000, 'stream end');
  });
});

describe('SSE', () => {
  it('streams a snapshot, then state, progress, attributes, history and log events, with heartbeats', async () => {
    server = await startWebServer({ ...fx.deps, hostname: '127.0.0.1' });
    const client = await openSse(`${server.url}api/events`);
    expect(client.status).toBe(200);
    expect(client.headers['content-type']).toContain('text/event-stream');
    expect(client.headers['cache-control']).toBe('no-cache, no-transform');
    expect(client.headers['content-length']).toBeUndefined();
    const [snapshot] = (await waitFor(() => (client.of('snapshot').length > 0 ? client.of('snapshot') : undefined))) as {
      drives: { id: string; status: { state: string } }[];
    }[];
    expect(snapshot?.drives[0]?.status.state).toBe('waiting_for_media');

    const log = new EventLogWriter(fx.paths, 64 * 1024);
    await log.start();
    await writeDrive(fx, { status: status({ state: 'copying', job_id: 'job-1' }) });
    await log.append('sim0', 'state_changed', { from: 'media_detected', to: 'copying', message: 'Copying' });
    await writeDrive(fx, { progress: progress({ percent: 12.5 }), attributes: attributes() });
    await writeHistory(fx, [historyEntry({ disc_label: 'DONE' })]);
    await waitFor(() => client.of('status').some((s) => (s as { status: { state: string } }).status.state === 'copying'), 20_000, 'status');
    await waitFor(() => client.of('progress').some((p) => (p as { progress: { percent: number } }).progress.percent === 12.5), 20_000, 'progress');
    await waitFor(() => client.of('attributes').length > 0, 20_000, 'attributes');
    await waitFor(() => client.of('history').some((h) => (h as { recent: { disc_label: string }[] }).recent[0]?.disc_label === 'DONE'), 20_000, 'history');
    const event = (await waitFor(() => client.messages.find((m) => m.event === 'event'), 20_000, 'event'));
    expect(event.id).toBe('1');
    expect(JSON.parse(event.data)).toMatchObject({ seq: 1, type: 'state_changed', data: { to: 'copying' } });
    await waitFor(() => client.of('heartbeat').length > 0, 20_000, 'heartbeat');
    await log.stop();
  });

  it('delivers every transition in order even when states change within milliseconds', async () => {
    server = await startWebServer({ ...fx.deps, hostname: '127.0.0.1' });
    const client = await openSse(`${server.url}api/events`);
    await waitFor(() => client.of('snapshot').length > 0);
    const log = new EventLogWriter(fx.paths, 64 * 1024);
    await log.start();
    const states = ['media_detected', 'analyzing', 'copying', 'completed', 'waiting_for_removal'];
    let from = 'waiting_for_media';
    for (const to of states) {
      void log.append('sim0', 'state_changed', { from, to, message: '' });
      from = to;
    }
    await waitFor(() => client.of('event').length === states.length, 20_000, 'all events');
    expect(client.of('event').map((e) => (e as { data: { to: string } }).data.to)).toEqual(states);
    await log.stop();
  });

  it('ends on the last state of a burst of writes (chokidar drops all but the first change in 50 ms)', async () => {
    server = await startWebServer({ ...fx.deps, hostname: '127.0.0.1' });
    const client = await openSse(`${server.url}api/events`);
    await waitFor(() => client.of('snapshot').length > 0);
    for (const state of ['media_detected', 'analyzing', 'copying'] as const) await writeJsonAtomic(fx.paths.status('sim0'), status({ state }));
    await waitFor(() => (client.of('status').at(-1) as { status: { state: string } } | undefined)?.status.state === 'copying', 20_000, 'final state');
  });

  it('shares one watcher between clients and releases it when the last one goes', async () => {
    const { app, hub } = buildWebApp(fx.deps);
    const node = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
    await new Promise((resolve) => node.once('listening', resolve));
    const url = `http://127.0.0.1:${(node.address() as AddressInfo).port}/api/events`;
    try {
      const a = await openSse(url);
      const b = await openSse(url);
      const c = await openSse(url);
      await waitFor(() => [a, b, c].every((x) => x.of('snapshot').length > 0));
      expect(hub.subscriberCount).toBe(3);
      expect(hub.watching).toBe(true);
      await writeJsonAtomic(fx.paths.status('sim0'), status({ state: 'analyzing' }));
      await waitFor(() => [a, b, c].every((x) => x.of('status').length > 0), 20_000, 'status on all clients');
      a.close();
      b.close();
      await waitFor(() => hub.subscriberCount === 1, 20_000, 'two unsubscribed');
      expect(hub.watching).toBe(true);
      c.close();
      await waitFor(() => hub.subscriberCount === 0 && !hub.watching, 20_000, 'watcher closed');
    } finally {
      await hub.stop();
      await new Promise((resolve) => node.close(resolve));
    }
  });
});

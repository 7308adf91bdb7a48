import { Script } from 'node:vm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accepted, coded, CONTROL_HEADER, refused } from '../../src/contract/index.js';
import { createApp, defaultPeerPolicy, isLoopback } from '../../src/web/index.js';
import { attributes, historyEntry, makeFixture, peerEnv, status, writeDrive, writeHistory, type WebFixture } from './fixtures.js';

let fx: WebFixture;
let app: ReturnType<typeof createApp>;
const HOSTILE = '<img src=x onerror=alert(1)>';

const command = (id: string, body: string, headers: Record<string, string> = { [CONTROL_HEADER]: '1' }, peer = '127.0.0.1') =>
  app.request(`/api/drives/${id}/command`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body }, peerEnv(peer));

beforeEach(async () => {
  fx = await makeFixture();
  app = createApp(fx.deps);
});
afterEach(async () => {
  await fx.cleanup();
});

describe('peer policy', () => {
  it('allows loopback and the ingress proxy, refuses everyone else', () => {
    const allowed = defaultPeerPolicy(false);
    for (const a of ['127.0.0.1', '127.0.0.2', '127.255.255.254', '::1', '::ffff:127.0.0.1', '172.30.32.2', '::ffff:172.30.32.2']) {
      expect(allowed(a), a).toBe(true);
    }
    for (const a of ['172.30.32.1', '172.30.33.2', '192.168.1.20', '10.0.0.1', '::ffff:192.168.1.2', 'fe80::1', '128.0.0.1', '127.0.0.256', '']) {
      expect(allowed(a), a).toBe(false);
    }
    expect(isLoopback('0:0:0:0:0:0:0:1')).toBe(true);
  });

  it('web_allow_all_peers widens it to everyone', () => {
    expect(defaultPeerPolicy(true)('192.168.1.20')).toBe(true);
  });

  it('a foreign peer gets 403 on every route, loopback and the ingress proxy get through', async () => {
    for (const path of ['/', '/api/status', '/healthz', '/app.js']) {
      expect((await app.request(path, {}, peerEnv('192.168.1.50'))).status, path).toBe(403);
    }
    expect((await app.request('/healthz', {}, peerEnv('172.30.32.2'))).status).toBe(200);
    expect((await app.request('/healthz', {}, peerEnv('::1'))).status).toBe(200);
  });

  it('a request without socket information is refused (fails closed)', async () => {
    expect((await app.request('/healthz')).status).toBe(403);
  });

  it('the option lets every peer in', async () => {
    const open = await makeFixture({ extra: { web_allow_all_peers: true } });
    try {
      const openApp = createApp(open.deps);
      expect((await openApp.request('/healthz', {}, peerEnv('192.168.1.50'))).status).toBe(200);
    } finally {
      await open.cleanup();
    }
  });
});

describe('control API', () => {
  it('runs a valid command and answers 200 {ok, message}', async () => {
    fx.control.next = accepted(coded('cmd_ejected'));
    const res = await command('sim0', JSON.stringify({ action: 'eject' }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, message: 'ejected', code: 'cmd_ejected', params: {} });
    expect(fx.control.calls).toEqual([{ driveId: 'sim0', command: { action: 'eject' } }]);
  });

  it('passes set_auto_copy with its flag', async () => {
    await command('sim0', JSON.stringify({ action: 'set_auto_copy', enabled: false }));
    expect(fx.control.calls[0]?.command).toEqual({ action: 'set_auto_copy', enabled: false });
  });

  it.each([
    ['not JSON', '{"action": '],
    ['empty body', ''],
    ['unknown command', JSON.stringify({ action: 'format_disk' })],
    ['extra field', JSON.stringify({ action: 'eject', now: true })],
    ['missing flag', JSON.stringify({ action: 'set_auto_copy' })],
    ['wrong type', JSON.stringify({ action: 'set_auto_copy', enabled: 'yes' })],
    ['array', '[1,2]'],
  ])('answers 400 to %s and changes nothing', async (_name, body) => {
    const res = await command('sim0', body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { ok: boolean; error: string }).ok).toBe(false);
    expect(fx.control.calls).toEqual([]);
  });

  it('answers 404 for an unknown drive', async () => {
    const res = await command('sr9', JSON.stringify({ action: 'eject' }));
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ ok: false, code: 'cmd_unknown_drive', params: { drive: 'sr9' } });
    expect(fx.control.calls).toEqual([]);
  });

  it('passes the core refusal through (409 / 500) with its error', async () => {
    fx.control.next = refused(409, coded('cmd_no_job', { action: 'cancel' }));
    const res = await command('sim0', JSON.stringify({ action: 'cancel' }));
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ ok: false, error: 'nothing to cancel (no job running)', code: 'cmd_no_job', params: { action: 'cancel' } });
    fx.control.next = refused(500, coded('cmd_eject_failed', { error: 'EIO' }));
    expect((await command('sim0', JSON.stringify({ action: 'eject' }))).status).toBe(500);
  });

  it('a throwing ControlApi becomes a 500 JSON error, not a crash', async () => {
    fx.control.onExecute = () => {
      throw new Error('boom');
    };
    const res = await command('sim0', JSON.stringify({ action: 'eject' }));
    expect(res.status).toBe(500);
    expect(((await res.json()) as { ok: boolean }).ok).toBe(false);
  });

  it('refuses a body over 16 KiB', async () => {
    const res = await command('sim0', JSON.stringify({ action: 'eject', pad: 'x'.repeat(20_000) }));
    expect(res.status).toBe(413);
    expect(fx.control.calls).toEqual([]);
  });
});

describe('CSRF', () => {
  const body = JSON.stringify({ action: 'eject' });

  it('refuses a state-changing request without the control header', async () => {
    const res = await command('sim0', body, {});
    expect(res.status).toBe(403);
    expect(fx.control.calls).toEqual([]);
  });

  it('refuses requests a browser marks as cross-site', async () => {
    for (const site of ['cross-site', 'same-site']) {
      const res = await command('sim0', body, { [CONTROL_HEADER]: '1', 'sec-fetch-site': site, host: 'ha.local:8123' });
      expect(res.status, site).toBe(403);
    }
    expect(fx.control.calls).toEqual([]);
  });

  it('refuses a foreign Origin, accepts the same origin (ingress keeps the browser Host)', async () => {
    const evil = await command('sim0', body, { [CONTROL_HEADER]: '1', origin: 'https://evil.example', host: 'ha.local:8123' });
    expect(evil.status).toBe(403);
    const nul = await command('sim0', body, { [CONTROL_HEADER]: '1', origin: 'null', host: 'ha.local:8123' });
    expect(nul.status).toBe(403);
    const same = await command('sim0', body, {
      [CONTROL_HEADER]: '1',
      origin: 'http://ha.local:8123',
      host: 'ha.local:8123',
      'sec-fetch-site': 'same-origin',
    });
    expect(same.status).toBe(200);
    const proxied = await command('sim0', body, { [CONTROL_HEADER]: '1', origin: 'https://ha.example.org', host: '127.0.0.1:8099', 'x-forwarded-host': 'ha.example.org' });
    expect(proxied.status).toBe(200);
    expect(fx.control.calls).toHaveLength(2);
  });

  it('guards the archive actions too', async () => {
    const res = await app.request('/api/archive/delete', { method: 'POST', body: JSON.stringify({ path: 'data/x.iso' }) }, peerEnv());
    expect(res.status).toBe(403);
  });
});

describe('escaping and headers', () => {
  it('renders a hostile disc label as text on every page', async () => {
    await writeDrive(fx, { status: status({ state: 'copying', message: HOSTILE }), attributes: attributes({ disc_label: HOSTILE }) });
    await writeHistory(fx, [historyEntry({ disc_label: HOSTILE, error_message: HOSTILE })]);
    for (const path of ['/', '/history']) {
      const html = await (await app.request(path, {}, peerEnv())).text();
      expect(html, path).not.toContain(HOSTILE);
      expect(html, path).toContain('&lt;img src=x onerror=alert(1)&gt;');
    }
  });

  it('embedded JSON cannot close its script element', async () => {
    const html = await (await app.request('/', {}, peerEnv())).text();
    const block = /<script type="application\/json" id="i18n">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
    expect(block.length).toBeGreaterThan(100);
    expect(block).not.toContain('<');
    expect(JSON.parse(block)).toHaveProperty('nav_dashboard');
  });

  it('sends a strict CSP and the other security headers', async () => {
    const res = await app.request('/', {}, peerEnv());
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('the client script never writes HTML from data', async () => {
    const js = await (await app.request('/app.js', {}, peerEnv())).text();
    expect(js).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    // Parses as a script (compiled, not run).
    expect(() => new Script(js)).not.toThrow();
  });
});

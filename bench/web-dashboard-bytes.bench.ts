import { expect, it } from 'vitest';
import { startWebServer } from '../src/web/index.js';
import { launchBrowser } from '../tests/web/browser.js';
import { FakeCore } from '../tests/web/fake-core.js';
import { makeFixture, waitFor } from '../tests/web/fixtures.js';
import { startIngressProxy } from '../tests/web/ingress-proxy.js';

const MiB = 1024 * 1024;

interface Transfer {
  url: string;
  bytes: number;
}

it('bytes transferred for a dashboard load (HTML, script, stylesheet, SSE snapshot), cold and warm', async () => {
  const fx = await makeFixture();
  const core = new FakeCore(fx);
  await core.start();
  for (let i = 0; i < 5; i++) {
    await core.insert(`DISC_${i}`, { total: 8 * MiB, speed: 64 * MiB });
    await waitFor(() => core.state === 'waiting_for_removal' || undefined, 30_000, 'job');
    await core.execute('sim0', { action: 'eject' });
  }
  await core.insert('RUNNING_DISC', { total: 900 * MiB, speed: 10 * MiB, holdAt: 0.5, bad: [[100 * MiB, 101 * MiB]] });
  const server = await startWebServer({ ...fx.deps, hostname: '127.0.0.1' });
  const proxy = await startIngressProxy(server.url);
  const browser = await launchBrowser();
  try {
    const page = await browser.context.newPage();
    const cdp = await browser.context.newCDPSession(page);
    await cdp.send('Network.enable');
    const urls = new Map<string, string>();
    const received = new Map<string, number>();
    const cached = new Set<string>();
    cdp.on('Network.requestWillBeSent', (e: { requestId: string; request: { url: string } }) => urls.set(e.requestId, e.request.url));
    // encodedDataLength counts what crossed the wire (headers + body); the SSE stream never "finishes", so count chunks.
    cdp.on('Network.responseReceived', (e: { requestId: string; response: { encodedDataLength: number } }) =>
      received.set(e.requestId, (received.get(e.requestId) ?? 0) + e.response.encodedDataLength),
    );
    cdp.on('Network.dataReceived', (e: { requestId: string; encodedDataLength: number }) =>
      received.set(e.requestId, (received.get(e.requestId) ?? 0) + e.encodedDataLength),
    );
    // When a request finishes, Chromium reports its exact total (headers + body) on the wire.
    cdp.on('Network.loadingFinished', (e: { requestId: string; encodedDataLength: number }) => received.set(e.requestId, e.encodedDataLength));
    cdp.on('Network.requestServedFromCache', (e: { requestId: string }) => cached.add(e.requestId));
    const measure = async (label: string): Promise<number> => {
      received.clear();
      urls.clear();
      cached.clear();
      await page.goto(proxy.url, { waitUntil: 'load' });
      await page.waitForSelector('#conn[data-conn="live"]');
      await page.waitForTimeout(300); // the snapshot is in; progress events would only add to it
      const transfers: Transfer[] = [...urls].map(([id, url]) => ({ url, bytes: cached.has(id) ? 0 : (received.get(id) ?? 0) }));
      const total = transfers.reduce((sum, t) => sum + t.bytes, 0);
      for (const t of transfers) console.log(`  ${label}: ${new URL(t.url).pathname.replace(proxy.prefix, '')} ${(t.bytes / 1024).toFixed(1)} KB`);
      console.log(`dashboard load (${label}): ${(total / 1024).toFixed(1)} KB transferred in ${transfers.length} requests (target < 100 KB)`);
      return total;
    };
    const cold = await measure('cold cache');
    const warm = await measure('warm cache');
    expect(cold).toBeGreaterThan(0);
    expect(warm).toBeGreaterThan(0);
  } finally {
    await browser.close();
    await proxy.stop();
    await server.stop();
    await core.stop();
    await fx.cleanup();
  }
});

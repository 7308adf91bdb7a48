/**
 * The event loop during a rescue of a disc where every sector fails at once: runCopy over a
 * 2 GiB source (1,048,576 sectors) while a child process polls `/healthz` of an HTTP server in
 * this process every 20 ms. Two sources: one with read() only (the SimulatedDrive's kind: the
 * rescue's reads run on the event loop, and failures that settle at once as microtasks are its
 * worst case), and one that also lends a descriptor (the Linux and file readers: the rescue
 * reads in a worker thread), a descriptor whose every read fails at once (a directory's:
 * EISDIR). Prints per source the worst and p99 `/healthz` latency (target < 250 ms), the event
 * loop delay of this process, reads per second and the log lines written.
 * Env: BENCH_HEALTHZ_SECTORS, BENCH_RUNS (default 1).
 */
import { closeSync, openSync } from 'node:fs';
import { createServer } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { execa } from 'execa';
import { pino } from 'pino';
import { expect, it } from 'vitest';
import { runCopy } from '../src/copy/index.js';
import { DriveReadError, type DiscReader } from '../src/drive/index.js';

const SECTORS = Number(process.env.BENCH_HEALTHZ_SECTORS ?? 1024 * 1024);
const S = 2048;

const POLLER = `
const url = process.argv[1];
const latencies = [];
let stop = false;
process.stdin.on('data', () => { stop = true; });
(async () => {
  while (!stop) {
    const t = performance.now();
    try { await (await fetch(url)).text(); } catch { latencies.push(-1); continue; }
    latencies.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 20));
  }
  console.log(JSON.stringify(latencies));
  process.exit(0);
})();
`;

const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 1));

/** A source whose every read() rejects at once; with `lendFd`, it also lends that descriptor. */
function failingSource(lendFd: number | null, counter: { reads: number }): DiscReader {
  const reader: DiscReader = {
    sizeBytes: SECTORS * S,
    devicePath: '/dev/sr0',
    read: (_buffer, position) => {
      counter.reads++;
      return Promise.reject(new DriveReadError('/dev/sr0', position, 'EIO'));
    },
    close: () => Promise.resolve(),
  };
  if (lendFd === null) return reader;
  return { ...reader, lend: (task) => task({ fd: lendFd, aligned: null, readTimeoutMs: 120_000 }) };
}

async function measure(label: string, reader: DiscReader, counter: { reads: number }, dir: string, url: string): Promise<void> {
  let logLines = 0;
  const logger = pino(
    { level: 'debug' },
    new Writable({
      write(_chunk, _encoding, done) {
        logLines++;
        done();
      },
    }),
  );
  const poller = execa(process.execPath, ['-e', POLLER, url], { stdin: 'pipe' });
  await new Promise((resolve) => setTimeout(resolve, 300));
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const started = performance.now();
  const result = await runCopy({
    reader,
    sizeBytes: SECTORS * S,
    targetPath: join(dir, `DEAD-${label}.iso`),
    checksums: ['sha256'],
    verify: false,
    readRetries: 1,
    onReadError: 'keep_degraded',
    stallTimeoutMs: 3_600_000,
    signal: new AbortController().signal,
    onProgress: () => undefined,
    logger,
  });
  const seconds = (performance.now() - started) / 1000;
  lag.disable();
  poller.stdin?.write('stop');
  const latencies = JSON.parse((await poller).stdout) as number[];
  expect(result.outcome).toBe('degraded');
  expect(result.badSectors).toBe(SECTORS);
  await rm(join(dir, `DEAD-${label}.iso`), { force: true });
  const ok = latencies.filter((l) => l >= 0).sort((a, b) => a - b);
  const worst = ok.at(-1) ?? Number.NaN;
  const p99 = ok[Math.min(ok.length - 1, Math.ceil(ok.length * 0.99) - 1)] ?? Number.NaN;
  const reads = reader.lend
    ? `${counter.reads} reads through read() (the first pass), the rest in the worker`
    : `${counter.reads} reads (${Math.round(counter.reads / seconds)}/s)`;
  console.log(
    `[healthz] ${label}: rescue of ${SECTORS} failing sectors (${(SECTORS * S) / 2 ** 30} GiB, 1 retry pass): ${seconds.toFixed(1)} s, ` +
      `${reads}, ${logLines} log lines at debug`,
  );
  console.log(
    `[healthz] ${label}: /healthz meanwhile: worst ${worst.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, ${ok.length} answers, ` +
      `${latencies.length - ok.length} failed (target: worst < 250 ms)`,
  );
  console.log(
    `[healthz] ${label}: event loop delay in this process: max ${(lag.max / 1e6).toFixed(1)} ms, p99 ${(lag.percentile(99) / 1e6).toFixed(1)} ms ` +
      '(the /healthz figure adds the poller process and the scheduling of both on this machine)',
  );
}

it(`rescue of ${SECTORS} sectors that all fail at once: /healthz latency meanwhile`, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'disk2iso-bench-healthz-'));
  const server = createServer((req, res) => {
    res.writeHead(req.url === '/healthz' ? 200 : 404, { 'content-type': 'application/json' });
    res.end('{"status":"ok"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`;
  // Every pread of a directory fails at once (EISDIR): a lent descriptor that reads nothing.
  const directory = openSync(dir, 'r');
  try {
    for (let run = 1; run <= RUNS; run++) {
      const plain = { reads: 0 };
      await measure(`run ${run}, read() only`, failingSource(null, plain), plain, dir, url);
      const lent = { reads: 0 };
      await measure(`run ${run}, lent descriptor (worker)`, failingSource(directory, lent), lent, dir, url);
    }
  } finally {
    closeSync(directory);
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

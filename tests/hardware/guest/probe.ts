/**
 * Runs INSIDE the QEMU guest: a small HTTP server exposing LinuxDrive on /dev/sr0, so the host
 * can check the drive layer against a real kernel CD-ROM driver step by step. Compiled by the rig
 * (tsc) together with src/drive; started by the guest's /init.
 */
import { createHash } from 'node:crypto';
import { createServer, type ServerResponse } from 'node:http';
import { DriveOperationError, DriveReadError } from '../../../src/drive/errors.js';
import { LinuxDrive } from '../../../src/drive/linux/index.js';
import { SECTOR_SIZE, type DriveStatusKind } from '../../../src/drive/types.js';

const PORT = 8098;
const DEVICE = process.env.PROBE_DEVICE ?? '/dev/sr0';
const drive = new LinuxDrive(DEVICE, 'sr0', { ejectRetryDelayMs: 200 });

/** Status transitions seen by a background poller (every 100 ms), with guest timestamps. */
const transitions: { status: DriveStatusKind | 'error'; at: number; code?: string }[] = [];
let lastStatus: string | null = null;
async function pollForever(): Promise<void> {
  for (;;) {
    let status: DriveStatusKind | 'error';
    let code: string | undefined;
    try {
      status = await drive.status();
    } catch (error) {
      status = 'error';
      code = error instanceof DriveOperationError ? error.code : String(error);
    }
    if (status !== lastStatus) {
      lastStatus = status;
      transitions.push({ status, at: Date.now(), ...(code === undefined ? {} : { code }) });
      process.stdout.write(`PROBE: ${JSON.stringify({ status, code })}\n`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function errorJson(error: unknown): Record<string, unknown> {
  if (error instanceof DriveReadError) return { error: 'DriveReadError', code: error.code, position: error.position };
  if (error instanceof DriveOperationError) return { error: 'DriveOperationError', code: error.code, operation: error.operation };
  return { error: 'Error', message: String(error) };
}

/** Reads the whole medium in 64 KiB chunks; after an error, sector by sector across the bad area. */
async function readAll(timeoutMs: number): Promise<Record<string, unknown>> {
  const reader = await new LinuxDrive(DEVICE, 'sr0', { timeouts: { read: timeoutMs } }).open();
  const hash = createHash('sha256');
  const badSectors: number[] = [];
  const chunk = 65_536;
  const buffer = Buffer.alloc(chunk);
  let position = 0;
  let errorCode: string | null = null;
  try {
    while (position < reader.sizeBytes) {
      const length = Math.min(chunk, reader.sizeBytes - position);
      try {
        const n = await reader.read(buffer, position, length);
        if (n === 0) break;
        hash.update(buffer.subarray(0, n));
        position += n;
      } catch (error) {
        if (!(error instanceof DriveReadError) || error.code !== 'EIO') throw error;
        // Rescue the chunk sector by sector: zero-fill the sectors the drive cannot read.
        const end = Math.min(position + length, reader.sizeBytes);
        for (let at = position; at < end; at += SECTOR_SIZE) {
          const one = Buffer.alloc(SECTOR_SIZE);
          try {
            await reader.read(one, at, SECTOR_SIZE);
          } catch (sectorError) {
            if (!(sectorError instanceof DriveReadError) || sectorError.code !== 'EIO') throw sectorError;
            if (sectorError.position !== at) throw new Error(`error reported at ${sectorError.position}, read was at ${at}`, { cause: sectorError });
            badSectors.push(at / SECTOR_SIZE);
          }
          hash.update(one);
        }
        position = end;
      }
    }
  } catch (error) {
    errorCode = error instanceof DriveReadError ? error.code : String(error);
  } finally {
    await reader.close().catch(() => undefined);
  }
  return { size: reader.sizeBytes, bytes: position, sha256: hash.digest('hex'), badSectors, errorCode };
}

/** CPU time per status() poll: the figure the poll loop of the core costs. */
async function bench(polls: number, device: string): Promise<Record<string, unknown>> {
  const target = device === DEVICE ? drive : new LinuxDrive(device);
  const before = process.cpuUsage();
  const started = process.hrtime.bigint();
  const seen = new Set<string>();
  for (let i = 0; i < polls; i++) seen.add(await target.status().catch((e: unknown) => (e instanceof DriveOperationError ? e.code : 'error')));
  const cpu = process.cpuUsage(before);
  const wall = Number(process.hrtime.bigint() - started) / 1e3;
  return { polls, cpuMicrosPerPoll: (cpu.user + cpu.system) / polls, wallMicrosPerPoll: wall / polls, statuses: [...seen] };
}

type Handler = (query: URLSearchParams) => Promise<unknown>;
const routes: Record<string, Handler> = {
  '/status': async () => ({ status: await drive.status() }),
  '/identity': async () => drive.identity(),
  '/disc-kind': async () => ({ kind: await drive.discKind() }),
  '/toc': async () => ({ toc: await drive.toc() }),
  '/eject': async () => {
    await drive.eject();
    return { ok: true };
  },
  '/close-tray': async () => {
    await drive.closeTray();
    return { ok: true };
  },
  '/lock': async (q) => {
    await drive.setLocked(q.get('on') === '1');
    return { ok: true };
  },
  '/read-all': async (q) => readAll(Number(q.get('timeout') ?? 120_000)),
  '/read': async (q) => {
    const position = Number(q.get('position') ?? 0);
    const length = Number(q.get('length') ?? SECTOR_SIZE);
    const reader = await new LinuxDrive(DEVICE, 'sr0', { timeouts: { read: Number(q.get('timeout') ?? 120_000) } }).open();
    try {
      const buffer = Buffer.alloc(length);
      const n = await reader.read(buffer, position, length);
      return { bytes: n, sha256: createHash('sha256').update(buffer.subarray(0, n)).digest('hex') };
    } finally {
      // Not awaited: behind a hung read the close waits for the kernel, the answer must not.
      void reader.close().catch(() => undefined);
    }
  },
  '/transitions': () => Promise.resolve({ transitions }),
  '/bench': async (q) => bench(Number(q.get('polls') ?? 10_000), q.get('device') ?? DEVICE),
  '/ping': () => Promise.resolve({ ok: true, loop: 'responsive' }),
};

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://guest');
  const handler = routes[url.pathname];
  if (!handler) {
    send(response, 404, { error: 'no such route' });
    return;
  }
  handler(url.searchParams).then(
    (body) => send(response, 200, body),
    (error: unknown) => send(response, 500, errorJson(error)),
  );
}).listen(PORT, () => {
  process.stdout.write(`PROBE: listening on ${PORT}\n`);
});

void pollForever();

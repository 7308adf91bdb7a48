import { renameSync, writeFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

// Every readFile of the process is counted (and still done by the real fs): the figure is how
// often one change of a contract file is read, whoever reads it.
// `inFlight`/`mostAtOnce`: reads of one path that overlap (two overlapping reads can finish out of order).
const reads = vi.hoisted(() => ({ paths: [] as string[], inFlight: new Map<string, number>(), mostAtOnce: new Map<string, number>() }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const readFile = ((path: Parameters<typeof real.readFile>[0], ...rest: unknown[]) => {
    if (typeof path !== 'string') return (real.readFile as (...args: unknown[]) => Promise<unknown>)(path, ...rest);
    reads.paths.push(path);
    const now = (reads.inFlight.get(path) ?? 0) + 1;
    reads.inFlight.set(path, now);
    reads.mostAtOnce.set(path, Math.max(now, reads.mostAtOnce.get(path) ?? 0));
    return (real.readFile as (...args: unknown[]) => Promise<unknown>)(path, ...rest).finally(() => reads.inFlight.set(path, (reads.inFlight.get(path) ?? 1) - 1));
  }) as typeof real.readFile;
  return { ...real, default: { ...real, readFile }, readFile };
});

const { apiPaths, ContractWatcher, EventLogWriter, writeJsonAtomic } = await import('../../src/contract/index.js');
const { classifyContractPath, TRAILING_CHECK_MS } = await import('../../src/contract/contract-watcher.js');
type ContractChange = import('../../src/contract/index.js').ContractChange;
const { buildWebApp } = await import('../../src/web/index.js');
const { startBridge } = await import('../../src/mqtt/index.js');
const { makeFixture, peerEnv, status, waitFor, DRIVE } = await import('../web/fixtures.js');
const { memoryLogger, testConfig, FAST_SETTINGS } = await import('../mqtt/support.js');

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const readsOf = (path: string): number => reads.paths.filter((p) => p === path).length;
/** Long enough for every trailing check of a change to have run. */
const settle = () => new Promise((resolve) => setTimeout(resolve, TRAILING_CHECK_MS * 5));

/** Three writes in one tick, as the core writes media_detected → analyzing → copying. */
function burst(path: string, values: unknown[]): void {
  for (const [i, value] of values.entries()) {
    writeFileSync(`${path}.tmp${i}`, JSON.stringify(value));
    renameSync(`${path}.tmp${i}`, path);
  }
}

async function watcherRig(options: { events?: 'tail' | 'notify' } = {}) {
  const fx = await makeFixture();
  cleanups.push(() => fx.cleanup());
  await writeJsonAtomic(fx.paths.status(DRIVE), status());
  const log = memoryLogger();
  const watcher = new ContractWatcher(fx.paths, { drives: () => [DRIVE], log: log.logger, events: options.events ?? 'tail' });
  cleanups.push(() => watcher.close());
  const changes: ContractChange[] = [];
  watcher.subscribe((change) => changes.push(change));
  await watcher.start();
  return { fx, watcher, changes, log };
}

describe('ContractWatcher', () => {
  it('reads one change once and a burst once, and reports its last value', async () => {
    const { fx, changes } = await watcherRig();
    const file = fx.paths.status(DRIVE);
    reads.paths.length = 0;
    await writeJsonAtomic(file, status({ state: 'media_detected' }));
    await waitFor(() => changes.some((c) => c.kind === 'status' && c.value?.state === 'media_detected'));
    await settle();
    expect(readsOf(file)).toBe(1);

    reads.paths.length = 0;
    changes.length = 0;
    burst(file, [status({ state: 'media_detected' }), status({ state: 'analyzing' }), status({ state: 'copying' })]);
    await waitFor(() => changes.some((c) => c.kind === 'status' && c.value?.state === 'copying'));
    await settle();
    expect(readsOf(file)).toBe(1);
    expect(changes.map((c) => (c.kind === 'status' ? c.value?.state : c.kind))).toEqual(['copying']);
  });

  it('never reads one file twice at once, so a slow older read cannot overwrite a newer value', async () => {
    const { fx, watcher } = await watcherRig();
    const file = fx.paths.status(DRIVE);
    reads.mostAtOnce.delete(file);
    const loads: Array<Promise<boolean>> = [];
    // Writes between loads that are still running: the core's writes while the bridge, its
    // trailing check and the safety poll all load the same file.
    for (let i = 0; i < 60; i++) {
      burst(file, [status({ message: `write ${i}` })]);
      loads.push(watcher.load({ kind: 'status', drive: DRIVE }), watcher.load({ kind: 'status', drive: DRIVE }));
      if (i % 3 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(loads);
    await watcher.load({ kind: 'status', drive: DRIVE });
    expect(reads.mostAtOnce.get(file)).toBe(1);
    expect(watcher.status.get(DRIVE)?.message).toBe('write 59');
  });

  it('keeps the last good value of an invalid file and logs it once', async () => {
    const { fx, watcher, changes, log } = await watcherRig();
    const file = fx.paths.status(DRIVE);
    await writeJsonAtomic(file, status({ state: 'idle' }));
    await waitFor(() => watcher.status.get(DRIVE)?.state === 'idle');
    changes.length = 0;
    writeFileSync(`${file}.t`, '{"torn":');
    renameSync(`${file}.t`, file);
    await waitFor(() => log.lines.some((l) => l.msg.includes('ignoring an invalid contract file')));
    writeFileSync(`${file}.t`, JSON.stringify({ state: 'not a status' }));
    renameSync(`${file}.t`, file);
    await settle();
    await watcher.load({ kind: 'status', drive: DRIVE });
    expect(watcher.status.get(DRIVE)?.state).toBe('idle');
    expect(log.lines.filter((l) => l.msg.includes('ignoring an invalid contract file'))).toHaveLength(1);
    expect(changes).toEqual([]);
    await writeJsonAtomic(file, status({ state: 'analyzing' }));
    await waitFor(() => changes.some((c) => c.kind === 'status' && c.value?.state === 'analyzing'));
    expect(log.lines.some((l) => l.msg.includes('is no longer invalid'))).toBe(true);
  });

  it('gives the web snapshot the same rule: an invalid file keeps its last good value', async () => {
    const fx = await makeFixture();
    cleanups.push(() => fx.cleanup());
    const file = fx.paths.status(DRIVE);
    await writeJsonAtomic(file, status({ state: 'copying' }));
    const { app } = buildWebApp(fx.deps);
    const state = async () => ((await (await app.request('/api/status', {}, peerEnv())).json()) as { drives: Array<{ status: { state: string } | null }> }).drives[0]?.status?.state;
    expect(await state()).toBe('copying');
    writeFileSync(file, '{"torn":');
    expect(await state()).toBe('copying');
    await rm(file);
    expect(await state()).toBeUndefined();
  });

  it('ignores the files of drives it was not given', async () => {
    const { fx, changes } = await watcherRig();
    await mkdir(fx.paths.driveDir('other'), { recursive: true });
    await writeJsonAtomic(fx.paths.status('other'), { ...status(), drive_id: 'other' });
    await writeJsonAtomic(fx.paths.status(DRIVE), status({ state: 'analyzing' }));
    await waitFor(() => changes.some((c) => c.kind === 'status' && c.value?.state === 'analyzing'));
    await settle();
    expect(changes.filter((c) => c.kind === 'status').map((c) => (c.kind === 'status' ? c.drive : ''))).toEqual([DRIVE]);
  });

  it('tails events.jsonl in order, or only says it grew', async () => {
    const tail = await watcherRig({ events: 'tail' });
    const writer = new EventLogWriter(tail.fx.paths, 1 << 20);
    await writer.start();
    cleanups.push(() => writer.stop());
    for (const type of ['disc_inserted', 'state_changed', 'copy_started'] as const) await writer.append(DRIVE, type);
    const seqs = await waitFor(() => {
      const got = tail.changes.flatMap((c) => (c.kind === 'events' ? c.events.map((e) => e.seq) : []));
      return got.length >= 3 && got;
    });
    expect(seqs).toEqual([1, 2, 3]);

    const notify = await watcherRig({ events: 'notify' });
    writeFileSync(notify.fx.paths.events, `${JSON.stringify({ seq: 1, ts: new Date().toISOString(), drive: DRIVE, type: 'disc_inserted', data: {} })}\n`);
    await waitFor(() => notify.changes.some((c) => c.kind === 'appended'));
    expect(notify.changes.some((c) => c.kind === 'events')).toBe(false);
  });

  it('classifies the contract paths', () => {
    const paths = apiPaths('/data/api');
    expect(classifyContractPath(paths, '/data/api/events.1.jsonl')).toEqual({ kind: 'events' });
    expect(classifyContractPath(paths, '/data/api/archive.json')).toEqual({ kind: 'archive' });
    expect(classifyContractPath(paths, '/data/api/drives/sr0/progress.json')).toEqual({ kind: 'progress', drive: 'sr0' });
    expect(classifyContractPath(paths, '/data/api/drives/sr0/x/status.json')).toBeNull();
    expect(classifyContractPath(paths, '/data/api/drives/a b/status.json')).toBeNull();
    expect(classifyContractPath(paths, '/data/api/archive/index.jsonl')).toBeNull();
  });
});

describe('one read per change for each reader (was 4 in the web hub and 4 in the bridge)', () => {
  it('the web hub', async () => {
    const fx = await makeFixture();
    cleanups.push(() => fx.cleanup());
    await writeJsonAtomic(fx.paths.status(DRIVE), status());
    const { hub } = buildWebApp(fx.deps);
    cleanups.push(() => hub.stop());
    const states: string[] = [];
    await hub.subscribe({ message: (m) => m.event === 'status' && states.push(m.data.status.state), close: () => undefined }).ready;
    const file = fx.paths.status(DRIVE);
    reads.paths.length = 0;
    await writeJsonAtomic(file, status({ state: 'analyzing' }));
    await waitFor(() => states.includes('analyzing'));
    await settle();
    expect(readsOf(file)).toBe(1);
    expect(states).toEqual(['analyzing']);
  });

  it('the MQTT bridge', async () => {
    const fx = await makeFixture({ drives: ['sr0'] });
    cleanups.push(() => fx.cleanup());
    const file = fx.paths.status('sr0');
    await writeJsonAtomic(file, { ...status(), drive_id: 'sr0' });
    // No broker: the bridge reads the contract whether or not it is connected.
    const bridge = await startBridge(testConfig(fx.apiDir, ['sr0']), memoryLogger().logger, {
      broker: { url: 'mqtt://127.0.0.1:9' },
      supervisor: null,
      configurationUrl: null,
      stateDir: join(fx.root, 'mqtt'),
      ...FAST_SETTINGS,
      pollMs: 60_000,
    });
    cleanups.push(() => bridge.stop());
    await settle();
    reads.paths.length = 0;
    await writeJsonAtomic(file, { ...status({ state: 'analyzing' }), drive_id: 'sr0' });
    await waitFor(() => readsOf(file) > 0);
    await settle();
    expect(readsOf(file)).toBe(1);
  });
});

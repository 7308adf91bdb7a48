import { readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireApiLock, CoreLockedError, LOCK_FRESH_MS, LOCK_NAME, LOCK_REFRESH_MS } from '../../src/core/api-lock.js';
import type { RunningCore } from '../../src/core/run.js';
import { simInsert, simReset } from '../../src/drive/index.js';
import { events, history, startTestCore, testConfig, waitForState } from '../helpers/core.js';
import { makeDataIso } from '../helpers/images.js';
import { makeTempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait.js';

async function startTicks(pid: number): Promise<string> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
}

describe('one core per api_dir', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const cores: RunningCore[] = [];

  beforeEach(async () => ({ dir, cleanup } = await makeTempDir()));
  afterEach(async () => {
    for (const core of cores.splice(0)) await core.stop();
    await cleanup();
  });

  it('a second core exits with one clear line and changes nothing while the first one copies', async () => {
    const sim = join(dir, 'sim0');
    await simReset(sim);
    const config = testConfig(dir, [sim]);
    cores.push(await startTestCore(config));
    await waitForState(config, 'sim0', 'waiting_for_media');
    await simInsert(sim, await makeDataIso(dir, { label: 'ONLY_ONCE', bytes: 4 * 1024 * 1024, seed: 3 }), { bytes_per_second: 2 * 1024 * 1024 });
    await waitForState(config, 'sim0', 'copying');
    const before = await events(config);

    const second = startTestCore(config);
    await expect(second).rejects.toThrow(CoreLockedError);
    await expect(second).rejects.toThrow(
      new RegExp(`^another disk2iso core \\(pid ${process.pid}\\) is already running on ${config.api_dir}; this one exits and changes nothing$`),
    );
    // Nothing recorded: the running job is not "interrupted", no event was appended by the second core.
    expect((await history(config))?.entries ?? []).toEqual([]);
    const during = await events(config);
    expect(during.slice(0, before.length)).toEqual(before);
    expect(during.filter((e) => e.type === 'service_started')).toHaveLength(1);

    await waitFor(async () => (await history(config))?.entries.length === 1, { message: 'the first core finished its copy', timeoutMs: 30_000 });
    const entry = (await history(config))?.entries[0];
    expect(entry?.result).toBe('success');
    expect(entry?.image_path).toBe(join(config.output_dir, 'data', 'ONLY_ONCE.iso'));
    const seqs = (await events(config)).map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(seqs.length);
  });

  it('releases the lock on stop, so the next start runs', async () => {
    const config = testConfig(dir, [join(dir, 'sim0')]);
    await simReset(join(dir, 'sim0'));
    const first = await startTestCore(config);
    await first.stop();
    cores.push(await startTestCore(config));
  });

  it('takes over a stale lock: the owner has exited, or its pid now names another process', async () => {
    const api = join(dir, 'api');
    const exited = execa('true');
    const gonePid = exited.pid ?? 0;
    await exited;
    await (await acquireApiLock(api)).release();
    await writeFile(join(api, LOCK_NAME), JSON.stringify({ pid: gonePid, boot_id: null, start_ticks: '1' }));
    await (await acquireApiLock(api)).release();
    // Our own pid, but another start time: a container restart that reused the pid.
    await writeFile(join(api, LOCK_NAME), JSON.stringify({ pid: process.pid, boot_id: null, start_ticks: '1' }));
    await (await acquireApiLock(api)).release();
    // Another boot.
    await writeFile(join(api, LOCK_NAME), JSON.stringify({ pid: process.pid, boot_id: 'another-boot', start_ticks: await startTicks(process.pid) }));
    await (await acquireApiLock(api)).release();
    // Garbage in the lock file is no owner.
    await writeFile(join(api, LOCK_NAME), 'not json');
    const lock = await acquireApiLock(api);
    expect(JSON.parse(await readFile(lock.path, 'utf8'))).toMatchObject({ pid: process.pid });
    await lock.release();
    await expect(stat(lock.path)).rejects.toThrow(/ENOENT/);
  });

  it('a lock from another container (pid namespace) counts as live while its owner keeps touching it', async () => {
    const api = join(dir, 'api');
    await (await acquireApiLock(api)).release();
    const path = join(api, LOCK_NAME);
    await writeFile(path, JSON.stringify({ pid: 7, pid_ns: 'pid:[1]', boot_id: null, start_ticks: '99' }));
    // The other container's core keeps touching its lock while this one waits.
    const heartbeat = setInterval(() => void utimes(path, new Date(), new Date()).catch(() => undefined), LOCK_REFRESH_MS);
    try {
      await expect(acquireApiLock(api)).rejects.toThrow('another disk2iso core (pid 7) is already running');
    } finally {
      clearInterval(heartbeat);
    }
    const old = new Date(Date.now() - 2 * LOCK_FRESH_MS);
    await utimes(path, old, old);
    await (await acquireApiLock(api)).release();
  });

  it('a fresh lock left by a crashed core in the previous container is waited out, not a refusal', async () => {
    const api = join(dir, 'api');
    await (await acquireApiLock(api)).release();
    const path = join(api, LOCK_NAME);
    // Written a moment ago by a core in another pid namespace that no longer touches it.
    await writeFile(path, JSON.stringify({ pid: 7, pid_ns: 'pid:[1]', boot_id: null, start_ticks: '99' }));
    const lock = await acquireApiLock(api);
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ pid: process.pid });
    await lock.release();
  });

  it('refuses while another live process holds the lock', async () => {
    const api = join(dir, 'api');
    const other = execa('sleep', ['30']);
    try {
      const pid = other.pid ?? 0;
      await (await acquireApiLock(api)).release();
      await writeFile(join(api, LOCK_NAME), JSON.stringify({ pid, boot_id: null, start_ticks: await startTicks(pid) }));
      await expect(acquireApiLock(api)).rejects.toThrow(`another disk2iso core (pid ${pid}) is already running on ${api}`);
      // The refused start left the owner's lock as it was.
      expect(JSON.parse(await readFile(join(api, LOCK_NAME), 'utf8'))).toMatchObject({ pid });
    } finally {
      other.kill('SIGKILL');
      await other.catch(() => undefined);
    }
  });
});

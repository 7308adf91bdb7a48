import { mkdir, open, readFile, readlink, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { CORE_LOCK_FRESH_MS, CORE_LOCK_NAME, CORE_LOCK_REFRESH_MS } from '../contract/index.js';
import { Disk2isoError, errnoCode } from '../util/errors.js';

/** The lock file of the core that owns an api_dir (a dot file: watchers ignore it). */
export const LOCK_NAME = CORE_LOCK_NAME;

/** Another core owns the api_dir: this one must change nothing and exit. */
export class CoreLockedError extends Disk2isoError {
  constructor(apiDir: string, pid: number) {
    super(`another disk2iso core (pid ${pid}) is already running on ${apiDir}; this one exits and changes nothing`, {
      context: { api_dir: apiDir, pid },
    });
  }
}

/**
 * A live core touches its lock this often; one from another container counts as live while fresh.
 * The MQTT bridge reads the same freshness as the core's liveness (src/contract/liveness.ts).
 */
export const LOCK_REFRESH_MS = CORE_LOCK_REFRESH_MS;
export const LOCK_FRESH_MS = CORE_LOCK_FRESH_MS;

interface LockOwner {
  readonly pid: number;
  /** The owner's pid namespace (`pid:[4026531836]`): another one means another container. */
  readonly pid_ns: string | null;
  readonly boot_id: string | null;
  /** Start time of the process in clock ticks since boot (/proc/<pid>/stat field 22). */
  readonly start_ticks: string | null;
}

async function bootId(): Promise<string | null> {
  return readFile('/proc/sys/kernel/random/boot_id', 'utf8').then((t) => t.trim(), () => null);
}

async function startTicks(pid: number): Promise<string | null> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  // The command name (field 2) may hold spaces and parentheses: count fields after the last ')'.
  const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields?.[19] ?? null;
}

async function pidNamespace(): Promise<string | null> {
  return readlink('/proc/self/ns/pid').catch(() => null);
}

async function ownerOf(path: string): Promise<LockOwner | null> {
  try {
    const value: unknown = JSON.parse(await readFile(path, 'utf8'));
    if (typeof value !== 'object' || value === null) return null;
    const { pid, pid_ns: ns, boot_id: boot, start_ticks: ticks } = value as Record<string, unknown>;
    if (typeof pid !== 'number' || !Number.isInteger(pid) || pid <= 0) return null;
    return {
      pid,
      pid_ns: typeof ns === 'string' ? ns : null,
      boot_id: typeof boot === 'string' ? boot : null,
      start_ticks: typeof ticks === 'string' ? ticks : null,
    };
  } catch {
    return null;
  }
}

const mtime = (path: string): Promise<number> => stat(path).then((s) => s.mtimeMs, () => 0);

/**
 * An owner in another pid namespace: its pid means nothing here, its heartbeat does. Every
 * container start is a new namespace, so this is also the lock a crashed core left behind when
 * Home Assistant restarts the add-on at once: the lock is waited out until it goes stale (its
 * owner no longer touches it), and only an owner that keeps touching it for two fresh-windows
 * counts as live. Refusing at once would make the watchdog's restarts after a crash fail.
 */
async function foreignOwnerAlive(path: string, wait = 2 * LOCK_FRESH_MS): Promise<boolean> {
  const deadline = Date.now() + wait;
  for (;;) {
    if (Date.now() - (await mtime(path)) >= LOCK_FRESH_MS) return false;
    if (Date.now() >= deadline) return true;
    await new Promise((resolve) => setTimeout(resolve, LOCK_REFRESH_MS / 4));
  }
}

/**
 * Whether the process that wrote the lock still runs: same boot, the pid alive, and (where
 * /proc tells) the same process start time, so a pid reused after a restart is not mistaken
 * for the owner.
 */
async function alive(owner: LockOwner, path: string): Promise<boolean> {
  const boot = await bootId();
  if (owner.boot_id !== null && boot !== null && owner.boot_id !== boot) return false;
  const ns = await pidNamespace();
  if (owner.pid_ns !== null && ns !== null && owner.pid_ns !== ns) return foreignOwnerAlive(path);
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    if (errnoCode(error) !== 'EPERM') return false;
  }
  const ticks = owner.start_ticks === null ? null : await startTicks(owner.pid);
  // Without start times, our own pid in the lock is a restart that reused it (containers start at low pids).
  if (ticks === null) return owner.pid !== process.pid;
  return ticks === owner.start_ticks;
}

/** A held lock; `release()` removes the file if it is still ours. */
export interface ApiLock {
  readonly path: string;
  release(): Promise<void>;
}

/**
 * Takes the api_dir's lock before anything else is written there. Node has no flock(2), so the
 * lock is a file created with O_EXCL that names its owner (pid, pid namespace, boot id, process
 * start time); a lock whose owner no longer runs is stale and taken over. An owner in another
 * pid namespace (another container sharing /data) cannot be asked by pid: its lock counts as
 * live while the owner keeps touching it (every LOCK_REFRESH_MS). Throws CoreLockedError when
 * a live core holds it.
 */
export async function acquireApiLock(apiDir: string): Promise<ApiLock> {
  await mkdir(apiDir, { recursive: true });
  const path = join(apiDir, LOCK_NAME);
  const me: LockOwner = { pid: process.pid, pid_ns: await pidNamespace(), boot_id: await bootId(), start_ticks: await startTicks(process.pid) };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const handle = await open(path, 'wx', 0o644);
      try {
        await handle.writeFile(`${JSON.stringify(me)}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      const now = () => new Date();
      const heartbeat = setInterval(() => void utimes(path, now(), now()).catch(() => undefined), LOCK_REFRESH_MS);
      heartbeat.unref();
      return {
        path,
        async release() {
          clearInterval(heartbeat);
          const owner = await ownerOf(path);
          if (owner?.pid === me.pid && owner.start_ticks === me.start_ticks) await rm(path, { force: true });
        },
      };
    } catch (error) {
      if (errnoCode(error) !== 'EEXIST') throw error;
    }
    const owner = await ownerOf(path);
    // A lock file being written this instant reads as empty: give its writer a moment.
    if (owner === null && attempt === 0) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const again = await ownerOf(path);
      if (again !== null && (await alive(again, path))) throw new CoreLockedError(apiDir, again.pid);
    } else if (owner !== null && (await alive(owner, path))) {
      throw new CoreLockedError(apiDir, owner.pid);
    }
    await rm(path, { force: true });
  }
  throw new Disk2isoError(`cannot take the lock ${path}: it keeps coming back`, { context: { path } });
}

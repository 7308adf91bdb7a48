import { readFile } from 'node:fs/promises';
import { execa, type Result } from 'execa';
import type { Logger } from '../../log/index.js';
import type { CopyReason } from '../errors.js';
import { settleWithin, type CopyGuard } from '../guard.js';
import { freeSpace } from '../space.js';
import { packageOf } from './inventory.js';

/** One run of an external tool inside a copy. */
export interface ToolRun {
  /** Executable name, looked up on PATH. */
  readonly tool: string;
  /** Arguments; never passed through a shell. */
  readonly args: readonly string[];
  /** What the run does, for messages ("reading the DVD", "encoding track 3"). */
  readonly purpose: string;
  /** Reason recorded when the tool exits non-zero and the disk is not full. */
  readonly failReason: CopyReason;
  /** A folder on the output filesystem: a tool failing while it is (nearly) full is reported as `disk_full`. */
  readonly outputDir: string;
  /** Polled every 250 ms (output size, say); a changed value counts as progress for the stall watchdog. */
  readonly probe?: () => Promise<number>;
  readonly onProbe?: (value: number) => void;
  /** Every stdout/stderr line (progress parsing); a `true` return also counts as progress. */
  readonly onLine?: (line: string) => boolean | void;
  /** Bytes the tool has read so far (Linux /proc/<pid>/io), for tools that report no progress. */
  readonly onReadBytes?: (bytes: number) => void;
}

const POLL_MS = 250;
/** SIGTERM first, SIGKILL after this long (SPEC: cancel within ~2 s). */
const KILL_GRACE_MS = 2000;
/** Cleanup waits at most this long for a killed tool to exit (a process in D state may never). */
const EXIT_WAIT_MS = KILL_GRACE_MS + 3000;
const TAIL_LINES = 40;
const MAX_LINE = 400;
/** Below this much free space a failing writer is taken to have filled the disk. */
const NEARLY_FULL_BYTES = 1024 * 1024;
const NO_SPACE = /no space left on device|disk is full|ENOSPC|quota exceeded/i;
/** Lines that never explain a failure: libdvdread's CSS banner, cdparanoia's `-e` callbacks, blank lines. */
const NOISE = /^\s*$|^\s*\*\*|^##: |^\s*\*+\s*$/;

/**
 * Runs a tool to completion under the copy's guard: a cancel or stall kills it (SIGTERM, SIGKILL
 * after 2 s) and throws the guard's stop; a failure throws a stop that says which tool, why and
 * its last output line. A missing executable is named with the package that provides it.
 */
export async function runTool(run: ToolRun, guard: CopyGuard, logger: Logger): Promise<void> {
  guard.throwIfStopped();
  guard.activity();
  const killer = new AbortController();
  const tail: string[] = [];
  logger.debug({ tool: run.tool, args: run.args }, 'running %s', run.tool);
  const child = execa(run.tool, [...run.args], {
    reject: false,
    stdin: 'ignore',
    buffer: false,
    cancelSignal: killer.signal,
    forceKillAfterDelay: KILL_GRACE_MS,
  });
  const onText = lineSplitter((line) => {
    if (!NOISE.test(line)) {
      tail.push(line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}…` : line);
      if (tail.length > TAIL_LINES) tail.shift();
    }
    if (run.onLine?.(line) === true) guard.activity();
  });
  child.stdout?.setEncoding('utf8').on('data', onText);
  child.stderr?.setEncoding('utf8').on('data', onText);
  const stopPolling = poll(run, child.pid, guard);
  let result: Result;
  try {
    result = await guard.race(child);
  } catch (error) {
    killer.abort();
    await settleWithin(child, EXIT_WAIT_MS);
    throw guard.stopped ?? error;
  } finally {
    stopPolling();
  }
  if (!result.failed) return;
  throw await failure(run, result, tail, guard, logger);
}

async function failure(run: ToolRun, result: Result, tail: readonly string[], guard: CopyGuard, logger: Logger): Promise<Error> {
  if (result.exitCode === undefined && result.signal === undefined && result.code === 'ENOENT') {
    const pkg = packageOf(run.tool);
    return guard.stop('io_error', `${run.tool} is not installed (not found on PATH); it is needed for ${run.purpose} (package '${pkg}')`);
  }
  logger.warn({ tool: run.tool, exitCode: result.exitCode, signal: result.signal, output: tail }, '%s failed', run.tool);
  const last = tail.at(-1) ?? 'no output';
  const how = result.signal ? `killed by ${result.signal}` : result.exitCode !== undefined ? `exit code ${result.exitCode}` : result.shortMessage;
  if (tail.some((line) => NO_SPACE.test(line)) || (await nearlyFull(run.outputDir))) {
    return guard.stop('disk_full', `no space left on device while ${run.purpose} (${run.tool}: ${last})`);
  }
  return guard.stop(run.failReason, `${run.tool} failed while ${run.purpose} (${how}): ${last}`);
}

async function nearlyFull(dir: string): Promise<boolean> {
  try {
    return (await freeSpace(dir)).freeBytes < NEARLY_FULL_BYTES;
  } catch {
    return false;
  }
}

/**
 * Every POLL_MS (never two at once): the run's probe, and the tool's own I/O counters
 * (/proc/<pid>/io, Linux). A change in either restarts the stall watchdog, so a tool that
 * reads for minutes without writing (a verify pass) is not taken for a stalled one.
 */
function poll(run: ToolRun, pid: number | undefined, guard: CopyGuard): () => void {
  let lastProbe: number | null = null;
  let lastIo: string | null = null;
  let busy = false;
  const tick = async (): Promise<void> => {
    const [value, io] = await Promise.all([run.probe?.().catch(() => null) ?? null, pid === undefined ? null : processIo(pid)]);
    if (value !== null && value !== lastProbe) {
      lastProbe = value;
      guard.activity();
      run.onProbe?.(value);
    }
    const key = io === null ? null : `${io.read}/${io.written}`;
    if (io !== null && key !== lastIo) {
      lastIo = key;
      guard.activity();
      run.onReadBytes?.(io.read);
    }
  };
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void tick()
      .catch(() => undefined)
      .finally(() => {
        busy = false;
      });
  }, POLL_MS);
  return () => clearInterval(timer);
}

/** `rchar`/`wchar` of a process (every read and write syscall, cached or not); null when unreadable. */
async function processIo(pid: number): Promise<{ read: number; written: number } | null> {
  try {
    const text = await readFile(`/proc/${pid}/io`, 'utf8');
    const read = /^rchar: (\d+)$/m.exec(text)?.[1];
    const written = /^wchar: (\d+)$/m.exec(text)?.[1];
    return read === undefined || written === undefined ? null : { read: Number(read), written: Number(written) };
  } catch {
    return null;
  }
}

/** Text chunks to lines (`\n` or `\r`); a partial line waits for its end, bounded in length. */
function lineSplitter(onLine: (line: string) => void): (chunk: string) => void {
  let pending = '';
  return (chunk) => {
    pending += chunk;
    const parts = pending.split(/\r\n|\r|\n/);
    pending = parts.pop() ?? '';
    if (pending.length > 4 * MAX_LINE) pending = pending.slice(-MAX_LINE);
    for (const part of parts) onLine(part);
  };
}

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parseOptions, type Config } from '../../src/config/index.js';
import {
  SCHEMA_VERSION,
  accepted,
  apiPaths,
  coded,
  writeJsonAtomic,
  type ApiPaths,
  type Attributes,
  type ControlApi,
  type ControlCommand,
  type ControlResult,
  type DriveStatus,
  type HistoryEntry,
  type Progress,
  type SystemInfo,
} from '../../src/contract/index.js';
import { LogBuffer, createLogger, type Logger } from '../../src/log/index.js';
import type { WebServerDeps } from '../../src/web/index.js';

/** A ControlApi that records what it was asked; the boundary between the web layer and the core. */
export class FakeControl implements ControlApi {
  readonly calls: { driveId: string; command: ControlCommand }[] = [];
  next: ControlResult = accepted(coded('text', { text: 'done' }));
  onExecute: ((driveId: string, command: ControlCommand) => Promise<ControlResult> | ControlResult) | null = null;

  constructor(private readonly ids: readonly string[]) {}

  driveIds(): readonly string[] {
    return this.ids;
  }

  async execute(driveId: string, command: ControlCommand): Promise<ControlResult> {
    this.calls.push({ driveId, command });
    return this.onExecute ? this.onExecute(driveId, command) : this.next;
  }
}

export interface WebFixture {
  root: string;
  apiDir: string;
  outputDir: string;
  paths: ApiPaths;
  config: Config;
  control: FakeControl;
  logs: LogBuffer;
  logger: Logger;
  deps: WebServerDeps;
  cleanup(): Promise<void>;
}

export const DRIVE = 'sim0';

export async function makeFixture(options: { drives?: string[]; extra?: Record<string, unknown> } = {}): Promise<WebFixture> {
  const root = await mkdtemp(join(tmpdir(), 'disk2iso-web-'));
  const apiDir = join(root, 'api');
  const outputDir = join(root, 'out');
  const drives = (options.drives ?? [DRIVE]).map((id) => `sim:${join(root, id)}`);
  const parsed = parseOptions({ drives, api_dir: apiDir, output_dir: outputDir, ...options.extra }, join(root, 'options.json'));
  // The option allows 1..65535; 0 (a free port) is only for tests, set after validation.
  const config: Config = Object.freeze({ ...parsed, web_port: 0 });
  const control = new FakeControl(config.driveSpecs.map((d) => d.id));
  const logs = new LogBuffer(500);
  const sink = new Writable({ write: (_chunk, _enc, cb) => cb() });
  const logger = createLogger({ level: 'debug', name: 'test', buffer: logs, destination: sink });
  const deps: WebServerDeps = { config, control, logs, logger, version: '0.1.0-test', sseHeartbeatMs: 1000 };
  return {
    root,
    apiDir,
    outputDir,
    paths: apiPaths(apiDir),
    config,
    control,
    logs,
    logger,
    deps,
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

const now = (): string => new Date().toISOString();

export function status(over: Partial<DriveStatus> = {}): DriveStatus {
  return {
    schema_version: SCHEMA_VERSION,
    drive_id: DRIVE,
    state: 'waiting_for_media',
    previous_state: null,
    since: now(),
    message: 'Waiting for a disc',
    drive: { path: '/dev/sr0', vendor: 'ASUS', model: 'BW-16D1HT', present: true, simulated: true },
    auto_copy: true,
    job_id: null,
    heartbeat: now(),
    heartbeat_interval_s: 30,
    ...over,
  };
}

export function progress(over: Partial<Progress> = {}): Progress {
  return {
    schema_version: SCHEMA_VERSION,
    drive_id: DRIVE,
    job_id: 'job-1',
    phase: 'reading',
    percent: 42,
    bytes_done: 420 * 1024 * 1024,
    bytes_total: 1000 * 1024 * 1024,
    speed_bytes_per_s: 9.5 * 1024 * 1024,
    eta_seconds: 61,
    bad_sectors: 0,
    bad_ranges: [],
    track: null,
    tracks: null,
    updated: now(),
    ...over,
  };
}

export function attributes(over: Partial<Attributes> = {}): Attributes {
  return {
    schema_version: SCHEMA_VERSION,
    drive_id: DRIVE,
    job_id: 'job-1',
    disc_label: 'HOLIDAY_2019',
    disc_type: 'dvd-rom',
    disc_size_mb: 1000,
    disc_size_bytes: 1000 * 1024 * 1024,
    filesystem: 'udf',
    volume_id: 'HOLIDAY_2019',
    creation_date: null,
    fingerprint: 'abc',
    method: 'block-copy',
    filename: 'HOLIDAY_2019.iso',
    target_path: '/media/disk2iso/dvd/HOLIDAY_2019.iso',
    checksums: {},
    bad_sectors: 0,
    error_message: null,
    updated: now(),
    ...over,
  };
}

export function historyEntry(over: Partial<HistoryEntry> = {}): HistoryEntry {
  return {
    id: `job-${Math.random().toString(36).slice(2)}`,
    drive_id: DRIVE,
    disc_label: 'OLD_DISC',
    disc_type: 'cd-rom',
    fingerprint: null,
    result: 'success',
    method: 'block-copy',
    started: '2024-05-01T10:00:00.000Z',
    finished: '2024-05-01T10:05:00.000Z',
    duration_s: 300,
    bytes: 650 * 1024 * 1024,
    avg_speed_bytes_per_s: 2.2 * 1024 * 1024,
    image_path: '/media/disk2iso/data/OLD_DISC.iso',
    checksums: { sha256: 'a'.repeat(64) },
    bad_sectors: 0,
    bad_ranges: [],
    error_message: null,
    ...over,
  };
}

export function system(over: Partial<SystemInfo> = {}): SystemInfo {
  return {
    schema_version: SCHEMA_VERSION,
    version: '0.1.0-test',
    started: now(),
    pid: process.pid,
    tools: { xorriso: '1.5.4', ddrescue: '1.27', cdparanoia: null },
    output_dir: '/media/disk2iso',
    output_free_bytes: 50 * 1024 ** 3,
    output_total_bytes: 200 * 1024 ** 3,
    drives: [DRIVE],
    control_url: 'http://127.0.0.1:8099/',
    updated: now(),
    ...over,
  };
}

export async function writeDrive(
  fx: WebFixture,
  files: { status?: DriveStatus; progress?: Progress; attributes?: Attributes },
  id = DRIVE,
): Promise<void> {
  if (files.status) await writeJsonAtomic(fx.paths.status(id), { ...files.status, drive_id: id });
  if (files.progress) await writeJsonAtomic(fx.paths.progress(id), { ...files.progress, drive_id: id });
  if (files.attributes) await writeJsonAtomic(fx.paths.attributes(id), { ...files.attributes, drive_id: id });
}

export async function writeHistory(fx: WebFixture, entries: HistoryEntry[]): Promise<void> {
  const archived: Record<string, number> = {};
  for (const e of entries) if (e.result === 'success' || e.result === 'degraded') archived[e.drive_id] = (archived[e.drive_id] ?? 0) + 1;
  await writeJsonAtomic(fx.paths.history, { schema_version: SCHEMA_VERSION, entries, archived_total: archived, updated: now() });
}

/** Bindings as @hono/node-server passes them, so the peer guard sees a socket address. */
export function peerEnv(remoteAddress = '127.0.0.1'): { incoming: { socket: { remoteAddress: string; remotePort: number; remoteFamily: string } } } {
  return { incoming: { socket: { remoteAddress, remotePort: 50000, remoteFamily: remoteAddress.includes(':') ? 'IPv6' : 'IPv4' } } };
}

/** Polls `check` until it returns a value (not undefined/false) or the timeout passes. */
export async function waitFor<T>(check: () => T | Promise<T>, timeoutMs = 20_000, what = 'condition'): Promise<Exclude<T, false | undefined>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value as Exclude<T, false | undefined>;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Test support for the MQTT bridge: polling waits, a recording subscriber, a fake core. */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAsync, type MqttClient, type IClientOptions } from 'mqtt';
import { Writable } from 'node:stream';
import { afterAll, beforeAll } from 'vitest';
import {
  addHistoryEntry,
  apiPaths,
  CORE_LOCK_REFRESH_MS,
  ControlCommandSchema,
  CONTROL_HEADER,
  emptyHistory,
  EventLogWriter,
  SCHEMA_VERSION,
  writeJsonAtomic,
  type ApiPaths,
  type Attributes,
  type ControlCommand,
  type DriveState,
  type DriveStatus,
  type EventType,
  type History,
  type HistoryEntry,
  type Progress,
} from '../../src/contract/index.js';
import { parseOptions, type Config } from '../../src/config/index.js';
import { createLogger, type Logger } from '../../src/log/index.js';
import { startBridge, type RunningBridge, type StartBridgeOptions } from '../../src/mqtt/index.js';
import type { Cleanups } from '../helpers/cleanups.js';
import { freePort, startMosquitto, type Mosquitto, type MosquittoOptions } from '../helpers/mosquitto.js';
import { suiteHandle } from '../helpers/suite-handle.js';
import { TcpGate } from './tcp-gate.js';

export async function waitFor<T>(
  probe: () => T | Promise<T>,
  { timeout = 20_000, interval = 25, message = 'condition' }: { timeout?: number; interval?: number; message?: string | (() => string) } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeout;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await probe();
    if (last) return last;
    await new Promise((r) => setTimeout(r, interval));
  }
  throw new Error(`timed out after ${timeout} ms waiting for ${typeof message === 'function' ? message() : message}`);
}

export async function tmpDir(prefix = 'disk2iso-mqtt-'): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export interface Recorded {
  topic: string;
  payload: string;
  retain: boolean;
  qos: number;
  at: number;
}

/** A subscriber to `#` that records every message it gets. */
export class Recorder {
  readonly messages: Recorded[] = [];

  private constructor(readonly client: MqttClient) {
    client.on('message', (topic, payload, packet) => {
      this.messages.push({ topic, payload: payload.toString('utf8'), retain: packet.retain, qos: packet.qos, at: performance.now() });
    });
  }

  static async connect(url: string, options: IClientOptions = {}): Promise<Recorder> {
    const client = await connectAsync(url, { reconnectPeriod: 100, connectTimeout: 5000, ...options });
    const recorder = new Recorder(client);
    await client.subscribeAsync('#', { qos: 1 });
    return recorder;
  }

  on(topic: string): Recorded[] {
    return this.messages.filter((m) => m.topic === topic);
  }

  payloads(topic: string): string[] {
    return this.on(topic).map((m) => m.payload);
  }

  last(topic: string): string | undefined {
    return this.on(topic).at(-1)?.payload;
  }

  json<T = Record<string, unknown>>(topic: string): T | undefined {
    const text = this.last(topic);
    return text ? (JSON.parse(text) as T) : undefined;
  }

  clear(): void {
    this.messages.length = 0;
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}

/** A Recorder on `url`, closed when `cleanups` run. */
export async function recorderFor(cleanups: Cleanups, url: string, options: IClientOptions = {}): Promise<Recorder> {
  const recorder = await Recorder.connect(url, options);
  cleanups.defer(() => recorder.close());
  return recorder;
}

/**
 * One broker for the enclosing describe block: started in its beforeAll (with `options`, or what
 * `options()` returns then), disposed in its afterAll.
 */
export function useBroker(options: MosquittoOptions | (() => MosquittoOptions) = {}): Mosquitto {
  let started: Mosquitto | undefined;
  beforeAll(async () => {
    started = await startMosquitto(typeof options === 'function' ? options() : options);
  });
  afterAll(async () => {
    await started?.dispose();
  });
  return suiteHandle(() => started, 'the suite broker');
}

/** A TCP gate in front of `broker` (a test can keep clients out), closed when `cleanups` run. */
export async function gateFor(cleanups: Cleanups, broker: Mosquitto): Promise<TcpGate> {
  const gate = await TcpGate.start(await freePort(), () => broker.port);
  cleanups.defer(() => gate.close());
  return gate;
}

/**
 * What the broker holds as retained under `filter`, read by a fresh subscriber (a live subscriber
 * sees the retain flag only on messages sent for a new subscription). A marker message published
 * after subscribing tells when the retained ones have all arrived.
 */
export async function readRetained(url: string, filter = '#'): Promise<Map<string, string>> {
  const client = await connectAsync(url, { reconnectPeriod: 0 });
  const found = new Map<string, string>();
  const marker = `test/marker/${Math.random().toString(16).slice(2)}`;
  let seen!: () => void;
  const done = new Promise<void>((resolve) => (seen = resolve));
  client.on('message', (topic, payload, packet) => {
    if (topic === marker) seen();
    else if (packet.retain) found.set(topic, payload.toString('utf8'));
  });
  await client.subscribeAsync([filter, marker], { qos: 1 });
  await client.publishAsync(marker, 'x', { qos: 1 });
  await done;
  await client.endAsync();
  return found;
}

/** A loopback stand-in for the core's control API that records valid commands. */
export class ControlServer {
  readonly commands: Array<{ drive: string; command: ControlCommand }> = [];
  readonly rejected: string[] = [];
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<ControlServer> {
    let self: ControlServer | null = null;
    const server = createServer((req, res) => {
      void readBody(req).then((body) => {
        const match = /^\/api\/drives\/([^/]+)\/command$/.exec(req.url ?? '');
        if (req.method !== 'POST' || !match) {
          res.writeHead(404).end();
          return;
        }
        if (req.headers[CONTROL_HEADER] !== '1') {
          self?.rejected.push(`missing header: ${body}`);
          res.writeHead(403, { 'content-type': 'application/json' }).end('{"error":"forbidden"}');
          return;
        }
        let parsed;
        try {
          parsed = ControlCommandSchema.safeParse(JSON.parse(body));
        } catch {
          parsed = null;
        }
        if (!parsed?.success) {
          self?.rejected.push(body);
          res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"malformed"}');
          return;
        }
        self?.commands.push({ drive: decodeURIComponent(match[1]!), command: parsed.data });
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, message: `${parsed.data.action} accepted` }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    self = new ControlServer(server, `http://127.0.0.1:${port}/`);
    return self;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/**
 * Writes the /data/api contract the way the core does (atomic JSON files, events.jsonl with
 * seq), so the bridge can be driven without the core.
 */
export class FakeCore {
  readonly paths: ApiPaths;
  readonly events: EventLogWriter;
  readonly states = new Map<string, DriveState>();
  history: History = emptyHistory();
  heartbeatIntervalS = 30;
  autoCopy = true;
  /** The api lock's heartbeat, as the core's (src/core/api-lock.ts); null while "dead". */
  #lockTimer: NodeJS.Timeout | null = null;

  constructor(
    readonly apiDir: string,
    readonly drives: readonly string[],
    readonly controlUrl: string,
    eventsMaxBytes = 1024 * 1024,
  ) {
    this.paths = apiPaths(apiDir);
    this.events = new EventLogWriter(this.paths, eventsMaxBytes);
  }

  async start(initial: DriveState = 'waiting_for_media'): Promise<void> {
    await this.takeLock();
    await this.events.start();
    await this.writeSystem();
    await writeJsonAtomic(this.paths.history, this.history);
    for (const drive of this.drives) {
      this.states.set(drive, initial);
      await this.writeStatus(drive);
    }
  }

  /** Creates the core's lock and touches it every 2 s, like a live core. */
  async takeLock(): Promise<void> {
    await mkdir(this.apiDir, { recursive: true });
    await writeFile(this.paths.coreLock, `${JSON.stringify({ pid: process.pid })}\n`);
    if (this.#lockTimer) clearInterval(this.#lockTimer);
    this.#lockTimer = setInterval(() => void utimes(this.paths.coreLock, new Date(), new Date()).catch(() => undefined), CORE_LOCK_REFRESH_MS);
    this.#lockTimer.unref();
  }

  /** A crash (kill -9): the lock stays behind and is no longer touched. */
  die(): void {
    if (this.#lockTimer) clearInterval(this.#lockTimer);
    this.#lockTimer = null;
  }

  /** A clean stop as the core does it: system.json says `stopped`, then the lock is removed. */
  async stopCleanly(): Promise<void> {
    this.die();
    await this.writeSystem(123_456_789_000, new Date().toISOString());
    await rm(this.paths.coreLock, { force: true });
  }

  async writeSystem(freeBytes = 123_456_789_000, stopped: string | null = null): Promise<void> {
    await writeJsonAtomic(this.paths.system, {
      schema_version: SCHEMA_VERSION,
      version: '0.1.0',
      started: new Date().toISOString(),
      pid: process.pid,
      tools: {},
      output_dir: '/media/disk2iso',
      output_free_bytes: freeBytes,
      output_total_bytes: 500_000_000_000,
      drives: [...this.drives],
      control_url: this.controlUrl,
      stopped,
      updated: new Date().toISOString(),
    });
  }

  status(drive: string, heartbeat = new Date()): DriveStatus {
    return {
      schema_version: SCHEMA_VERSION,
      drive_id: drive,
      state: this.states.get(drive) ?? 'idle',
      previous_state: null,
      since: new Date().toISOString(),
      message: '',
      drive: { path: `/dev/${drive}`, vendor: 'TSSTcorp', model: 'DVD-RW SH-224', present: true, simulated: true },
      auto_copy: this.autoCopy,
      job_id: null,
      heartbeat: heartbeat.toISOString(),
      heartbeat_interval_s: this.heartbeatIntervalS,
    };
  }

  async writeStatus(drive: string, heartbeat = new Date()): Promise<void> {
    await writeJsonAtomic(this.paths.status(drive), this.status(drive, heartbeat));
  }

  /** A transition as the core makes it: the event first, then status.json. */
  async transition(drive: string, to: DriveState, message = ''): Promise<void> {
    const from = this.states.get(drive) ?? null;
    this.states.set(drive, to);
    await this.events.append(drive, 'state_changed', { from, to, message });
    await this.writeStatus(drive);
  }

  async event(drive: string | null, type: EventType, data: Record<string, unknown> = {}): Promise<number> {
    return (await this.events.append(drive, type, data)).seq;
  }

  async writeProgress(drive: string, percent: number, extra: Partial<Progress> = {}): Promise<void> {
    const total = 700 * 1024 * 1024;
    const progress: Progress = {
      schema_version: SCHEMA_VERSION,
      drive_id: drive,
      job_id: 'job-1',
      phase: 'reading',
      percent,
      bytes_done: Math.round((total * percent) / 100),
      bytes_total: total,
      speed_bytes_per_s: 4_500_000,
      eta_seconds: Math.round(((100 - percent) / 100) * 160),
      bad_sectors: 0,
      bad_ranges: [],
      track: null,
      tracks: null,
      updated: new Date().toISOString(),
      ...extra,
    };
    await writeJsonAtomic(this.paths.progress(drive), progress);
  }

  async writeAttributes(drive: string, extra: Partial<Attributes> = {}): Promise<void> {
    const attributes: Attributes = {
      schema_version: SCHEMA_VERSION,
      drive_id: drive,
      job_id: 'job-1',
      disc_label: 'MY_DISC',
      disc_type: 'dvd-rom',
      disc_size_mb: 4200.5,
      disc_size_bytes: 4_404_543_488,
      filesystem: 'udf',
      volume_id: 'MY_DISC',
      creation_date: null,
      fingerprint: 'abc123',
      method: 'data-copy',
      filename: 'MY_DISC.iso',
      target_path: '/media/disk2iso/dvd/MY_DISC.iso',
      checksums: {},
      bad_sectors: 0,
      error_message: null,
      updated: new Date().toISOString(),
      ...extra,
    };
    await writeJsonAtomic(this.paths.attributes(drive), attributes);
  }

  async addHistory(drive: string, result: HistoryEntry['result'], label = 'MY_DISC'): Promise<void> {
    const now = new Date().toISOString();
    this.history = addHistoryEntry(
      this.history,
      {
        id: `job-${this.history.entries.length + 1}`,
        drive_id: drive,
        disc_label: label,
        disc_type: 'dvd-rom',
        fingerprint: null,
        result,
        method: 'data-copy',
        started: now,
        finished: now,
        duration_s: 120,
        bytes: 4_404_543_488,
        avg_speed_bytes_per_s: 36_000_000,
        image_path: `/media/disk2iso/dvd/${label}.iso`,
        checksums: {},
        bad_sectors: 0,
        bad_ranges: [],
        error_message: result === 'failed' ? 'read error' : null,
      },
      500,
    );
    await writeJsonAtomic(this.paths.history, this.history);
  }

  /** The reset the core writes when the disc leaves (no job). */
  async resetProgress(drive: string): Promise<void> {
    await this.writeProgress(drive, 0, { job_id: null, phase: null, speed_bytes_per_s: 0, eta_seconds: null, bytes_done: 0, bytes_total: 0 });
  }

  async stop(): Promise<void> {
    this.die();
    await this.events.stop();
  }
}

/** A Config for tests: defaults plus `overrides`, drives as simulated folders named by id. */
export function testConfig(apiDir: string, drives: readonly string[], overrides: Record<string, unknown> = {}): Config {
  return parseOptions({ drives: drives.map((d) => `sim:/tmp/sim/${d}`), api_dir: apiDir, log_level: 'debug', ...overrides }, '/dev/null');
}

/** A logger whose lines are kept in memory (and shown when DEBUG_MQTT is set). */
export function memoryLogger(): { logger: Logger; lines: Array<{ level: number; msg: string; [k: string]: unknown }> } {
  const lines: Array<{ level: number; msg: string }> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const raw of chunk.toString('utf8').split('\n')) {
        if (!raw) continue;
        try {
          lines.push(JSON.parse(raw) as { level: number; msg: string });
        } catch {
          lines.push({ level: 30, msg: raw });
        }
        if (process.env.DEBUG_MQTT) process.stderr.write(`${raw}\n`);
      }
      callback();
    },
  });
  return { logger: createLogger({ name: 'mqtt-test', level: 'debug', destination }), lines };
}

/** Settings that make the bridge quick in tests (still real timers and a real broker). */
export const FAST_SETTINGS = {
  heartbeatCheckMs: 100,
  pollMs: 2000,
  haBirthDelayMs: { min: 20, max: 60 },
  scanTimeoutMs: 3000,
  stateGraceMs: 300,
  backoff: { minMs: 100, maxMs: 1000 },
  keepaliveS: 10,
  connectTimeoutMs: 3000,
} as const;

/** Appends events with an old timestamp (as if written while the bridge was away long ago). */
export async function appendBackdated(core: FakeCore, drive: string, types: EventType[], ageMs: number): Promise<number[]> {
  await core.events.stop();
  const { appendFile } = await import('node:fs/promises');
  const seqs: number[] = [];
  let seq = core.events.lastSeq;
  const ts = new Date(Date.now() - ageMs).toISOString();
  for (const type of types) {
    seq++;
    seqs.push(seq);
    await appendFile(core.paths.events, `${JSON.stringify({ seq, ts, drive, type, data: {} })}\n`);
  }
  // The writer re-reads the last seq on start, like the core after a restart.
  await core.events.start();
  return seqs;
}

/**
 * A temp folder with a fake core writing the contract and a loopback control API; every part's
 * teardown goes onto `cleanups`.
 */
export async function fakeContract(drives: string[], cleanups: Cleanups) {
  const dir = await tmpDir();
  cleanups.defer(dir.remove);
  const control = await ControlServer.start();
  cleanups.defer(() => control.close());
  const apiDir = join(dir.path, 'api');
  const core = new FakeCore(apiDir, drives, control.url);
  await core.start();
  cleanups.defer(() => core.stop());
  return { dir: dir.path, apiDir, core, control };
}

/**
 * For fault tests: a broker of its own behind a TCP gate (so a test can keep the bridge out until
 * the recording subscriber is back), a fake core (not started), a loopback control API, a
 * recorder and a bridge starter; every part's teardown goes onto `cleanups`.
 */
export async function gatedRig(cleanups: Cleanups, bridgeOverrides: StartBridgeOptions = {}) {
  const broker = await startMosquitto();
  cleanups.defer(() => broker.dispose());
  const gate = await gateFor(cleanups, broker);
  const dir = await tmpDir();
  cleanups.defer(dir.remove);
  const control = await ControlServer.start();
  cleanups.defer(() => control.close());
  const apiDir = join(dir.path, 'api');
  const core = new FakeCore(apiDir, ['sr0'], control.url);
  cleanups.defer(() => core.stop());
  const recorder = await recorderFor(cleanups, broker.url);
  const log = memoryLogger();
  const options: StartBridgeOptions = {
    broker: { url: gate.url },
    supervisor: null,
    configurationUrl: null,
    stateDir: join(dir.path, 'mqtt'),
    ...FAST_SETTINGS,
    ...bridgeOverrides,
  };
  const bridges: RunningBridge[] = [];
  const startOne = async (): Promise<RunningBridge> => {
    const running = await startBridge(testConfig(apiDir, ['sr0']), log.logger, options);
    bridges.push(running);
    cleanups.defer(() => running.stop());
    return running;
  };
  return { broker, gate, core, recorder, control, log, startOne, bridges, apiDir };
}

/** Waits until the recorder (straight to the broker) is subscribed again after a broker restart. */
export async function recorderBack(broker: Mosquitto, recorder: Recorder): Promise<void> {
  const client = await connectAsync(broker.url);
  try {
    await waitFor(
      async () => {
        await client.publishAsync('test/ping', String(Date.now()), { qos: 1 });
        return recorder.on('test/ping').length > 0;
      },
      { message: 'recorder resubscribed', interval: 100 },
    );
  } finally {
    await client.endAsync();
  }
}

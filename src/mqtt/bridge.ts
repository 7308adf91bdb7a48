import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { FSWatcher as NodeFsWatcher } from 'node:fs';
import type { FSWatcher } from 'chokidar';
import { apiPaths, watchContract, type ContractEvent } from '../contract/index.js';
import type { Config } from '../config/index.js';
import type { Logger } from '../log/index.js';
import { errorMessage } from '../util/errors.js';
import { driveAvailability, reconcileState, type StateTrack } from './availability.js';
import type { BrokerSettings } from './broker.js';
import { describeBroker } from './broker.js';
import { CommandDispatcher, parseCommand } from './commands.js';
import { MqttConnection, type Backoff } from './connection.js';
import { classifyPath, ContractView, type ContractFile, type DriveFile } from './contract-view.js';
import { CursorStore } from './cursor.js';
import { buildDiscovery, type DriveDeviceInfo } from './discovery.js';
import type { OriginInfo } from './discovery-types.js';
import { eventMessages } from './event-messages.js';
import { EventPump } from './event-pump.js';
import { EventSource } from './event-source.js';
import { watchEventLog } from './event-watch.js';
import * as project from './projection.js';
import { RetainedPublisher } from './publisher.js';
import { serializePayload } from './stable-stringify.js';
import { startSession } from './session.js';
import { TrailingThrottle } from './throttle.js';
import type { Timers } from './timers.js';
import { Topics } from './topics.js';

/** chokidar's per-file change throttle is 50 ms; read once more just after it. */
const TRAILING_READ_MS = 60;

/** At most one cursor write (an fsync) per second; a crash resends at most that much (QoS 1). */
const CURSOR_WRITE_INTERVAL_MS = 1000;

/** Timing and places of the bridge; every delay is a named, injectable setting. */
export interface BridgeSettings {
  /** Where the event cursor is kept (never inside api_dir). */
  stateDir: string;
  progressIntervalMs: number;
  maxReplayAgeMs: number;
  heartbeatCheckMs: number;
  /** Safety net next to chokidar: re-read every file this often. */
  pollMs: number;
  /** Random delay before answering HA's birth message, between these bounds. */
  haBirthDelayMs: { min: number; max: number };
  scanTimeoutMs: number;
  stateGraceMs: number;
  backoff: Backoff;
  keepaliveS: number;
  connectTimeoutMs: number;
  eventBatchSize: number;
  controlTimeoutMs: number;
}

export interface BridgeDeps {
  config: Config;
  logger: Logger;
  broker: BrokerSettings;
  settings: BridgeSettings;
  origin: OriginInfo;
  swVersion: string;
  configurationUrl: string | null;
  timers: Timers;
  random: () => number;
}

/**
 * The MQTT bridge: watches the contract, keeps the broker's retained topics equal to it
 * (discovery + states, diffs only), streams events.jsonl in order and forwards commands to the
 * core's control API. Owns the publish/diff/clear lifecycle.
 */
export class Bridge {
  readonly topics: Topics;
  readonly #log: Logger;
  readonly #drives: readonly string[];
  readonly #driveSet: ReadonlySet<string>;
  readonly #legacyDrive: string | null;
  readonly #view: ContractView;
  readonly #connection: MqttConnection;
  readonly #publisher: RetainedPublisher;
  readonly #cursor: CursorStore;
  readonly #legacyThrottle: TrailingThrottle<string>;
  readonly #progressReads: TrailingThrottle<DriveFile<'progress'>>;
  readonly #tracks = new Map<string, StateTrack>();
  readonly #commands: CommandDispatcher;
  readonly #computed: ReadonlySet<string>;
  #discoveryKey = '';
  readonly #trailing = new Map<string, unknown>();
  #pump: EventPump | null = null;
  #watcher: FSWatcher | null = null;
  #eventWatcher: NodeFsWatcher | null = null;
  #timers: unknown[] = [];
  #birthTimer: unknown = null;
  #sessionReady = false;
  #stopped = false;
  #session: Promise<void> | null = null;

  constructor(private readonly deps: BridgeDeps) {
    const { config, logger, timers } = deps;
    this.#log = logger.child({ ns: 'mqtt' });
    this.topics = new Topics(config.mqtt_discovery_prefix, config.mqtt_base_topic);
    this.#drives = config.driveSpecs.map((d) => d.id);
    this.#driveSet = new Set(this.#drives);
    this.#legacyDrive = config.mqtt_legacy_topics ? (this.#drives[0] ?? null) : null;
    this.#view = new ContractView(apiPaths(config.api_dir), (path, detail) =>
      this.#log.warn({ path }, 'ignoring an invalid contract file %s (%s)', path, detail),
    );
    this.#connection = new MqttConnection({
      settings: deps.broker,
      clientId: `${config.mqtt_base_topic}-bridge-${randomBytes(4).toString('hex')}`,
      will: { topic: this.topics.bridgeAvailability, payload: 'offline' },
      keepaliveS: deps.settings.keepaliveS,
      connectTimeoutMs: deps.settings.connectTimeoutMs,
      backoff: deps.settings.backoff,
      timers,
      random: deps.random,
      logger: this.#log,
    });
    this.#publisher = new RetainedPublisher(this.#connection, this.#log);
    this.#cursor = new CursorStore(join(deps.settings.stateDir, 'state.json'), CURSOR_WRITE_INTERVAL_MS);
    this.#legacyThrottle = new TrailingThrottle(deps.settings.progressIntervalMs, (topic, payload) => this.#publisher.set(topic, payload), timers);
    // progress.json is read (and published) at most once per interval per drive, the last read
    // trailing: the rate limit of SPEC §6 and no parsing of writes nobody will see.
    this.#progressReads = new TrailingThrottle(deps.settings.progressIntervalMs, (_drive, file) => void this.#loadProgress(file), timers);
    for (const drive of this.#drives) this.#tracks.set(drive, { published: null, lastEventTs: null });
    this.#commands = new CommandDispatcher(this.#log, deps.settings.controlTimeoutMs);
    this.#computed = this.#computeTopics();
  }

  get connected(): boolean {
    return this.#connection.connected;
  }

  async start(): Promise<void> {
    const { settings, timers } = this.deps;
    const paths = apiPaths(this.deps.config.api_dir);
    const source = new EventSource(paths, 0);
    let cursor = (await this.#cursor.load()) ?? 0;
    const maxSeq = await source.maxSeqOnDisk();
    if (cursor > maxSeq) {
      this.#log.warn({ saved: cursor, on_disk: maxSeq }, 'the event log restarted (last seq %d < saved %d); following it from the start', maxSeq, cursor);
      cursor = 0;
    }
    source.reset(cursor);
    this.#pump = new EventPump(
      {
        source,
        cursor: this.#cursor,
        canSend: () => this.#sessionReady && this.#connection.connected,
        publisher: this.#publisher,
        messagesFor: (event) => this.#onEvent(event),
        maxAgeMs: settings.maxReplayAgeMs,
        batchSize: settings.eventBatchSize,
        timers,
        logger: this.#log,
      },
      cursor,
    );
    // Watch first, then read: a write between the two is seen by one or the other.
    const watcher = watchContract(paths.root, (path) => {
      const file = classifyPath(paths, path);
      if (file) this.#onFileChanged(file);
    });
    this.#watcher = watcher;
    await new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
    this.#watchEvents();
    for (const file of ContractView.allFiles(this.#drives)) await this.#refresh(file);
    this.#publisher.set(this.topics.bridgeAvailability, 'online');
    this.#connection.events.on('connected', () => {
      this.#session = this.#onConnected().catch((error: unknown) => {
        // Usually the connection dropped during setup; the next connect starts over.
        this.#log.debug({ err: errorMessage(error) }, 'setting up the MQTT session failed: %s', errorMessage(error));
      });
    });
    this.#connection.events.on('disconnected', () => {
      this.#sessionReady = false;
    });
    this.#connection.events.on('message', (topic, payload, packet) => this.#onMessage(topic, payload, packet.retain));
    this.#timers.push(
      timers.setInterval(() => this.#tick(), settings.heartbeatCheckMs),
      timers.setInterval(() => void this.#refreshAll(), settings.pollMs),
    );
    this.#log.info({ drives: this.#drives, cursor }, 'MQTT bridge for %d drive(s); connecting to %s', this.#drives.length, describeBroker(this.deps.broker));
    this.#connection.start();
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#pump?.stop();
    await this.#watcher?.close().catch(() => undefined);
    this.#eventWatcher?.close();
    for (const timer of this.#timers) this.deps.timers.clearInterval(timer);
    if (this.#birthTimer !== null) this.deps.timers.clearTimeout(this.#birthTimer);
    for (const timer of this.#trailing.values()) this.deps.timers.clearTimeout(timer);
    this.#legacyThrottle.stop();
    this.#progressReads.stop();
    await withTimeout(this.#pump?.idle(), 2000);
    const final = [{ topic: this.topics.bridgeAvailability, payload: 'offline' }];
    if (this.#legacyDrive) final.push({ topic: this.topics.legacy.availability, payload: 'offline' });
    await this.#connection.stop(final);
    await this.#cursor.flush().catch((error: unknown) => {
      this.#log.error({ err: errorMessage(error) }, 'could not save the event cursor: %s', errorMessage(error));
    });
    this.#log.info('MQTT bridge stopped');
  }

  /** For tests and the bench: resolves once the current session setup and event drain are done. */
  async settled(): Promise<void> {
    await this.#session;
    await this.#pump?.idle();
  }

  async #onConnected(): Promise<void> {
    this.#sessionReady = false;
    const summary = await startSession({
      connection: this.#connection,
      publisher: this.#publisher,
      topics: this.topics,
      isComputed: (topic) => this.#computed.has(topic),
      scanTimeoutMs: this.deps.settings.scanTimeoutMs,
      timers: this.deps.timers,
      logger: this.#log,
    });
    this.#sessionReady = true;
    this.#log.info(summary, 'MQTT session ready: %d retained topics published, %d unchanged, %d cleared', summary.published, summary.unchanged, summary.cleared);
    this.#pump?.trigger();
  }

  /** Every retained topic this bridge may publish (the rest under our namespace is stale). */
  #computeTopics(): Set<string> {
    const t = this.topics;
    const out = new Set<string>([t.bridgeAvailability, t.system]);
    for (const drive of this.#drives) {
      for (const topic of [t.discovery(drive), t.driveAvailability(drive), t.state(drive), t.status(drive), t.progress(drive), t.disc(drive), t.lastJob(drive)]) {
        out.add(topic);
      }
    }
    if (this.#legacyDrive) for (const topic of Object.values(t.legacy)) out.add(topic);
    return out;
  }

  #publishDiscovery(): void {
    const drives: DriveDeviceInfo[] = this.#drives.map((id) => {
      const status = this.#view.status.get(id) ?? null;
      return { id, vendor: status?.drive.vendor ?? null, model: status?.drive.model ?? null, path: status?.drive.path ?? null };
    });
    const key = JSON.stringify(drives);
    if (key === this.#discoveryKey) return;
    this.#discoveryKey = key;
    const discovery = buildDiscovery({
      topics: this.topics,
      drives,
      origin: this.deps.origin,
      swVersion: this.deps.swVersion,
      configurationUrl: this.deps.configurationUrl,
    });
    for (const [topic, payload] of discovery) this.#publisher.set(topic, serializePayload(payload));
  }

  #onEvent(event: ContractEvent): Array<{ topic: string; payload: string; retain: boolean }> {
    const outcome = eventMessages(event, { topics: this.topics, drives: this.#driveSet, legacyDrive: this.#legacyDrive });
    if (outcome.state) {
      const track = this.#tracks.get(outcome.state.drive);
      if (track) {
        track.published = outcome.state.state;
        track.lastEventTs = outcome.state.ts;
      }
    }
    return outcome.messages;
  }

  /**
   * chokidar reports at most one change per file per 50 ms and drops the rest (no trailing
   * event), so every reported change is followed by one more read once that window has passed.
   */
  #onFileChanged(file: ContractFile): void {
    void this.#refresh(file);
    const key = 'drive' in file ? `${file.kind}:${file.drive}` : file.kind;
    if (this.#trailing.has(key) || this.#stopped) return;
    this.#trailing.set(
      key,
      this.deps.timers.setTimeout(() => {
        this.#trailing.delete(key);
        void this.#refresh(file);
      }, TRAILING_READ_MS),
    );
  }

  async #refreshAll(): Promise<void> {
    this.#watchEvents();
    for (const file of ContractView.allFiles(this.#drives)) await this.#refresh(file);
    this.#pump?.trigger();
  }

  /** (Re)arms the direct watch of events.jsonl; the contract folder may appear after we start. */
  #watchEvents(): void {
    if (this.#eventWatcher || this.#stopped) return;
    const watcher = watchEventLog(this.deps.config.api_dir, () => this.#pump?.trigger());
    if (!watcher) return;
    watcher.on('close', () => {
      if (this.#eventWatcher === watcher) this.#eventWatcher = null;
    });
    this.#eventWatcher = watcher;
  }

  async #refresh(file: ContractFile): Promise<void> {
    if (this.#stopped) return;
    if (file.kind === 'events') {
      this.#pump?.trigger();
      return;
    }
    if ('drive' in file && !this.#driveSet.has(file.drive)) return;
    if (file.kind === 'progress') {
      this.#progressReads.push(file.drive, file);
      return;
    }
    try {
      await this.#view.load(file);
    } catch (error) {
      this.#log.warn({ err: errorMessage(error) }, 'reading the contract failed: %s', errorMessage(error));
      return;
    }
    const view = this.#view;
    const t = this.topics;
    switch (file.kind) {
      case 'system': {
        this.#publisher.set(t.system, serializePayload(project.systemPayload(view.system)));
        this.#commands.setControlUrl(view.system?.control_url ?? null);
        return;
      }
      case 'history':
        for (const drive of this.#drives) this.#publisher.set(t.lastJob(drive), serializePayload(project.lastJobPayload(view.history, drive)));
        return;
      case 'status': {
        const status = view.status.get(file.drive) ?? null;
        if (status) this.#publisher.set(t.status(file.drive), serializePayload(project.statusPayload(status)));
        this.#publishDriveAvailability(file.drive);
        this.#reconcile(file.drive);
        this.#publishDiscovery();
        this.#publishLegacy(file.drive);
        return;
      }
      case 'attributes':
        this.#publisher.set(t.disc(file.drive), serializePayload(project.discPayload(view.attributes.get(file.drive) ?? null)));
        this.#publishLegacy(file.drive);
        return;
    }
  }

  async #loadProgress(file: DriveFile<'progress'>): Promise<void> {
    if (this.#stopped) return;
    try {
      await this.#view.load(file);
    } catch (error) {
      this.#log.warn({ err: errorMessage(error) }, 'reading the contract failed: %s', errorMessage(error));
      return;
    }
    this.#publisher.set(this.topics.progress(file.drive), serializePayload(project.progressPayload(this.#view.progress.get(file.drive) ?? null)));
    this.#publishLegacy(file.drive);
  }

  #publishDriveAvailability(drive: string): void {
    const topic = this.topics.driveAvailability(drive);
    const next = driveAvailability(this.#view.status.get(drive) ?? null, this.deps.timers.now());
    const previous = this.#publisher.desired(topic);
    if (previous !== undefined && previous !== next) {
      if (next === 'offline') this.#log.warn({ drive }, "drive '%s' is offline: the core's heartbeat is stale or missing", drive);
      else this.#log.info({ drive }, "drive '%s' is online again", drive);
    }
    this.#publisher.set(topic, next);
    if (drive === this.#legacyDrive) this.#publisher.set(this.topics.legacy.availability, next);
  }

  #reconcile(drive: string): void {
    const track = this.#tracks.get(drive);
    if (!track) return;
    const status = this.#view.status.get(drive) ?? null;
    const state = reconcileState(track, status, this.deps.timers.now(), this.deps.settings.stateGraceMs);
    if (!state) return;
    track.published = state;
    this.#publisher.set(this.topics.state(drive), state);
    if (drive === this.#legacyDrive) this.#publisher.set(this.topics.legacy.state, state);
  }

  #publishLegacy(drive: string): void {
    if (drive !== this.#legacyDrive) return;
    const v = this.#view;
    const legacy = this.topics.legacy;
    const progress = v.progress.get(drive) ?? null;
    this.#legacyThrottle.push(legacy.progress, String(project.legacyProgressPayload(progress)));
    const attributes = project.legacyAttributesPayload(v.status.get(drive) ?? null, v.attributes.get(drive) ?? null, progress);
    this.#legacyThrottle.push(legacy.attributes, serializePayload(attributes));
  }

  #tick(): void {
    for (const drive of this.#drives) {
      this.#publishDriveAvailability(drive);
      this.#reconcile(drive);
    }
  }

  #onMessage(topic: string, payload: Buffer, retained: boolean): void {
    if (this.topics.haStatus.includes(topic)) {
      if (!retained && payload.toString('utf8').trim() === 'online') this.#onHaBirth();
      return;
    }
    const target = this.topics.parseCommandTopic(topic);
    if (!target || !this.#sessionReady) return;
    const parsed = parseCommand(target, payload, retained, this.#driveSet);
    if (!parsed.ok) {
      if (parsed.reason === 'empty') return;
      this.#log.warn({ topic, reason: parsed.reason }, 'ignoring the message on %s: %s', topic, parsed.detail);
      return;
    }
    void this.#commands.dispatch(parsed.drive, parsed.command);
  }

  #onHaBirth(): void {
    if (this.#birthTimer !== null) return;
    const { min, max } = this.deps.settings.haBirthDelayMs;
    const delay = Math.round(min + this.deps.random() * Math.max(0, max - min));
    this.#log.info('Home Assistant is online; publishing discovery and state in %d ms', delay);
    this.#birthTimer = this.deps.timers.setTimeout(() => {
      this.#birthTimer = null;
      if (!this.#connection.connected) return;
      this.#publisher.forget(this.#publisher.desiredTopics);
      void this.#publisher.flushAll();
    }, delay);
  }
}

async function withTimeout(promise: Promise<unknown> | undefined, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

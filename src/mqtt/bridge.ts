import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { allDataFiles, apiPaths, ContractWatcher, EventLogTail, type ContractChange } from '../contract/index.js';
import type { Config } from '../config/index.js';
import type { Logger } from '../log/index.js';
import { errorMessage } from '../util/errors.js';
import { describeBroker, type BrokerSettings } from './broker.js';
import { CommandDispatcher, parseCommand } from './commands.js';
import { MqttConnection, type Backoff } from './connection.js';
import { CursorStore } from './cursor.js';
import type { OriginInfo } from './discovery-types.js';
import { EventPump } from './event-pump.js';
import { RetainedPublisher } from './publisher.js';
import { StaleSessionError, startSession } from './session.js';
import { StateSync } from './state-sync.js';
import type { Timers } from './timers.js';
import { Topics } from './topics.js';

/** At most one cursor write (an fsync) per second; a crash resends at most that much (QoS 1). */
const CURSOR_WRITE_INTERVAL_MS = 1000;

/** Timing and places of the bridge; every delay is a named, injectable setting. */
export interface BridgeSettings {
  /** Where the event cursor is kept (never inside api_dir). */
  stateDir: string;
  progressIntervalMs: number;
  /** Events older than this are not replayed after an absence: the snapshot shows the present. */
  maxReplayAgeMs: number;
  /** How often the core's liveness (its lock) and the drives' heartbeats are checked. */
  heartbeatCheckMs: number;
  /** Safety net next to the file watchers: re-read every file this often. */
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
 * core's control API. Owns the lifecycle: connection, session setup, watchers, timers, stop.
 */
export class Bridge {
  readonly topics: Topics;
  readonly #log: Logger;
  readonly #drives: readonly string[];
  readonly #driveSet: ReadonlySet<string>;
  readonly #legacyDrive: string | null;
  readonly #connection: MqttConnection;
  readonly #publisher: RetainedPublisher;
  readonly #cursor: CursorStore;
  readonly #commands: CommandDispatcher;
  readonly #sync: StateSync;
  readonly #computed: ReadonlySet<string>;
  /** The contract's one watcher; progress.json is read only by the rate-limited reader (lazy). */
  readonly #contract: ContractWatcher;
  #pump: EventPump | null = null;
  #intervals: unknown[] = [];
  #birthTimer: unknown = null;
  /** Commands are taken and `set()` publishes at once only in a ready session. */
  #sessionReady = false;
  /** Events may be sent: from the replay step of a session on. */
  #pumpOpen = false;
  #stopped = false;
  #session: Promise<void> | null = null;

  constructor(private readonly deps: BridgeDeps) {
    const { config, timers, settings } = deps;
    this.#log = deps.logger.child({ ns: 'mqtt' });
    this.topics = new Topics(config.mqtt_discovery_prefix, config.mqtt_base_topic);
    this.#drives = config.driveSpecs.map((d) => d.id);
    this.#driveSet = new Set(this.#drives);
    this.#legacyDrive = config.mqtt_legacy_topics ? (this.#drives[0] ?? null) : null;
    this.#connection = new MqttConnection({
      settings: deps.broker,
      clientId: `${config.mqtt_base_topic}-bridge-${randomBytes(4).toString('hex')}`,
      will: { topic: this.topics.bridgeAvailability, payload: 'offline' },
      keepaliveS: settings.keepaliveS,
      connectTimeoutMs: settings.connectTimeoutMs,
      backoff: settings.backoff,
      timers,
      random: deps.random,
      logger: this.#log,
    });
    this.#publisher = new RetainedPublisher(this.#connection, this.#log);
    this.#cursor = new CursorStore(join(settings.stateDir, 'state.json'), CURSOR_WRITE_INTERVAL_MS);
    this.#commands = new CommandDispatcher(this.#log, settings.controlTimeoutMs);
    this.#contract = new ContractWatcher(apiPaths(config.api_dir), { drives: () => this.#drives, log: this.#log, events: 'notify', lazy: ['progress'] });
    this.#sync = new StateSync({
      topics: this.topics,
      drives: this.#drives,
      legacyDrive: this.#legacyDrive,
      view: this.#contract,
      publisher: this.#publisher,
      commands: this.#commands,
      origin: deps.origin,
      swVersion: deps.swVersion,
      configurationUrl: deps.configurationUrl,
      progressIntervalMs: settings.progressIntervalMs,
      stateGraceMs: settings.stateGraceMs,
      timers,
      logger: this.#log,
    });
    this.#computed = this.#sync.computedTopics();
  }

  get connected(): boolean {
    return this.#connection.connected;
  }

  async start(): Promise<void> {
    const { settings, timers } = this.deps;
    const paths = apiPaths(this.deps.config.api_dir);
    const source = new EventLogTail(paths, 0);
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
        canSend: () => this.#pumpOpen && this.#connection.connected,
        publisher: this.#publisher,
        messagesFor: (event) => this.#sync.messagesFor(event),
        maxAgeMs: settings.maxReplayAgeMs,
        batchSize: settings.eventBatchSize,
        timers,
        logger: this.#log,
      },
      cursor,
    );
    // Watch first, then read: a write between the two is seen by one or the other.
    this.#contract.subscribe((change) => this.#onContractChange(change));
    await this.#contract.start();
    for (const file of allDataFiles(this.#drives)) await this.#sync.refresh(file);
    this.#sync.updateDiscovery();
    await this.#sync.tick();
    this.#publisher.set(this.topics.bridgeAvailability, 'online');
    this.#connection.events.on('connected', () => {
      this.#session = this.#onConnected().catch((error: unknown) => {
        // Usually the connection dropped during setup; the next connect starts over.
        this.#log.debug({ err: errorMessage(error) }, 'setting up the MQTT session failed: %s', errorMessage(error));
      });
    });
    this.#connection.events.on('disconnected', () => {
      this.#sessionReady = false;
      this.#pumpOpen = false;
      this.#publisher.hold();
    });
    this.#connection.events.on('message', (topic, payload, packet) => this.#onMessage(topic, payload, packet.retain));
    this.#intervals.push(
      timers.setInterval(() => void this.#sync.tick(), settings.heartbeatCheckMs),
      timers.setInterval(() => void this.#refreshAll(), settings.pollMs),
    );
    this.#log.info({ drives: this.#drives, cursor }, 'MQTT bridge for %d drive(s); connecting to %s', this.#drives.length, describeBroker(this.deps.broker));
    this.#connection.start();
  }

  /** Stops watching, lets the current event batch finish, publishes `offline`, saves the cursor. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#pump?.stop();
    await this.#contract.close().catch(() => undefined);
    for (const interval of this.#intervals) this.deps.timers.clearInterval(interval);
    if (this.#birthTimer !== null) this.deps.timers.clearTimeout(this.#birthTimer);
    this.#sync.stop();
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

  /**
   * A session publishes in this order: the devices and their availability (so HA has the
   * entities), then every event the broker missed, in events.jsonl order (the pump), and only
   * then the snapshot of the contract files: the state sensor never goes back to history.
   */
  async #onConnected(): Promise<void> {
    this.#sessionReady = false;
    this.#pumpOpen = false;
    this.#publisher.hold();
    const connection = this.#connection;
    const generation = connection.generation;
    const held = await startSession({
      connection,
      publisher: this.#publisher,
      topics: this.topics,
      isComputed: (topic) => this.#computed.has(topic),
      scanTimeoutMs: this.deps.settings.scanTimeoutMs,
      timers: this.deps.timers,
      logger: this.#log,
    });
    const head = await this.#publisher.flush((topic) => this.#sync.isSessionHead(topic));
    this.#pumpOpen = true;
    const before = this.#pump?.cursorSeq ?? 0;
    this.#pump?.trigger();
    await this.#pump?.idle();
    if (connection.generation !== generation || !connection.connected) throw new StaleSessionError();
    this.#publisher.open();
    const snapshot = await this.#publisher.flushAll();
    this.#sessionReady = true;
    await connection.subscribe([this.topics.commandWildcard, ...this.topics.haStatus]);
    const replayed = (this.#pump?.cursorSeq ?? 0) - before;
    this.#log.info(
      { ...held, head, replayed, snapshot },
      'MQTT session ready: %d discovery/availability topics, %d events replayed, %d snapshot topics published, %d unchanged, %d cleared',
      head,
      replayed,
      snapshot,
      held.unchanged,
      held.cleared,
    );
    this.#pump?.trigger();
  }

  /** The watcher has read the file (or found a lazy one changed): the topics it feeds follow. */
  #onContractChange(change: ContractChange): void {
    if (this.#stopped) return;
    switch (change.kind) {
      case 'appended':
      case 'events':
        this.#pump?.trigger();
        return;
      case 'stale':
        void this.#sync.refresh(change.file);
        return;
      case 'status':
      case 'progress':
      case 'attributes':
        void this.#sync.refresh({ kind: change.kind, drive: change.drive });
        return;
      default:
        void this.#sync.refresh({ kind: change.kind });
    }
  }

  /** The safety poll: every file brought up to date (a stat each; a read only if it changed). */
  async #refreshAll(): Promise<void> {
    for (const file of allDataFiles(this.#drives)) await this.#sync.refresh(file);
    this.#pump?.trigger();
  }

  #onMessage(topic: string, payload: Buffer, retained: boolean): void {
    if (this.topics.haStatus.includes(topic)) {
      if (!retained && payload.toString('utf8').trim() === 'online') this.#onHaBirth();
      return;
    }
    const target = this.topics.parseCommandTopic(topic);
    if (!target || !this.#sessionReady) return;
    const parsed = parseCommand(target, payload, retained, this.#driveSet, (drive) => this.#sync.metadataOf(drive));
    if (!parsed.ok) {
      if (parsed.reason !== 'empty') this.#log.warn({ topic, reason: parsed.reason }, 'ignoring the message on %s: %s', topic, parsed.detail);
      return;
    }
    if (this.#sync.core !== 'running') {
      // Nobody to send it to: one clear line instead of a failed HTTP request.
      this.#log.warn(
        { drive: parsed.drive, command: parsed.command, core: this.#sync.core },
        "command %s for drive '%s' refused: %s",
        parsed.command.action,
        parsed.drive,
        this.#sync.coreAbsence(),
      );
      return;
    }
    void this.#commands.dispatch(parsed.drive, parsed.command);
  }

  /** HA restarted: after a random delay (HA's advice, spreads the load) send everything again. */
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

import type { ContractEvent } from '../contract/index.js';
import type { Logger } from '../log/index.js';
import { errorMessage } from '../util/errors.js';
import { driveAvailability, reconcileState, type StateTrack } from './availability.js';
import type { CommandDispatcher } from './commands.js';
import type { ContractFile, ContractView, DriveFile } from './contract-view.js';
import { buildDiscovery, type DriveDeviceInfo } from './discovery.js';
import type { OriginInfo } from './discovery-types.js';
import { eventMessages } from './event-messages.js';
import type { EventMessage } from './event-pump.js';
import * as project from './projection.js';
import type { RetainedPublisher } from './publisher.js';
import { serializePayload } from './stable-stringify.js';
import { TrailingThrottle } from './throttle.js';
import type { Timers } from './timers.js';
import type { Topics } from './topics.js';

export interface StateSyncDeps {
  topics: Topics;
  drives: readonly string[];
  /** The drive mirrored on the original tool's topics, or null when they are off. */
  legacyDrive: string | null;
  view: ContractView;
  publisher: RetainedPublisher;
  commands: CommandDispatcher;
  origin: OriginInfo;
  swVersion: string;
  configurationUrl: string | null;
  progressIntervalMs: number;
  stateGraceMs: number;
  timers: Timers;
  logger: Logger;
}

/**
 * Contract → retained topics: reads a changed contract file and sets the topics it feeds
 * (discovery, status, progress, disc, last job, system, availability, legacy), and turns events
 * into their messages. Publishing itself (diffs, reconnects) is the publisher's.
 */
export class StateSync {
  readonly #tracks = new Map<string, StateTrack>();
  readonly #driveSet: ReadonlySet<string>;
  readonly #legacyThrottle: TrailingThrottle<string>;
  readonly #progressReads: TrailingThrottle<DriveFile<'progress'>>;
  #discoveryKey = '';
  #stopped = false;

  constructor(private readonly deps: StateSyncDeps) {
    this.#driveSet = new Set(deps.drives);
    for (const drive of deps.drives) this.#tracks.set(drive, { published: null, lastEventTs: null });
    this.#legacyThrottle = new TrailingThrottle(deps.progressIntervalMs, (topic, payload) => deps.publisher.set(topic, payload), deps.timers);
    // progress.json is read (and published) at most once per interval per drive, the last read
    // trailing: the rate limit of SPEC §6, and no parsing of writes nobody would see.
    this.#progressReads = new TrailingThrottle(deps.progressIntervalMs, (_drive, file) => void this.#loadProgress(file), deps.timers);
  }

  /** Every retained topic this bridge may publish (anything else under our namespace is stale). */
  computedTopics(): Set<string> {
    const t = this.deps.topics;
    const out = new Set<string>([t.bridgeAvailability, t.system]);
    for (const drive of this.deps.drives) {
      for (const topic of [t.discovery(drive), t.driveAvailability(drive), t.state(drive), t.status(drive), t.progress(drive), t.disc(drive), t.lastJob(drive)]) {
        out.add(topic);
      }
    }
    if (this.deps.legacyDrive) for (const topic of Object.values(t.legacy)) out.add(topic);
    return out;
  }

  stop(): void {
    this.#stopped = true;
    this.#legacyThrottle.stop();
    this.#progressReads.stop();
  }

  /** The messages of one event, in order; a transition also updates what the state topic shows. */
  messagesFor(event: ContractEvent): EventMessage[] {
    const { topics, legacyDrive } = this.deps;
    const outcome = eventMessages(event, { topics, drives: this.#driveSet, legacyDrive });
    if (outcome.state) {
      const track = this.#tracks.get(outcome.state.drive);
      if (track) {
        track.published = outcome.state.state;
        track.lastEventTs = outcome.state.ts;
      }
    }
    return outcome.messages;
  }

  /** Periodic: heartbeat staleness and the status.json fallback for the state topic. */
  tick(): void {
    for (const drive of this.deps.drives) {
      this.#publishDriveAvailability(drive);
      this.#reconcile(drive);
    }
  }

  async refresh(file: ContractFile): Promise<void> {
    if (this.#stopped || file.kind === 'events') return;
    if ('drive' in file && !this.#driveSet.has(file.drive)) return;
    if (file.kind === 'progress') {
      this.#progressReads.push(file.drive, file);
      return;
    }
    if (!(await this.#load(file))) return;
    const { view, publisher, topics: t } = this.deps;
    switch (file.kind) {
      case 'system':
        publisher.set(t.system, serializePayload(project.systemPayload(view.system)));
        this.deps.commands.setControlUrl(view.system?.control_url ?? null);
        return;
      case 'history':
        for (const drive of this.deps.drives) publisher.set(t.lastJob(drive), serializePayload(project.lastJobPayload(view.history, drive)));
        return;
      case 'status': {
        const status = view.status.get(file.drive) ?? null;
        if (status) publisher.set(t.status(file.drive), serializePayload(project.statusPayload(status)));
        this.#publishDriveAvailability(file.drive);
        this.#reconcile(file.drive);
        this.#publishDiscovery();
        this.#publishLegacy(file.drive);
        return;
      }
      case 'attributes':
        publisher.set(t.disc(file.drive), serializePayload(project.discPayload(view.attributes.get(file.drive) ?? null)));
        this.#publishLegacy(file.drive);
        return;
    }
  }

  async #load(file: ContractFile): Promise<boolean> {
    try {
      await this.deps.view.load(file);
      return !this.#stopped;
    } catch (error) {
      this.deps.logger.warn({ err: errorMessage(error) }, 'reading the contract failed: %s', errorMessage(error));
      return false;
    }
  }

  async #loadProgress(file: DriveFile<'progress'>): Promise<void> {
    if (!(await this.#load(file))) return;
    const progress = this.deps.view.progress.get(file.drive) ?? null;
    this.deps.publisher.set(this.deps.topics.progress(file.drive), serializePayload(project.progressPayload(progress)));
    this.#publishLegacy(file.drive);
  }

  /** Discovery changes only with the drive's vendor/model/path; rebuilt only then. */
  #publishDiscovery(): void {
    const { view, topics } = this.deps;
    const drives: DriveDeviceInfo[] = this.deps.drives.map((id) => {
      const status = view.status.get(id) ?? null;
      return { id, vendor: status?.drive.vendor ?? null, model: status?.drive.model ?? null, path: status?.drive.path ?? null };
    });
    const key = JSON.stringify(drives);
    if (key === this.#discoveryKey) return;
    this.#discoveryKey = key;
    const discovery = buildDiscovery({ topics, drives, origin: this.deps.origin, swVersion: this.deps.swVersion, configurationUrl: this.deps.configurationUrl });
    for (const [topic, payload] of discovery) this.deps.publisher.set(topic, serializePayload(payload));
  }

  #publishDriveAvailability(drive: string): void {
    const { topics, publisher, logger } = this.deps;
    const topic = topics.driveAvailability(drive);
    const next = driveAvailability(this.deps.view.status.get(drive) ?? null, this.deps.timers.now());
    const previous = publisher.desired(topic);
    if (previous !== undefined && previous !== next) {
      if (next === 'offline') logger.warn({ drive }, "drive '%s' is offline: the core's heartbeat is stale or missing", drive);
      else logger.info({ drive }, "drive '%s' is online again", drive);
    }
    publisher.set(topic, next);
    if (drive === this.deps.legacyDrive) publisher.set(topics.legacy.availability, next);
  }

  #reconcile(drive: string): void {
    const track = this.#tracks.get(drive);
    if (!track) return;
    const state = reconcileState(track, this.deps.view.status.get(drive) ?? null, this.deps.timers.now(), this.deps.stateGraceMs);
    if (!state) return;
    track.published = state;
    this.deps.publisher.set(this.deps.topics.state(drive), state);
    if (drive === this.deps.legacyDrive) this.deps.publisher.set(this.deps.topics.legacy.state, state);
  }

  #publishLegacy(drive: string): void {
    if (drive !== this.deps.legacyDrive) return;
    const { view, topics } = this.deps;
    const progress = view.progress.get(drive) ?? null;
    this.#legacyThrottle.push(topics.legacy.progress, String(project.legacyProgressPayload(progress)));
    const attributes = project.legacyAttributesPayload(view.status.get(drive) ?? null, view.attributes.get(drive) ?? null, progress);
    this.#legacyThrottle.push(topics.legacy.attributes, serializePayload(attributes));
  }
}

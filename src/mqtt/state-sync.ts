import { lstat, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { coreLiveness, type ContractEvent, type ContractWatcher, type CoreLiveness, type DataFile, type DriveFile } from '../contract/index.js';
import type { Logger } from '../log/index.js';
import { errorMessage } from '../util/errors.js';
import { coreAvailability, driveAvailability, reconcileState, type StateTrack } from './availability.js';
import type { CommandDispatcher } from './commands.js';
import { buildDiscovery, nextIdentity, type DriveIdentity } from './discovery.js';
import type { OriginInfo } from './discovery-types.js';
import { eventMessages } from './event-messages.js';
import { currentCoverFile, metadataPayload, selectOptions } from './metadata.js';
import type { EventMessage } from './event-pump.js';
import * as project from './projection.js';
import type { RetainedPublisher } from './publisher.js';
import { serializePayload } from './stable-stringify.js';
import { TrailingThrottle } from './throttle.js';
import type { Timers } from './timers.js';
import type { MetadataPayload, ProgressPayload, Topics } from './topics.js';

/** A cover larger than this is not sent (the core keeps covers far smaller; a retained message is held by the broker). */
const MAX_COVER_BYTES = 2 * 1024 * 1024;

export interface StateSyncDeps {
  topics: Topics;
  drives: readonly string[];
  /** The drive mirrored on the original tool's topics, or null when they are off. */
  legacyDrive: string | null;
  /** The contract's last good values; `load(file)` brings one up to date. */
  view: ContractWatcher;
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

const JOB_END_EVENTS: ReadonlySet<string> = new Set(['copy_completed', 'copy_failed', 'copy_cancelled']);

/**
 * Contract → retained topics: reads a changed contract file and sets the topics it feeds
 * (discovery, status, progress, disc, last job, system, archive, availability, legacy), follows
 * the core's liveness, and turns events into their messages. Publishing itself (diffs, order,
 * reconnects) is the publisher's and the bridge's.
 */
export class StateSync {
  readonly #tracks = new Map<string, StateTrack>();
  readonly #identities = new Map<string, DriveIdentity>();
  readonly #driveSet: ReadonlySet<string>;
  readonly #legacyThrottle: TrailingThrottle<string>;
  readonly #progressReads: TrailingThrottle<DriveFile<'progress'>>;
  /** The progress last set for each drive's topic. */
  readonly #lastProgress = new Map<string, ProgressPayload>();
  #discoveryKey = '';
  /** Per drive: the cover file published (name, size, mtime) and a counter so a slow read never overwrites a newer one. */
  readonly #covers = new Map<string, { key: string; generation: number }>();
  #core: CoreLiveness | null = null;
  #lockMtime: number | null = null;
  #stopped = false;

  constructor(private readonly deps: StateSyncDeps) {
    this.#driveSet = new Set(deps.drives);
    for (const drive of deps.drives) this.#tracks.set(drive, { published: null, lastEventTs: null });
    this.#legacyThrottle = new TrailingThrottle(deps.progressIntervalMs, (topic, payload) => deps.publisher.set(topic, payload), deps.timers);
    // progress.json is read (and published) at most once per interval per drive, the last read
    // trailing: the rate limit of SPEC §6, and no parsing of writes nobody would see. A job's end
    // value does not depend on it: the job's event publishes it (#finishProgress).
    this.#progressReads = new TrailingThrottle(deps.progressIntervalMs, (_drive, file) => void this.#loadProgress(file), deps.timers);
  }

  /** Every retained topic this bridge may publish (anything else under our namespace is stale). */
  computedTopics(): Set<string> {
    const t = this.deps.topics;
    const out = new Set<string>([t.bridgeAvailability, t.coreAvailability, t.system, t.archive, t.hubDiscovery]);
    for (const drive of this.deps.drives) {
      for (const topic of [t.discovery(drive), t.driveAvailability(drive), t.state(drive), t.status(drive), t.progress(drive), t.disc(drive), t.lastJob(drive), t.metadata(drive), t.cover(drive)]) {
        out.add(topic);
      }
    }
    if (this.deps.legacyDrive) for (const topic of Object.values(t.legacy)) out.add(topic);
    return out;
  }

  /** Published first in a session, before missed events: the devices and whether they are available. */
  isSessionHead(topic: string): boolean {
    const t = this.deps.topics;
    return topic.endsWith('/config') || topic === t.bridgeAvailability || topic === t.coreAvailability || topic.endsWith('/availability');
  }

  /** Whether the core runs, as last checked (null before the first check). */
  get core(): CoreLiveness | null {
    return this.#core;
  }

  /** Why the core is not there, for log lines. */
  coreAbsence(): string {
    const stopped = this.deps.view.system?.stopped;
    if (this.#core === 'stopped' && stopped) return `the core stopped at ${stopped}`;
    if (this.#lockMtime === null) return 'the core is not running (no lock file)';
    return `the core is not responding (its lock was last touched at ${new Date(this.#lockMtime).toISOString()})`;
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
    if (event.drive !== null && this.#driveSet.has(event.drive) && JOB_END_EVENTS.has(event.type) && typeof event.data.job_id === 'string') {
      void this.#finishProgress(event.drive, event.data.job_id, event.type === 'copy_completed');
    }
    return outcome.messages;
  }

  /** Periodic: the core's liveness (its lock), heartbeat staleness and the status.json fallback for the state topic. */
  async tick(): Promise<void> {
    await this.checkCore();
    if (this.#stopped) return;
    for (const drive of this.deps.drives) {
      this.#publishDriveAvailability(drive);
      this.#reconcile(drive);
    }
  }

  /** Reads the core's lock and system.json's stop mark; publishes the core's availability on a change. */
  async checkCore(): Promise<void> {
    const { view, topics, publisher, logger, timers } = this.deps;
    this.#lockMtime = await stat(view.paths.coreLock).then(
      (s) => s.mtimeMs,
      () => null,
    );
    if (this.#stopped) return;
    const next = coreLiveness(this.#lockMtime, view.system, timers.now());
    const previous = this.#core;
    this.#core = next;
    if (previous !== null && previous !== next) {
      if (next === 'running') logger.info('the core is running again');
      else logger.warn({ core: next }, '%s: its entities are unavailable', this.coreAbsence());
    }
    publisher.set(topics.coreAvailability, coreAvailability(next));
    if (previous !== next) for (const drive of this.deps.drives) this.#publishDriveAvailability(drive);
  }

  async refresh(file: DataFile): Promise<void> {
    if (this.#stopped) return;
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
        // A clean stop says so here: the core's availability changes at once, not at the next check.
        await this.checkCore();
        return;
      case 'archive':
        publisher.set(t.archive, serializePayload(project.archivePayload(view.history, view.archive)));
        return;
      case 'history':
        publisher.set(t.archive, serializePayload(project.archivePayload(view.history, view.archive)));
        for (const drive of this.deps.drives) publisher.set(t.lastJob(drive), serializePayload(project.lastJobPayload(view.history, drive)));
        return;
      case 'status': {
        const status = view.status.get(file.drive) ?? null;
        if (status) publisher.set(t.status(file.drive), serializePayload(project.statusPayload(status)));
        this.#publishDriveAvailability(file.drive);
        this.#reconcile(file.drive);
        this.updateDiscovery();
        this.#publishLegacy(file.drive);
        return;
      }
      case 'attributes': {
        const attributes = view.attributes.get(file.drive) ?? null;
        publisher.set(t.disc(file.drive), serializePayload(project.discPayload(attributes)));
        // The select's options first (discovery), then its state: HA checks the state against the options.
        this.updateDiscovery();
        publisher.set(t.metadata(file.drive), serializePayload(metadataPayload(attributes)));
        this.#publishLegacy(file.drive);
        await this.#publishCover(file.drive);
        return;
      }
    }
  }

  /**
   * Sets the discovery of the hub and of every drive whose identity is known (or known to be
   * unknowable); rebuilt only when an identity changed, so HA sees one discovery per change.
   */
  updateDiscovery(): void {
    const { view, topics } = this.deps;
    for (const id of this.deps.drives) this.#identities.set(id, nextIdentity(this.#identities.get(id) ?? null, view.status.get(id) ?? null));
    const drives = this.deps.drives.flatMap((id) => {
      const identity = this.#identities.get(id);
      return identity ? [{ id, ...identity, metadataOptions: selectOptions(this.metadataOf(id)) }] : [];
    });
    const key = JSON.stringify(drives);
    if (key === this.#discoveryKey) return;
    this.#discoveryKey = key;
    const discovery = buildDiscovery({ topics, drives, origin: this.deps.origin, swVersion: this.deps.swVersion, configurationUrl: this.deps.configurationUrl });
    for (const [topic, payload] of discovery) this.deps.publisher.set(topic, serializePayload(payload));
  }

  /** The drive's metadata topic as published now (the candidates the select's options name). */
  metadataOf(drive: string): MetadataPayload {
    return metadataPayload(this.deps.view.attributes.get(drive) ?? null);
  }

  /**
   * The current disc's cover on the image entity's topic, base64; empty without one. Read from
   * the contract's covers folder only when the file (name, size, time) changed.
   */
  async #publishCover(drive: string): Promise<void> {
    const { view, publisher, topics, logger } = this.deps;
    const file = currentCoverFile(view.attributes.get(drive) ?? null);
    const previous = this.#covers.get(drive);
    const generation = (previous?.generation ?? 0) + 1;
    const path = file === null ? null : join(view.paths.covers(drive), file);
    const info = path ? await lstat(path).catch(() => null) : null;
    const usable = info?.isFile() === true && info.size > 0 && info.size <= MAX_COVER_BYTES;
    const key = path && info && usable ? `${file}:${info.size}:${info.mtimeMs}` : '';
    if (previous?.key === key && publisher.desired(topics.cover(drive)) !== undefined) return;
    this.#covers.set(drive, { key, generation });
    let payload = '';
    if (path && usable) {
      payload = await readFile(path).then(
        (bytes) => bytes.toString('base64'),
        (error: unknown) => {
          logger.warn({ drive, err: errorMessage(error) }, 'could not read the cover %s: %s', path, errorMessage(error));
          return '';
        },
      );
    } else if (info && !usable) {
      logger.warn({ drive, file, bytes: info.size }, 'the cover %s is not sent: not a plain file of 1 byte to %d bytes', file, MAX_COVER_BYTES);
    }
    if (this.#stopped || this.#covers.get(drive)?.generation !== generation) return;
    publisher.set(topics.cover(drive), payload);
  }

  async #load(file: DataFile): Promise<boolean> {
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
    this.#setProgress(file.drive, project.progressPayload(this.deps.view.progress.get(file.drive) ?? null));
    this.#publishLegacy(file.drive);
  }

  #setProgress(drive: string, payload: ProgressPayload): void {
    this.#lastProgress.set(drive, payload);
    this.deps.publisher.set(this.deps.topics.progress(drive), serializePayload(payload));
  }

  /**
   * A job ended: its end value is published now, read from progress.json or, when the core has
   * already replaced it (reset, next job), made from the last value seen of that job.
   */
  async #finishProgress(drive: string, jobId: string, completed: boolean): Promise<void> {
    const file: DriveFile<'progress'> = { kind: 'progress', drive };
    if (!(await this.#load(file))) return;
    const current = project.progressPayload(this.deps.view.progress.get(drive) ?? null);
    const last = this.#lastProgress.get(drive);
    const final =
      current.job_id === jobId
        ? current
        : last?.job_id === jobId
          ? project.finalProgress(last, completed ? 'completed' : 'ended')
          : // A copy shorter than the read interval: no value of it was seen, but a success is 100 %.
            completed
            ? project.finalProgress({ ...current, job_id: jobId }, 'completed')
            : null;
    if (!final) return;
    // At once, outside the rate limit: one message more at the end of a job.
    this.#setProgress(drive, final);
    // Whatever replaced it (the reset, the next job) follows within the interval.
    if (current.job_id !== jobId) this.#progressReads.push(drive, file);
  }

  #publishDriveAvailability(drive: string): void {
    const { topics, publisher, logger } = this.deps;
    if (this.#core === null) return;
    const topic = topics.driveAvailability(drive);
    const next = driveAvailability(this.deps.view.status.get(drive) ?? null, this.deps.timers.now(), this.#core);
    const previous = publisher.desired(topic);
    if (previous !== undefined && previous !== next) {
      if (next === 'offline') logger.warn({ drive }, "drive '%s' is offline: %s", drive, this.#core === 'running' ? "the core's heartbeat for it is stale or missing" : this.coreAbsence());
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

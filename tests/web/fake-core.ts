import {
  EventLogWriter,
  accepted,
  addHistoryEntry,
  coded,
  commandVerdict,
  refused,
  emptyHistory,
  writeJsonAtomic,
  type ControlCommand,
  type ControlResult,
  type DriveState,
  type HistoryEntry,
} from '../../src/contract/index.js';
import { attributes, progress, status, system, type WebFixture } from './fixtures.js';

interface Job {
  id: string;
  label: string;
  total: number;
  done: number;
  speed: number;
  /** Stop advancing at this fraction (a slow disc that waits for Cancel). */
  holdAt: number | null;
  bad: [number, number][];
  started: string;
  timer: NodeJS.Timeout | null;
}

/**
 * Stands in for the core while it cannot run here: writes the /data/api contract the way the
 * core does (status, progress at most a few times a second, attributes, events, history) and
 * answers control commands by the core's own command policy (src/contract). The web layer under
 * test only sees the files and the ControlApi.
 */
export class FakeCore {
  state: DriveState = 'waiting_for_media';
  autoCopy = true;
  job: Job | null = null;
  readonly log: EventLogWriter;
  #history = emptyHistory();
  #label: string | null = null;

  constructor(
    private readonly fx: WebFixture,
    private readonly tickMs = 250,
  ) {
    this.log = new EventLogWriter(fx.paths, 256 * 1024);
    fx.control.onExecute = (id, command) => this.execute(id, command);
  }

  async start(): Promise<void> {
    await this.log.start();
    await writeJsonAtomic(this.fx.paths.system, system({ output_dir: this.fx.outputDir }));
    await writeJsonAtomic(this.fx.paths.history, this.#history);
    await this.#writeAttributes(null);
    await this.#transition('waiting_for_media', 'Waiting for a disc');
  }

  async #status(message: string): Promise<void> {
    await writeJsonAtomic(this.fx.paths.status('sim0'), status({ state: this.state, message, auto_copy: this.autoCopy, job_id: this.job?.id ?? null }));
  }

  async #transition(to: DriveState, message: string): Promise<void> {
    const from = this.state;
    this.state = to;
    await this.#status(message);
    await this.log.append('sim0', 'state_changed', { from, to, message });
  }

  async #writeAttributes(label: string | null, size = 0, jobId: string | null = null): Promise<void> {
    await writeJsonAtomic(
      this.fx.paths.attributes('sim0'),
      attributes({ job_id: jobId, disc_label: label, disc_type: label ? 'dvd-rom' : null, disc_size_bytes: label ? size : null, disc_size_mb: label ? size / 1048576 : null, method: label ? 'block-copy' : null }),
    );
  }

  async #writeProgress(job: Job): Promise<void> {
    const percent = job.total > 0 ? (job.done / job.total) * 100 : 0;
    const remaining = job.total - job.done;
    const badSectors = job.bad.reduce((n, [s, e]) => n + (e - s) / 2048, 0);
    await writeJsonAtomic(
      this.fx.paths.progress('sim0'),
      progress({ job_id: job.id, percent, bytes_done: job.done, bytes_total: job.total, speed_bytes_per_s: job.speed * (0.9 + Math.random() * 0.2), eta_seconds: remaining / job.speed, bad_sectors: badSectors, bad_ranges: job.bad }),
    );
  }

  /** Inserts a disc and copies it; resolves when the copy has started. */
  async insert(label: string, options: { total: number; speed: number; holdAt?: number; bad?: [number, number][] }): Promise<void> {
    this.#label = label;
    await this.#transition('media_detected', 'Disc inserted');
    await this.log.append('sim0', 'disc_inserted', { label });
    if (this.autoCopy) {
      await this.#startJob(options);
      return;
    }
    this.#pending = options;
    await this.#transition('analyzing', 'Identifying the disc');
    await this.#writeAttributes(label, options.total);
    await this.#transition('waiting_for_metadata', 'Auto-copy is off: press Start to copy this disc');
  }

  #pending: { total: number; speed: number; holdAt?: number; bad?: [number, number][] } | null = null;

  async #startJob(options: { total: number; speed: number; holdAt?: number; bad?: [number, number][] }): Promise<void> {
    this.#pending = options;
    const job: Job = { id: `job-${Date.now()}`, label: this.#label ?? 'DISC', total: options.total, done: 0, speed: options.speed, holdAt: options.holdAt ?? null, bad: options.bad ?? [], started: new Date().toISOString(), timer: null };
    this.job = job;
    if (this.state !== 'waiting_for_metadata' && this.state !== 'waiting_for_removal') await this.#transition('analyzing', 'Reading the disc structure');
    await this.#writeAttributes(job.label, job.total, job.id);
    await this.#writeProgress(job);
    await this.#transition('copying', `Copying ${job.label}`);
    await this.log.append('sim0', 'copy_started', { label: job.label });
    job.timer = setInterval(() => void this.#tick(job), this.tickMs);
  }

  async #tick(job: Job): Promise<void> {
    if (this.job !== job) return;
    const limit = job.holdAt === null ? job.total : Math.floor(job.total * job.holdAt);
    job.done = Math.min(limit, job.done + Math.round(job.speed * (this.tickMs / 1000)));
    await this.#writeProgress(job);
    if (job.done >= job.total) await this.#finish(job, 'success');
  }

  async #finish(job: Job, result: HistoryEntry['result']): Promise<void> {
    if (job.timer) clearInterval(job.timer);
    job.timer = null;
    this.job = null;
    const finished = new Date().toISOString();
    const duration = (Date.parse(finished) - Date.parse(job.started)) / 1000;
    const entry: HistoryEntry = {
      id: job.id, drive_id: 'sim0', disc_label: job.label, disc_type: 'dvd-rom', fingerprint: null, result, method: 'block-copy',
      started: job.started, finished, duration_s: duration, bytes: job.done, avg_speed_bytes_per_s: duration > 0 ? job.done / duration : 0,
      image_path: `${this.fx.outputDir}/dvd/${job.label}.iso`, checksums: result === 'success' ? { sha256: 'b'.repeat(64) } : {},
      bad_sectors: 0, bad_ranges: job.bad, error_message: result === 'cancelled' ? 'Cancelled from the web UI' : null,
    };
    this.#history = addHistoryEntry(this.#history, entry, 500);
    if (result === 'success') await this.#transition('completed', `${job.label} archived`);
    await writeJsonAtomic(this.fx.paths.history, this.#history);
    await this.log.append('sim0', result === 'success' ? 'copy_completed' : 'copy_cancelled', { label: job.label });
    await this.#transition('waiting_for_removal', result === 'success' ? 'Done, remove the disc' : 'Cancelled, remove the disc');
  }

  async execute(_id: string, command: ControlCommand): Promise<ControlResult> {
    const verdict = commandVerdict(command.action, { state: this.state, job: this.job !== null, drivePresent: true });
    if (!verdict.allowed) return refused(409, verdict.message);
    switch (command.action) {
      case 'cancel':
        if (this.job) await this.#finish(this.job, 'cancelled');
        return accepted(coded('cmd_cancelling'));
      case 'eject':
        // Like the core: a running copy is cancelled first.
        if (this.job) await this.#finish(this.job, 'cancelled');
        this.#label = null;
        await this.#writeAttributes(null);
        await this.#transition('waiting_for_media', 'Waiting for a disc');
        await this.log.append('sim0', 'disc_removed', {});
        return accepted(coded('cmd_ejected'));
      case 'set_auto_copy':
        this.autoCopy = command.enabled;
        await this.#status(this.autoCopy ? 'Auto-copy on' : 'Auto-copy off');
        return accepted(coded(command.enabled ? 'cmd_auto_copy_on' : 'cmd_auto_copy_off'));
      case 'start':
        await this.#startJob(this.#pending ?? { total: 64 * 1048576, speed: 32 * 1048576 });
        return accepted(coded('cmd_copy_requested'));
      case 'close_tray':
        return accepted(coded('cmd_tray_closed'));
      case 'set_duplicate_policy':
        return accepted(coded('cmd_duplicate_policy_set', { policy: command.policy }));
      case 'set_checksum':
        return accepted(coded('cmd_checksum_set', { checksum: command.checksum }));
      case 'select_metadata':
      case 'set_title':
      case 'skip_metadata':
      case 'search_metadata':
        return refused(409, coded('cmd_not_in_state', { action: command.action, state: this.state }));
    }
  }

  async stop(): Promise<void> {
    if (this.job?.timer) clearInterval(this.job.timer);
    await this.log.stop();
  }
}

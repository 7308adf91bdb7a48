import {
  accepted,
  coded,
  commandVerdict,
  refused,
  type ChecksumChoice,
  type CodedMessage,
  type ControlCommand,
  type ControlResult,
  type DriveInfo,
  type DriveState,
  type DuplicatePolicy,
} from '../contract/index.js';
import { hasTool, type ToolInventory } from '../copy/index.js';
import type { Drive, DriveIdentity, DriveStatusKind } from '../drive/index.js';
import type { Logger } from '../log/index.js';
import { errorMessage } from '../util/errors.js';
import { VERSION } from '../util/version.js';
import { analyzeDisc, type AnalyzedDisc } from './analyze.js';
import type { ContractStore } from './contract-store.js';
import { duplicateSkip, jobIdFor, type AbortReason, type ResumeCandidate } from './copy-job.js';
import { TypedEmitter, type MachineEvents } from './events.js';
import { recordOutcome, runJob, type RunningJob } from './job-runner.js';
import { saveResumeRecord } from './reconcile.js';
import { albumLabel, lookupAlbum } from './album.js';
import { devicePathOf, discBytes } from './methods.js';
import { checksumChoiceOf, checksumList, type MachineOptions } from './options.js';
import type { RuntimeSwitches } from './runtime-switches.js';
import { discAttributes, emptyAttributes, emptyProgress, statusSnapshot } from './snapshots.js';
import { defaultMessage, nextStateOnPoll, pollIntervalFor } from './transitions.js';

export interface DriveMachineDeps {
  readonly drive: Drive;
  readonly store: ContractStore;
  readonly options: MachineOptions;
  /** Tools found at start-up (probed once by the composition root). */
  readonly tools: ToolInventory;
  readonly logger: Logger;
  /** A partial image of this drive left by a crash (start-up reconciliation). */
  readonly resume?: ResumeCandidate | null;
  /** Where the Auto-copy switch is kept across restarts; without it the option alone decides. */
  readonly switches?: RuntimeSwitches;
}


/**
 * One drive's state machine (SPEC §3). `run()` loops until `stop()`; every transition is an
 * event in events.jsonl followed by a status.json update. Commands arrive through `execute()`.
 */
export class DriveMachine {
  readonly events = new TypedEmitter<MachineEvents>();
  readonly #drive: Drive;
  readonly #store: ContractStore;
  readonly #options: MachineOptions;
  readonly #tools: ToolInventory;
  readonly #log: Logger;
  readonly #switches: RuntimeSwitches | null;
  #state: DriveState = 'initializing';
  #previous: DriveState | null = null;
  #since = new Date().toISOString();
  #message = defaultMessage('initializing');
  #autoCopy: boolean;
  /** Settable at run time (select entities, control API); a running job keeps what it started with. */
  #duplicatePolicy: DuplicatePolicy;
  #checksum: ChecksumChoice;
  #identity: DriveIdentity;
  #present = false;
  #disc: AnalyzedDisc | null = null;
  #job: RunningJob | null = null;
  /** Start pressed in the current state; cleared on every state entry (it belongs to that state). */
  #startRequested = false;
  #forceCopy = false;
  #resume: ResumeCandidate | null;
  #atStartup = true;
  /** False until the first state was entered (events then say `from: null`). */
  #entered = false;
  #stopping = false;
  /** Jobs this machine has numbered (see jobIdFor). */
  #jobCount = 0;
  #wake: (() => void) | null = null;
  #loop: Promise<void> | null = null;
  #heartbeat: NodeJS.Timeout | null = null;

  constructor(deps: DriveMachineDeps) {
    this.#drive = deps.drive;
    this.#store = deps.store;
    this.#options = deps.options;
    this.#tools = deps.tools;
    this.#log = deps.logger.child({ ns: 'machine', drive: deps.drive.id });
    this.#switches = deps.switches ?? null;
    this.#autoCopy = this.#switches?.autoCopy(deps.drive.id, deps.options.autoCopy) ?? deps.options.autoCopy;
    this.#duplicatePolicy = this.#switches?.duplicatePolicy(deps.drive.id, deps.options.duplicatePolicy) ?? deps.options.duplicatePolicy;
    const checksum = checksumChoiceOf(deps.options.checksums);
    this.#checksum = this.#switches?.checksum(deps.drive.id, checksum) ?? checksum;
    this.#resume = deps.resume ?? null;
    this.#identity = { path: deps.drive.path, vendor: null, model: null, simulated: false };
  }

  get id(): string {
    return this.#drive.id;
  }

  get state(): DriveState {
    return this.#state;
  }

  start(): void {
    if (this.#loop) return;
    this.#heartbeat = setInterval(() => void this.#writeStatus(), this.#options.heartbeatMs);
    this.#heartbeat.unref();
    this.#loop = this.#run().catch((error: unknown) => {
      this.#log.fatal({ err: errorMessage(error) }, 'drive machine crashed');
    });
  }

  /** Cancels a running job (recorded as cancelled), ends the loop, flushes nothing itself. */
  async stop(): Promise<void> {
    this.#stopping = true;
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#abortJob('shutdown');
    this.#wake?.();
    await this.#loop;
    await this.#drive.dispose().catch(() => undefined);
    this.events.removeAll();
  }

  // ── commands ────────────────────────────────────────────────────────────────────────────

  /** Runs a command if the command policy (src/contract) accepts it now; 409 otherwise. */
  async execute(command: ControlCommand): Promise<ControlResult> {
    this.#log.info({ command }, 'command %s', command.action);
    const verdict = commandVerdict(command.action, { state: this.#state, job: this.#job !== null, drivePresent: this.#present });
    if (!verdict.allowed) return refused(409, verdict.message);
    switch (command.action) {
      case 'cancel':
        this.#abortJob('cancel');
        return accepted(coded('cmd_cancelling'));
      case 'eject':
        if (this.#job) {
          this.#job.ejectAfter = true;
          this.#abortJob('cancel');
          return accepted(coded('cmd_cancelling_eject'));
        }
        return this.#ejectNow();
      case 'close_tray':
        try {
          await this.#drive.closeTray();
          this.#wake?.();
          return accepted(coded('cmd_tray_closed'));
        } catch (error) {
          return refused(500, coded('cmd_close_tray_failed', { error: errorMessage(error) }));
        }
      case 'start':
        this.#startRequested = true;
        this.#wake?.();
        return accepted(coded('cmd_copy_requested'));
      case 'set_auto_copy':
        this.#autoCopy = command.enabled;
        await this.#switches?.setAutoCopy(this.id, command.enabled, this.#options.autoCopy);
        await this.#writeStatus();
        // A disc waiting for Start is copied by the next poll (see #poll).
        this.#wake?.();
        return accepted(coded(command.enabled ? 'cmd_auto_copy_on' : 'cmd_auto_copy_off'));
      case 'set_duplicate_policy':
        this.#duplicatePolicy = command.policy;
        await this.#switches?.setDuplicatePolicy(this.id, command.policy, this.#options.duplicatePolicy);
        await this.#writeStatus();
        return accepted(coded('cmd_duplicate_policy_set', { policy: command.policy }));
      case 'set_checksum':
        this.#checksum = command.checksum;
        await this.#switches?.setChecksum(this.id, command.checksum, checksumChoiceOf(this.#options.checksums));
        await this.#writeStatus();
        return accepted(coded('cmd_checksum_set', { checksum: command.checksum }));
      case 'select_metadata':
      case 'set_title':
      case 'skip_metadata':
      case 'search_metadata':
        // Issue 13: answered by the metadata flow (in progress).
        return refused(409, coded('cmd_not_in_state', { action: command.action, state: this.#state }));
    }
  }

  /** The options a new job runs with: the add-on's, with this drive's run-time settings. */
  #jobOptions(): MachineOptions {
    return { ...this.#options, duplicatePolicy: this.#duplicatePolicy, checksums: checksumList(this.#checksum) };
  }

  async #ejectNow(): Promise<ControlResult> {
    try {
      await this.#drive.eject();
      this.#wake?.();
      return accepted(coded('cmd_ejected'));
    } catch (error) {
      this.#log.warn({ err: errorMessage(error) }, 'eject failed');
      return refused(500, coded('cmd_eject_failed', { error: errorMessage(error) }));
    }
  }

  #abortJob(reason: AbortReason): void {
    if (this.#job && !this.#job.controller.signal.aborted) this.#job.controller.abort(reason);
  }

  // ── the loop ────────────────────────────────────────────────────────────────────────────

  async #run(): Promise<void> {
    await this.#store.writeProgress(emptyProgress(this.id));
    await this.#store.writeAttributes(emptyAttributes(this.id));
    await this.#enter('initializing');
    while (!this.#stopping) {
      try {
        await this.#step();
      } catch (error) {
        // A bug or an unexpected drive error must not end the loop: report and start over.
        this.#log.error({ err: errorMessage(error), state: this.#state }, 'unexpected error; re-checking the drive');
        await this.#sleep(this.#options.intervalsMs.media);
        if (!this.#stopping) await this.#enter('initializing', coded('recovered', { error: errorMessage(error) }));
      }
    }
  }

  async #step(): Promise<void> {
    switch (this.#state) {
      case 'initializing': {
        const status = await this.#status();
        if (status === 'absent') await this.#enter('waiting_for_drive');
        else await this.#driveAppeared();
        return;
      }
      case 'drive_detected': {
        const status = await this.#status();
        const atStartup = this.#atStartup;
        this.#atStartup = false;
        if (status === 'disc_ok' && atStartup && !this.#options.copyDiscPresentAtStart) {
          await this.#enter('waiting_for_removal', coded('disc_present_at_start'));
        } else {
          await this.#enter('waiting_for_media');
        }
        return;
      }
      case 'media_detected':
        await this.#enter('analyzing');
        return;
      case 'analyzing':
        await this.#analyze();
        return;
      case 'copying':
        await this.#copy();
        return;
      case 'completed':
      case 'error':
        if (this.#options.ejectAfterCopy && this.#present) {
          await this.#drive.eject().catch((error: unknown) => {
            this.#log.warn({ err: errorMessage(error) }, 'eject after the job failed; remove the disc by hand');
          });
        }
        await this.#enter('waiting_for_removal');
        return;
      case 'idle':
        this.#disc = null;
        this.#forceCopy = false;
        await this.#enter('waiting_for_media');
        return;
      case 'waiting_for_drive':
      case 'waiting_for_media':
      case 'waiting_for_removal':
      case 'waiting_for_metadata':
        await this.#poll();
        return;
    }
  }

  async #poll(): Promise<void> {
    const waitingForStart = this.#state === 'waiting_for_metadata' && this.#autoCopy;
    if (this.#startRequested || waitingForStart) {
      this.#forceCopy = true;
      // A disc left in at start was never identified: identify it first.
      await this.#enter(this.#disc ? 'copying' : 'analyzing');
      return;
    }
    const status = await this.#status();
    const next = nextStateOnPoll(this.#state, status);
    if (next === null) {
      await this.#sleep(pollIntervalFor(this.#state, this.#options.intervalsMs));
      return;
    }
    if (next === 'waiting_for_drive') {
      await this.#store.event(this.id, 'drive_disconnected', { path: this.#drive.path });
      this.#disc = null;
      await this.#store.writeAttributes(emptyAttributes(this.id));
      await this.#enter('waiting_for_drive', coded('drive_disappeared'));
      return;
    }
    if (next === 'drive_detected') {
      await this.#driveAppeared();
      return;
    }
    if (next === 'media_detected') {
      await this.#store.event(this.id, 'disc_inserted', {});
    }
    if (next === 'idle') {
      await this.#store.event(this.id, 'disc_removed', { label: this.#disc?.label ?? null });
      await this.#store.writeAttributes(emptyAttributes(this.id));
      await this.#store.writeProgress(emptyProgress(this.id));
    }
    await this.#enter(next);
  }

  async #driveAppeared(): Promise<void> {
    try {
      this.#identity = await this.#drive.identity();
    } catch (error) {
      this.#log.warn({ err: errorMessage(error) }, 'reading the drive identity failed');
    }
    await this.#store.event(this.id, 'drive_connected', {
      path: this.#drive.path,
      vendor: this.#identity.vendor,
      model: this.#identity.model,
    });
    const who = [this.#identity.vendor, this.#identity.model].filter(Boolean).join(' ');
    await this.#enter('drive_detected', coded('drive_found_named', { name: who || this.#drive.path }));
  }

  async #analyze(): Promise<void> {
    let disc: AnalyzedDisc;
    try {
      // A drive that hangs while being identified must not hold the machine forever.
      disc = await analyzeDisc(this.#drive, this.#log, Math.min(this.#options.stallTimeoutMs, 30_000));
    } catch (error) {
      if ((await this.#status()) === 'absent') {
        await this.#enter('waiting_for_media');
        return;
      }
      const message = coded('disc_unreadable', { error: errorMessage(error) });
      await this.#store.writeAttributes({ ...emptyAttributes(this.id), error_message: errorMessage(error), error_code: message.code, error_params: message.params });
      await this.#enter('error', message);
      return;
    }
    this.#log.info({ type: disc.type, bytes: disc.sizeBytes }, "identified '%s' as %s", disc.label ?? '', disc.type);
    if (disc.type === 'audio-cd') disc = await this.#withAlbum(disc);
    this.#disc = disc;
    await this.#store.writeAttributes(discAttributes(this.id, { ...disc, sizeBytes: discBytes(disc) }));
    if (!this.#forceCopy) {
      const jobId = this.#nextJobId();
      const skip = await duplicateSkip({ jobId, driveId: this.id }, disc, this.#jobOptions());
      if (skip) {
        await recordOutcome(this.#store, this.id, jobId, disc, skip);
        await this.#enter('waiting_for_removal', skip.message);
        return;
      }
    }
    if (!this.#autoCopy && !this.#forceCopy) {
      await this.#enter('waiting_for_metadata', coded('auto_copy_off'));
      return;
    }
    await this.#enter('copying');
  }

  /** Audio CDs: album and track names before ripping (state waiting_for_metadata meanwhile). */
  async #withAlbum(disc: AnalyzedDisc): Promise<AnalyzedDisc> {
    const devicePath = disc.toc ? await devicePathOf(this.#drive) : null;
    if (!disc.toc || devicePath === null) return disc;
    // Still identifying the disc (not waiting for the user): `analyzing` with its own message.
    await this.#setMessage(coded('looking_up_album'));
    const album = await lookupAlbum(disc.toc, devicePath, {
      metadataLookup: this.#options.metadataLookup,
      cdInfo: hasTool(this.#tools, 'cd-info'),
      userAgent: `disk2iso/${VERSION} ( Home Assistant add-on )`,
      timeoutMs: 10_000,
      logger: this.#log,
    }).catch(() => null);
    return { ...disc, album, label: albumLabel(album) ?? disc.label ?? 'Audio CD' };
  }

  async #copy(): Promise<void> {
    const disc = this.#disc;
    if (!disc) {
      await this.#enter('waiting_for_media');
      return;
    }
    const job: RunningJob = { id: this.#nextJobId(), controller: new AbortController(), ejectAfter: false };
    this.#job = job;
    const hadResume = this.#resume !== null;
    let outcome;
    try {
      await this.#writeStatus();
      outcome = await runJob({
        job,
        driveId: this.id,
        drive: this.#drive,
        disc,
        store: this.#store,
        options: this.#jobOptions(),
        logger: this.#log,
        forceCopy: this.#forceCopy,
        resume: this.#resume,
        tools: this.#tools,
        onProgress: (p) => this.events.emit('progress', p),
        onDriveGone: () => {
          this.#present = false;
        },
      });
    } finally {
      this.#resume = null;
      this.#job = null;
      this.#forceCopy = false;
    }
    // A stop mid-copy keeps the partial: note it so that the next start finds it again, even if
    // that start is stopped too before the disc was read. Any other end uses up an older note.
    if (outcome.keptPartial && disc.fingerprint) {
      const kept = { fingerprint: disc.fingerprint, targetPath: outcome.keptPartial };
      await this.#noteResume(kept);
      // A drive that stopped responding: the same disc, put in again, continues from the partial.
      if (!this.#stopping) this.#resume = kept;
    } else if (hadResume) {
      await this.#noteResume(null);
    }
    if (job.ejectAfter) await this.#drive.eject().catch(() => undefined);
    if (this.#stopping) return;
    switch (outcome.result) {
      case 'success':
      case 'degraded':
        await this.#enter('completed', outcome.message);
        return;
      case 'skipped_duplicate':
      case 'cancelled':
        await this.#enter('waiting_for_removal', outcome.message);
        return;
      case 'failed':
        await this.#enter('error', outcome.message);
        return;
    }
  }

  #nextJobId(): string {
    return jobIdFor(this.id, ++this.#jobCount);
  }

  async #noteResume(candidate: ResumeCandidate | null): Promise<void> {
    await saveResumeRecord(this.#store, this.id, candidate).catch((error: unknown) => {
      this.#log.warn({ err: errorMessage(error) }, 'cannot note the partial image kept for resuming');
    });
  }

  // ── state bookkeeping ──────────────────────────────────────────────────────────────────

  async #status(): Promise<DriveStatusKind> {
    let status: DriveStatusKind;
    try {
      status = await this.#drive.status();
    } catch (error) {
      this.#log.debug({ err: errorMessage(error) }, 'status poll failed');
      status = 'not_ready';
    }
    const present = status !== 'absent';
    if (present !== this.#present) {
      this.#present = present;
      await this.#writeStatus();
    }
    return status;
  }

  async #enter(state: DriveState, message: CodedMessage = defaultMessage(state)): Promise<void> {
    this.#startRequested = false;
    // The first entry (initializing at start) comes from no state: `from` null, not a self-transition.
    const from = this.#entered ? this.#state : null;
    this.#entered = true;
    if (from === state) {
      // Re-entering the same state (recovery while initializing) is no transition: a new message only.
      await this.#setMessage(message);
      return;
    }
    this.#previous = from;
    this.#state = state;
    this.#since = new Date().toISOString();
    this.#message = message;
    this.#log.info({ from, to: state }, "state '%s' → '%s': %s", from ?? '(start)', state, message.text);
    await this.#store.event(this.id, 'state_changed', { from, to: state, message: message.text, message_code: message.code, message_params: message.params });
    const status = await this.#writeStatus();
    if (from !== null) this.events.emit('transition', from, state, status);
  }

  async #setMessage(message: CodedMessage): Promise<void> {
    this.#message = message;
    await this.#writeStatus();
  }

  async #writeStatus() {
    const status = statusSnapshot({
      driveId: this.id,
      state: this.#state,
      previous: this.#previous,
      since: this.#since,
      message: this.#message,
      drive: this.#driveInfo(),
      autoCopy: this.#autoCopy,
      jobId: this.#job?.id ?? null,
      heartbeatMs: this.#options.heartbeatMs,
      duplicatePolicy: this.#duplicatePolicy,
      checksum: this.#checksum,
    });
    await this.#store.writeStatus(status);
    return status;
  }

  #driveInfo(): DriveInfo {
    return {
      path: this.#drive.path,
      vendor: this.#identity.vendor,
      model: this.#identity.model,
      present: this.#present,
      simulated: this.#identity.simulated,
    };
  }

  /** Sleeps, waking early for a command or stop. */
  #sleep(ms: number): Promise<void> {
    if (this.#stopping) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake = done;
    });
  }
}


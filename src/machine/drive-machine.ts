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
  type ChosenMetadata,
  type MetadataCandidate,
  type PendingChoice,
} from '../contract/index.js';
import { clearCovers, type LookupOutcome, type MetadataLookup } from '../metadata/index.js';
import { cleanText } from '../util/clean-text.js';
import { hasTool, musicbrainzDiscId, type AlbumMetadata, type ToolInventory } from '../copy/index.js';
import type { Drive, DriveIdentity, DriveStatusKind } from '../drive/index.js';
import type { Logger } from '../log/index.js';
import { errorMessage } from '../util/errors.js';
import { analyzeDisc, type AnalyzedDisc } from './analyze.js';
import type { ContractStore } from './contract-store.js';
import { duplicateSkip, jobIdFor, type AbortReason, type ResumeCandidate } from './copy-job.js';
import { TypedEmitter, type MachineEvents } from './events.js';
import { recordOutcome, runJob, type RunningJob } from './job-runner.js';
import { saveResumeRecord } from './reconcile.js';
import { albumLabel, cdTextAlbum } from './album.js';
import { chosenCandidate, chosenLabel, chosenTitle, defaultCandidate, discQuery, lookupKind, pendingChoice } from './metadata-choice.js';
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
  /** MusicBrainz/TMDB lookups before the copy; without it discs keep their labels (CD-TEXT still read). */
  readonly metadata?: MetadataLookup;
}

/** The whole lookup of a disc (requests, covers) ends after this long: it never holds a copy longer. */
const LOOKUP_LIMIT_MS = 30_000;


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
  readonly #metadata: MetadataLookup | null;
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
  /** The user answered `waiting_for_metadata` (select, title, skip); cleared on every state entry too. */
  #answered = false;
  /** What the drive waits for in `waiting_for_metadata`, with the candidates; null otherwise. */
  #pending: PendingChoice | null = null;
  /** The last lookup of the current disc (audio: the releases' track names by candidate id). */
  #found: LookupOutcome | null = null;
  /** A search_metadata in progress: the time limit waits for its answer. */
  #searching = false;
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
    this.#metadata = deps.metadata ?? null;
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
      case 'select_metadata': {
        const candidate = this.#pending?.candidates.find((c) => c.id === command.candidate_id);
        if (!candidate) return refused(404, coded('cmd_unknown_candidate', { candidate_id: command.candidate_id }));
        return this.#answerWith(command.action, () => this.#candidateChoice(candidate, 'user'), coded('cmd_metadata_selected', { title: candidate.title }));
      }
      case 'set_title': {
        const disc = this.#disc;
        const kind = disc && lookupKind(disc.type) === 'audio' ? 'album' : disc && lookupKind(disc.type) === 'video' ? 'movie' : null;
        const choice = chosenTitle(command.title, kind);
        return this.#answerWith(
          command.action,
          async () => {
            if (kind !== 'album' || !disc) return { metadata: choice };
            // A typed album title: the tracks keep their CD-TEXT names (or "Track NN").
            const base = await this.#cdText(disc);
            return { metadata: choice, album: { ...(base ?? { artist: null, tracks: [] }), album: choice.title, year: null } };
          },
          coded('cmd_title_set', { title: choice.title }),
        );
      }
      case 'skip_metadata':
        return this.#answerWith(command.action, () => this.#labelChoice('skipped'), coded('cmd_metadata_skipped'));
      case 'search_metadata':
        return this.#search(command.query);
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
    if (this.#state === 'waiting_for_metadata' && this.#pending) {
      if (await this.#pendingDecided()) {
        await this.#enter('copying');
        return;
      }
    }
    const waitingForStart = this.#state === 'waiting_for_metadata' && this.#autoCopy && this.#pending === null;
    if (this.#startRequested || waitingForStart) {
      this.#forceCopy = true;
      // A disc left in at start was never identified: identify it first.
      await this.#enter(this.#disc ? 'copying' : 'analyzing');
      return;
    }
    const status = await this.#status();
    const next = nextStateOnPoll(this.#state, status);
    if (next === null) {
      const deadline = this.#state === 'waiting_for_metadata' && this.#pending?.deadline ? Date.parse(this.#pending.deadline) - Date.now() : Infinity;
      await this.#sleep(Math.max(10, Math.min(pollIntervalFor(this.#state, this.#options.intervalsMs), deadline)));
      return;
    }
    if (next === 'waiting_for_drive') {
      this.#disc = null;
      await this.#store.writeAttributes(emptyAttributes(this.id));
      await this.#store.event(this.id, 'drive_disconnected', { path: this.#drive.path });
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
      this.#pending = null;
      this.#found = null;
      await clearCovers(this.#store.paths.covers(this.id));
      const label = this.#disc?.label ?? null;
      await this.#store.writeAttributes(emptyAttributes(this.id));
      await this.#store.writeProgress(emptyProgress(this.id));
      await this.#store.event(this.id, 'disc_removed', { label });
    }
    await this.#enter(next);
  }

  async #driveAppeared(): Promise<void> {
    try {
      this.#identity = await this.#drive.identity();
    } catch (error) {
      this.#log.warn({ err: errorMessage(error) }, 'reading the drive identity failed');
    }
    // status.json already says `present` (from the poll that saw the drive): name the drive in it
    // before announcing it, so that a reader of drive_connected finds vendor and model there too.
    await this.#writeStatus();
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
    this.#pending = null;
    this.#disc = disc;
    const found = await this.#lookUp(disc);
    this.#found = found;
    if (found.candidates.length === 1) {
      // One match: named after it without asking.
      disc = this.#decided(disc, await this.#candidateChoice(found.candidates[0]!, 'single_match'));
    } else if (found.candidates.length === 0) {
      disc = this.#decided(disc, await this.#labelChoice('none'));
    }
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
    const several = found.candidates.length > 1;
    if (!this.#autoCopy && !this.#forceCopy) {
      await this.#waitForUser(pendingChoice(found, 'start', null), coded('auto_copy_off'));
      return;
    }
    if (several && !this.#forceCopy) {
      const deadline = new Date(Date.now() + this.#options.metadataTimeoutMs);
      await this.#waitForUser(pendingChoice(found, 'metadata', deadline), coded('choose_metadata', { count: found.candidates.length }));
      return;
    }
    if (several) {
      // Start pressed (a disc present at start, a skipped duplicate): the best match, no waiting.
      const best = defaultCandidate(found.candidates, found.query);
      if (best) this.#disc = this.#decided(disc, await this.#candidateChoice(best, 'start'));
    }
    await this.#enter('copying');
  }

  // ── metadata before the copy (issue 13) ────────────────────────────────────────────

  /** The disc's candidates (covers downloaded), or none; bounded in time, never throws. */
  async #lookUp(disc: AnalyzedDisc): Promise<LookupOutcome> {
    const covers = this.#store.paths.covers(this.id);
    await clearCovers(covers);
    const empty: LookupOutcome = { candidates: [], albums: new Map(), query: null, notes: [] };
    if (!this.#metadata) return empty;
    const query = discQuery(disc.type, disc.label, disc.type === 'audio-cd' && disc.toc ? { discId: musicbrainzDiscId(disc.toc), toc: disc.toc } : null);
    const service = this.#metadata.serviceFor(query);
    // Still identifying the disc (not waiting for the user): `analyzing` with its own message.
    if (service) await this.#setMessage(coded('looking_up_metadata', { service }));
    const signal = AbortSignal.timeout(LOOKUP_LIMIT_MS);
    try {
      const found = await this.#metadata.lookUp(query, signal);
      for (const note of found.notes) this.#log.info({ note: note.code }, 'metadata: %s', note.text);
      return { ...found, candidates: await this.#metadata.withCovers(found.candidates, covers, signal) };
    } catch (error) {
      this.#log.warn({ err: errorMessage(error) }, 'metadata lookup failed; the disc keeps its label');
      return empty;
    }
  }

  async #waitForUser(pending: PendingChoice, message: CodedMessage): Promise<void> {
    this.#pending = pending;
    await this.#writeDiscAttributes();
    await this.#enter('waiting_for_metadata', message);
  }

  /** Whether the waiting drive may copy now: an answer, Start, Auto-copy switched on, or the time limit. */
  async #pendingDecided(): Promise<boolean> {
    const pending = this.#pending;
    if (!pending) return false;
    if (this.#answered) return true;
    const byStart = this.#startRequested || (pending.awaiting === 'start' && this.#autoCopy);
    const byTimeout = pending.deadline !== null && !this.#searching && Date.now() >= Date.parse(pending.deadline);
    if (!byStart && !byTimeout) return false;
    const best = pending.candidates.find((c) => c.id === pending.default_id) ?? null;
    const choice = best ? await this.#candidateChoice(best, byStart ? 'start' : 'timeout') : await this.#labelChoice('none');
    await this.#answer(choice, false);
    return true;
  }

  /**
   * An answer that may need the network or cd-info first (a searched release's tracks, CD-TEXT):
   * the time limit waits meanwhile, and an answer that comes too late (the disc left, the default
   * was taken) is refused rather than renaming a copy already under way.
   */
  async #answerWith(action: ControlCommand['action'], make: () => Promise<{ metadata: ChosenMetadata; album?: AlbumMetadata | null; plot?: string | null }>, reply: CodedMessage): Promise<ControlResult> {
    const pending = this.#pending;
    this.#searching = true;
    let choice;
    try {
      choice = await make();
    } finally {
      this.#searching = false;
    }
    if (this.#pending !== pending || this.#state !== 'waiting_for_metadata') return refused(409, coded('cmd_not_in_state', { action, state: this.#state }));
    await this.#answer(choice);
    return accepted(reply);
  }

  /** Applies the user's (or the time limit's) choice; the next poll starts the copy. */
  async #answer(choice: { metadata: ChosenMetadata; album?: AlbumMetadata | null; plot?: string | null }, wake = true): Promise<void> {
    if (!this.#disc) return;
    this.#disc = this.#decided(this.#disc, choice);
    this.#pending = null;
    this.#answered = true;
    this.#log.info({ metadata: choice.metadata }, "disc named '%s' (%s)", choice.metadata.title, choice.metadata.chosen_by);
    await this.#writeDiscAttributes();
    if (wake) this.#wake?.();
  }

  #decided(disc: AnalyzedDisc, choice: { metadata: ChosenMetadata; album?: AlbumMetadata | null; plot?: string | null }): AnalyzedDisc {
    if (disc.type !== 'audio-cd') return { ...disc, metadata: choice.metadata, plot: choice.plot ?? null };
    const album = choice.album === undefined ? disc.album : choice.album;
    return { ...disc, metadata: choice.metadata, album, label: albumLabel(album) ?? disc.label ?? 'Audio CD' };
  }

  async #candidateChoice(candidate: MetadataCandidate, chosenBy: ChosenMetadata['chosen_by']): Promise<{ metadata: ChosenMetadata; album?: AlbumMetadata | null; plot: string | null }> {
    const metadata = chosenCandidate(candidate, chosenBy);
    if (candidate.source !== 'musicbrainz') return { metadata, plot: candidate.overview };
    const disc = this.#disc;
    let album: AlbumMetadata | null = this.#found?.albums.get(candidate.id) ?? null;
    // A release found by the user's search has no tracks yet: read them (cached, rate-limited).
    if (!album && disc?.toc && this.#metadata) {
      album = await this.#metadata.album(metadata.source_id ?? '', disc.toc, musicbrainzDiscId(disc.toc), AbortSignal.timeout(LOOKUP_LIMIT_MS));
    }
    album ??= { album: candidate.title, artist: candidate.artist, year: candidate.year, tracks: [], releaseId: metadata.source_id, discId: null };
    return { metadata, album, plot: null };
  }

  /** No match or skipped: the label (an audio CD: its CD-TEXT names when it has them). */
  async #labelChoice(chosenBy: 'none' | 'skipped'): Promise<{ metadata: ChosenMetadata; album?: AlbumMetadata | null }> {
    const disc = this.#disc;
    if (disc?.type !== 'audio-cd') return { metadata: chosenLabel(disc?.label ?? null, chosenBy) };
    const album = await this.#cdText(disc);
    return { metadata: chosenLabel(disc.label, chosenBy, album), album };
  }

  async #cdText(disc: AnalyzedDisc): Promise<AlbumMetadata | null> {
    const devicePath = disc.toc ? await devicePathOf(this.#drive) : null;
    return cdTextAlbum(disc.toc, devicePath, { cdInfo: hasTool(this.#tools, 'cd-info'), timeoutMs: 10_000, logger: this.#log }).catch(() => null);
  }

  async #search(text: string): Promise<ControlResult> {
    const disc = this.#disc;
    const query = cleanText(text, 200) ?? '';
    if (!disc || !this.#metadata || !this.#pending || query === '') return refused(409, coded('cmd_not_in_state', { action: 'search_metadata', state: this.#state }));
    this.#searching = true;
    try {
      const signal = AbortSignal.timeout(LOOKUP_LIMIT_MS);
      const found = await this.#metadata.search(lookupKind(disc.type) === 'audio' ? 'audio' : 'video', query, signal);
      const candidates = await this.#metadata.withCovers(found.candidates, this.#store.paths.covers(this.id), signal);
      const pending = this.#pending;
      // The disc left or an answer came while searching: nothing to update.
      if (!pending || this.#state !== 'waiting_for_metadata') return accepted(coded('cmd_metadata_searched', { count: candidates.length, query }));
      if (candidates.length > 0) this.#found = { ...found, candidates, albums: new Map([...(this.#found?.albums ?? []), ...found.albums]) };
      const shown: LookupOutcome = candidates.length > 0 ? { ...found, candidates } : { candidates: pending.candidates, albums: new Map(), query, notes: found.notes };
      const deadline = pending.awaiting === 'metadata' ? new Date(Date.now() + this.#options.metadataTimeoutMs) : null;
      this.#pending = { ...pendingChoice(shown, pending.awaiting, deadline), ...(candidates.length > 0 ? {} : { default_id: pending.default_id }) };
      await this.#writeDiscAttributes();
      this.#wake?.();
      return accepted(coded('cmd_metadata_searched', { count: candidates.length, query }));
    } finally {
      this.#searching = false;
    }
  }

  /** attributes.json for the current disc, with what it waits for and its chosen metadata. */
  async #writeDiscAttributes(): Promise<void> {
    const disc = this.#disc;
    if (!disc) return;
    await this.#store.writeAttributes(discAttributes(this.id, { ...disc, sizeBytes: discBytes(disc) }, { pending: this.#pending }));
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
    this.#answered = false;
    // Leaving the wait (a copy, the disc taken out): nothing is pending any more.
    if (state !== 'waiting_for_metadata') this.#pending = null;
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
    // The snapshot first, then the event that announces it: whoever reacts to the event reads a
    // status.json that already describes the new state (not the one before it).
    const status = await this.#writeStatus();
    await this.#store.event(this.id, 'state_changed', { from, to: state, message: message.text, message_code: message.code, message_params: message.params });
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


import { statfs } from 'node:fs/promises';
import { ArchiveIndex, archiveControl, Scrubber, type ArchiveEventSink } from '../archive/index.js';
import { SCHEMA_VERSION, type ControlApi } from '../contract/index.js';
import type { Config } from '../config/index.js';
import { probeTools, type ToolInventory } from '../copy/index.js';
import { createDrive, type Drive } from '../drive/index.js';
import type { LogBuffer, Logger } from '../log/index.js';
import {
  ContractStore,
  DriveMachine,
  MachineControl,
  machineOptions,
  methodNotesInEffect,
  methodsInEffect,
  reconcileDrive,
  removeOrphanPartials,
  RuntimeSwitches,
  runtimeSwitchesPath,
  type MachineOptions,
  type ResumeCandidate,
} from '../machine/index.js';
import { MetadataLookup, metadataCacheDir, serviceUrlsFromEnv, USER_AGENT } from '../metadata/index.js';
import { errorMessage } from '../util/errors.js';
import { startWebServer, type RunningWebServer } from '../web/index.js';
import { VERSION } from '../util/version.js';
import { acquireApiLock } from './api-lock.js';
import { checkOutputDir } from './output-dir.js';

export interface CoreDeps {
  readonly config: Config;
  readonly logger: Logger;
  readonly logs: LogBuffer;
  /** Drives to use instead of those built from the options (tests, demo). */
  readonly drives?: readonly Drive[];
  /** Overrides of machine timing (tests). */
  readonly machineOverrides?: Partial<MachineOptions>;
  /** Skip the web server (tests of the machine alone). */
  readonly web?: boolean;
  /** Installed tools to assume instead of probing PATH and the library folders (tests). */
  readonly tools?: ToolInventory;
}

/** A running core: machines, contract writer and web server; `stop()` undoes `startCore()`. */
export interface RunningCore {
  readonly machines: readonly DriveMachine[];
  readonly control: ControlApi;
  readonly store: ContractStore;
  readonly archive: ArchiveIndex;
  /** Re-reads every image against its checksum record on the `scrub_interval` schedule. */
  readonly scrub: Scrubber;
  readonly web: RunningWebServer | null;
  stop(): Promise<void>;
}

const SYSTEM_REFRESH_MS = 60_000;

/**
 * Composition root of `disk2iso run`: contract writer → reconciliation → drives → machines →
 * web server → system.json. Parts stop in reverse order.
 */
export async function startCore(deps: CoreDeps): Promise<RunningCore> {
  const { config, logger } = deps;
  const log = logger.child({ ns: 'core' });
  // One core per api_dir, decided before anything is written there; then the output folder,
  // whose fault stops the start too. Both throw one clear line and leave everything as it was.
  const lock = await acquireApiLock(config.api_dir);
  let store: ContractStore;
  // The archive index: built from the folder and its records, then kept up to date by jobs and the UI.
  const archive = new ArchiveIndex(config.output_dir, config.api_dir, logger.child({ ns: 'archive' }));
  try {
    await checkOutputDir(config.output_dir);
    store = new ContractStore(config.api_dir, config.history_limit, config.events_max_kb * 1024, logger.child({ ns: 'contract' }), {
      outputDir: config.output_dir,
      onHistory: (entry) => {
        if (entry.image_path !== null && (entry.result === 'success' || entry.result === 'degraded')) void archive.refresh(entry.image_path).catch(() => undefined);
      },
    });
    await store.start();
    await archive.start();
  } catch (error) {
    await lock.release().catch(() => undefined);
    throw error;
  }
  await store.event(null, 'service_started', { version: VERSION, pid: process.pid });

  // The duplicate check asks the index (no record read per disc); tests may override it too.
  const options: MachineOptions = {
    ...machineOptions(config),
    findArchived: (fingerprint) => archive.findByFingerprint(fingerprint),
    ...deps.machineOverrides,
  };
  const drives = deps.drives ?? config.driveSpecs.map(createDrive);
  // Probed once, before any machine runs: every method choice reads this answer, no poll spawns a process.
  const tools = deps.tools ?? (await probeTools());
  const systemTools = { node: process.version, ...tools.tools, libdvdcss: tools.libdvdcss };
  const methods = methodsInEffect(options, tools);
  const methodNotes = methodNotesInEffect(options, tools);
  const resumes: ResumeCandidate[] = [];
  const machines: DriveMachine[] = [];
  const switches = await RuntimeSwitches.load(runtimeSwitchesPath(config.api_dir), log);
  // One lookup service for all drives: they share MusicBrainz's rate limit and the disk cache.
  const metadata = new MetadataLookup(
    {
      enabled: config.metadata_lookup,
      tmdbApiKey: config.tmdb_api_key,
      language: config.metadata_language || 'en',
      cacheDir: metadataCacheDir(config.api_dir),
      userAgent: USER_AGENT,
      requestTimeoutMs: 10_000,
      urls: serviceUrlsFromEnv(),
    },
    logger,
  );
  for (const drive of drives) {
    const resume = await reconcileDrive(store, drive.id, log);
    if (resume) resumes.push(resume);
    machines.push(new DriveMachine({ drive, store, options, tools, logger, resume, switches, metadata }));
  }
  await removeOrphanPartials(config.output_dir, resumes, log);

  const control = new MachineControl(machines);
  const archiveEvent: ArchiveEventSink = (type, data) => store.event(null, type, data);
  const scrub = new Scrubber({
    index: archive,
    logger: logger.child({ ns: 'scrub' }),
    event: archiveEvent,
    interval: config.scrub_interval,
  });
  // The web server starts before any machine: if its port is taken the core must not go on
  // copying discs with no UI and no control API.
  let web: RunningWebServer | null = null;
  if (deps.web !== false) {
    try {
      web = await startWebServer({ config, control, archive: archiveControl(archive, scrub, archiveEvent), logs: deps.logs, logger, version: VERSION });
    } catch (error) {
      await archive.stop().catch(() => undefined);
      await store.stop().catch(() => undefined);
      await lock.release().catch(() => undefined);
      throw error;
    }
  }
  for (const machine of machines) machine.start();

  const writeSystem = async (stopped: string | null = null) => {
    let free: number | null = null;
    let total: number | null = null;
    try {
      const fs = await statfs(config.output_dir);
      free = fs.bavail * fs.bsize;
      total = fs.blocks * fs.bsize;
    } catch {
      // Reported as unknown; the machine gives the clear error when a copy starts.
    }
    await store.writeSystem({
      schema_version: SCHEMA_VERSION,
      version: VERSION,
      started: startedAt,
      pid: process.pid,
      tools: systemTools,
      methods,
      method_notes: methodNotes,
      output_dir: config.output_dir,
      output_free_bytes: free,
      output_total_bytes: total,
      drives: machines.map((m) => m.id),
      control_url: `http://127.0.0.1:${web?.port ?? config.web_port}/`,
      stopped,
      updated: new Date().toISOString(),
    });
  };
  const startedAt = new Date().toISOString();
  await writeSystem();
  const systemTimer = setInterval(() => void writeSystem(), SYSTEM_REFRESH_MS);
  systemTimer.unref();
  const offTransitions = machines.map((m) =>
    m.events.on('transition', (_from, to) => {
      if (to === 'completed' || to === 'error') void writeSystem();
      // The scrub's reads wait while any disc is copied: the copy has the disk to itself.
      if (to === 'copying') scrub.pause();
      else if (!machines.some((other) => other !== m && other.state === 'copying')) scrub.resume();
    }),
  );
  await scrub.schedule();
  log.info({ drives: machines.map((m) => m.id), api_dir: config.api_dir, output_dir: config.output_dir }, 'disk2iso %s started', VERSION);

  return {
    machines,
    control,
    store,
    archive,
    scrub,
    web,
    async stop() {
      clearInterval(systemTimer);
      offTransitions.forEach((off) => off());
      const failures: string[] = [];
      await web?.stop().catch((error: unknown) => failures.push(`web: ${errorMessage(error)}`));
      await Promise.all(machines.map((m) => m.stop().catch((error: unknown) => failures.push(`${m.id}: ${errorMessage(error)}`))));
      // Watchers (the MQTT bridge) tell a clean stop from a crash by this, at once.
      await writeSystem(new Date().toISOString()).catch((error: unknown) => failures.push(`system.json: ${errorMessage(error)}`));
      await scrub.stop().catch((error: unknown) => failures.push(`scrub: ${errorMessage(error)}`));
      await archive.stop().catch((error: unknown) => failures.push(`archive index: ${errorMessage(error)}`));
      await store.stop().catch((error: unknown) => failures.push(`contract: ${errorMessage(error)}`));
      await lock.release().catch((error: unknown) => failures.push(`lock: ${errorMessage(error)}`));
      if (failures.length > 0) log.error({ failures }, 'some parts did not stop cleanly');
      else log.info('stopped');
    },
  };
}

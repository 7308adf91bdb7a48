import type { ArchiveSummary } from '../contract/archive-index.js';
import { CONTROL_ACTIONS, commandContextOf, commandVerdict, type Attributes, type DriveStatus, type History, type Progress, type SystemInfo } from '../contract/index.js';
import { formatDuration } from '../util/format.js';
import type {
  ArchivePayload,
  DiscPayload,
  LastJobPayload,
  LegacyAttributesPayload,
  ProgressPayload,
  StatusPayload,
  SystemPayload,
} from './topics.js';

/** Pure projections of the contract files onto the bridge's state topics. */

const round = (value: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
};

export function statusPayload(status: DriveStatus): StatusPayload {
  return {
    state: status.state,
    previous_state: status.previous_state,
    since: status.since,
    message: status.message,
    auto_copy: status.auto_copy,
    duplicate_policy: status.duplicate_policy ?? null,
    checksum: status.checksum ?? null,
    drive_present: status.drive.present,
    path: status.drive.path,
    vendor: status.drive.vendor,
    model: status.drive.model,
    simulated: status.drive.simulated,
    job_id: status.job_id,
    commands: CONTROL_ACTIONS.filter((action) => commandVerdict(action, commandContextOf(status)).allowed),
  };
}

export const EMPTY_PROGRESS: ProgressPayload = {
  percent: 0,
  phase: null,
  bytes_done: 0,
  bytes_total: 0,
  speed_mb_s: 0,
  eta_s: null,
  bad_sectors: 0,
  track: null,
  tracks: null,
  job_id: null,
  finishes_at: null,
};

export function progressPayload(progress: Progress | null): ProgressPayload {
  if (!progress) return EMPTY_PROGRESS;
  return {
    percent: round(progress.percent, 1),
    phase: progress.phase,
    bytes_done: progress.bytes_done,
    bytes_total: progress.bytes_total,
    speed_mb_s: round(progress.speed_bytes_per_s / 1e6, 2),
    eta_s: progress.eta_seconds === null ? null : Math.round(progress.eta_seconds),
    bad_sectors: progress.bad_sectors,
    track: progress.track,
    tracks: progress.tracks,
    job_id: progress.job_id,
    finishes_at: finishesAt(progress),
  };
}

/** When the job should end: the core's last progress write plus its ETA (null without a running job or ETA). */
export function finishesAt(progress: Pick<Progress, 'job_id' | 'eta_seconds' | 'updated'>): string | null {
  if (progress.job_id === null || progress.eta_seconds === null) return null;
  const at = Date.parse(progress.updated);
  if (Number.isNaN(at)) return null;
  // Whole seconds: a timestamp sensor that changes by milliseconds on every write is noise.
  return new Date(Math.round(at / 1000 + progress.eta_seconds) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * The end value of a finished job for the progress topic, from the last progress published for
 * it: 100 % after a success (the core's final write may have been replaced by the next
 * job's or the reset before the bridge read it), the value as it was otherwise.
 */
export function finalProgress(last: ProgressPayload, result: 'completed' | 'ended'): ProgressPayload {
  if (result !== 'completed') return { ...last, eta_s: null, finishes_at: null };
  return { ...last, percent: 100, bytes_done: Math.max(last.bytes_done, last.bytes_total), eta_s: 0, finishes_at: null };
}

export function discPayload(attributes: Attributes | null): DiscPayload {
  return {
    label: attributes?.disc_label ?? null,
    type: attributes?.disc_type ?? null,
    size_mb: attributes?.disc_size_mb ?? null,
    size_bytes: attributes?.disc_size_bytes ?? null,
    filesystem: attributes?.filesystem ?? null,
    volume_id: attributes?.volume_id ?? null,
    fingerprint: attributes?.fingerprint ?? null,
    method: attributes?.method ?? null,
    filename: attributes?.filename ?? null,
    target_path: attributes?.target_path ?? null,
    sha256: attributes?.checksums.sha256 ?? null,
    md5: attributes?.checksums.md5 ?? null,
    bad_sectors: attributes?.bad_sectors ?? 0,
    error_message: attributes?.error_message ?? null,
    job_id: attributes?.job_id ?? null,
  };
}

export function lastJobPayload(history: History | null, drive: string): LastJobPayload {
  const entry = history?.entries.find((e) => e.drive_id === drive) ?? null;
  return {
    result: entry?.result ?? null,
    label: entry?.disc_label ?? null,
    title: entry?.metadata?.title ?? entry?.disc_label ?? null,
    type: entry?.disc_type ?? null,
    image_path: entry?.image_path ?? null,
    finished: entry?.finished ?? null,
    duration_s: entry ? Math.round(entry.duration_s) : null,
    bytes: entry?.bytes ?? null,
    bad_sectors: entry?.bad_sectors ?? null,
    error_message: entry?.error_message ?? null,
    archived_total: history?.archived_total[drive] ?? 0,
  };
}

export function systemPayload(system: SystemInfo | null): SystemPayload {
  const free = system?.output_free_bytes ?? null;
  const methods = system?.methods ?? {};
  return {
    version: system?.version ?? null,
    output_dir: system?.output_dir ?? null,
    free_bytes: free,
    total_bytes: system?.output_total_bytes ?? null,
    free_gb: free === null ? null : round(free / 1e9, 2),
    tools_missing: toolsMissing(methods),
    methods: { ...methods },
  };
}

/**
 * The tools that a kind of disc needs but are missing: every method summary (and its fallback
 * warnings) names one as "<tool> is not installed" (src/copy's notInstalled()).
 */
export function toolsMissing(methods: Readonly<Record<string, string>>): string[] {
  const found = new Set<string>();
  for (const text of Object.values(methods)) for (const match of text.matchAll(/([\w.+-]+) is not installed/g)) found.add(match[1]!);
  return [...found].sort();
}

/**
 * The add-on's archive: total over all drives and the newest archived disc (success or degraded),
 * with the archive index's image count, corrupt images and last scrub (archive.json).
 */
export function archivePayload(history: History | null, archive: ArchiveSummary | null = null): ArchivePayload {
  const entry = history?.entries.find((e) => e.result === 'success' || e.result === 'degraded') ?? null;
  return {
    images: archive?.images ?? null,
    corrupt_images: archive?.corrupt ?? null,
    last_scrub: archive?.last_scrub?.finished ?? null,
    archived_total: Object.values(history?.archived_total ?? {}).reduce((sum, n) => sum + n, 0),
    // The name it was archived under (issue 13), else its label.
    title: entry?.metadata?.title ?? entry?.disc_label ?? null,
    drive: entry?.drive_id ?? null,
    type: entry?.disc_type ?? null,
    image_path: entry?.image_path ?? null,
    finished: entry?.finished ?? null,
    result: entry?.result ?? null,
  };
}

/** The original tool's attributes topic, by its field names. */
export function legacyAttributesPayload(
  status: DriveStatus | null,
  attributes: Attributes | null,
  progress: Progress | null,
): LegacyAttributesPayload {
  const eta = progress?.eta_seconds ?? null;
  return {
    disc_label: attributes?.disc_label ?? null,
    disc_type: attributes?.disc_type ?? null,
    disc_size_mb: attributes?.disc_size_mb ?? null,
    progress_percent: progress ? Math.floor(progress.percent) : 0,
    progress_mb: progress ? Math.floor(progress.bytes_done / 1048576) : 0,
    total_mb: progress ? Math.floor(progress.bytes_total / 1048576) : 0,
    eta: eta === null ? null : formatDuration(eta),
    filename: attributes?.filename ?? null,
    method: attributes?.method ?? null,
    error_message: attributes?.error_message ?? null,
    state: status?.state ?? null,
    speed_mb_s: progress ? round(progress.speed_bytes_per_s / 1048576, 2) : 0,
    target_path: attributes?.target_path ?? null,
  };
}

export function legacyProgressPayload(progress: Progress | null): number {
  return progress ? Math.floor(progress.percent) : 0;
}

/** Staleness rule of the contract: the core's heartbeat is stale after 3× its interval. */
export function heartbeatStale(status: DriveStatus | null, nowMs: number): boolean {
  if (!status) return true;
  const beat = Date.parse(status.heartbeat);
  if (Number.isNaN(beat)) return true;
  return nowMs - beat > 3 * status.heartbeat_interval_s * 1000;
}

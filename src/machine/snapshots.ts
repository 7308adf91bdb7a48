import {
  SCHEMA_VERSION,
  type Attributes,
  type BadRange,
  type ChecksumChoice,
  type Checksums,
  type ChosenMetadata,
  type CodedMessage,
  type CopyPhase,
  type DiscType,
  type DriveInfo,
  type DriveState,
  type DriveStatus,
  type DuplicatePolicy,
  type Progress,
} from '../contract/index.js';

/** Pure builders of the contract's per-drive files. */

export function statusSnapshot(args: {
  driveId: string;
  state: DriveState;
  previous: DriveState | null;
  since: string;
  message: CodedMessage;
  drive: DriveInfo;
  autoCopy: boolean;
  jobId: string | null;
  heartbeatMs: number;
  duplicatePolicy?: DuplicatePolicy;
  checksum?: ChecksumChoice;
}): DriveStatus {
  return {
    schema_version: SCHEMA_VERSION,
    drive_id: args.driveId,
    state: args.state,
    previous_state: args.previous,
    since: args.since,
    message: args.message.text,
    message_code: args.message.code,
    message_params: args.message.params,
    drive: args.drive,
    auto_copy: args.autoCopy,
    ...(args.duplicatePolicy ? { duplicate_policy: args.duplicatePolicy } : {}),
    ...(args.checksum ? { checksum: args.checksum } : {}),
    job_id: args.jobId,
    heartbeat: new Date().toISOString(),
    heartbeat_interval_s: args.heartbeatMs / 1000,
  };
}

export function emptyProgress(driveId: string): Progress {
  return {
    schema_version: SCHEMA_VERSION,
    drive_id: driveId,
    job_id: null,
    phase: null,
    percent: 0,
    bytes_done: 0,
    bytes_total: 0,
    speed_bytes_per_s: 0,
    eta_seconds: null,
    bad_sectors: 0,
    bad_ranges: [],
    track: null,
    tracks: null,
    updated: new Date().toISOString(),
  };
}

/** At most this many bad ranges go into progress.json; the history keeps them all. */
const MAX_RANGES_IN_PROGRESS = 200;

export function progressSnapshot(args: {
  driveId: string;
  jobId: string;
  phase: CopyPhase;
  bytesDone: number;
  bytesTotal: number;
  percent: number;
  speed: number;
  eta: number | null;
  badSectors: number;
  badRanges: readonly BadRange[];
  track?: number | null;
  tracks?: number | null;
}): Progress {
  return {
    ...emptyProgress(args.driveId),
    job_id: args.jobId,
    phase: args.phase,
    percent: Math.min(100, Math.max(0, Math.round(args.percent * 10) / 10)),
    bytes_done: args.bytesDone,
    bytes_total: args.bytesTotal,
    speed_bytes_per_s: Math.round(args.speed),
    eta_seconds: args.eta === null ? null : Math.round(args.eta),
    bad_sectors: args.badSectors,
    bad_ranges: args.badRanges.slice(0, MAX_RANGES_IN_PROGRESS).map(([a, b]) => [a, b] as BadRange),
    track: args.track ?? null,
    tracks: args.tracks ?? null,
  };
}

export interface DiscFacts {
  label: string | null;
  type: DiscType;
  sizeBytes: number;
  filesystem: string | null;
  volumeId: string | null;
  creationDate: string | null;
  fingerprint: string | null;
  /** The metadata chosen before the copy (issue 13); absent: not decided (yet). */
  metadata?: ChosenMetadata | null;
}

export function emptyAttributes(driveId: string): Attributes {
  return {
    schema_version: SCHEMA_VERSION,
    drive_id: driveId,
    job_id: null,
    disc_label: null,
    disc_type: null,
    disc_size_mb: null,
    disc_size_bytes: null,
    filesystem: null,
    volume_id: null,
    creation_date: null,
    fingerprint: null,
    method: null,
    filename: null,
    target_path: null,
    checksums: {},
    bad_sectors: 0,
    error_message: null,
    updated: new Date().toISOString(),
  };
}

export function discAttributes(driveId: string, disc: DiscFacts, extra: Partial<Attributes> = {}): Attributes {
  return {
    ...emptyAttributes(driveId),
    disc_label: disc.label,
    disc_type: disc.type,
    disc_size_mb: Math.round((disc.sizeBytes / (1024 * 1024)) * 10) / 10,
    disc_size_bytes: disc.sizeBytes,
    filesystem: disc.filesystem,
    volume_id: disc.volumeId,
    creation_date: disc.creationDate,
    fingerprint: disc.fingerprint,
    ...(disc.metadata !== undefined ? { metadata: disc.metadata } : {}),
    ...extra,
    updated: new Date().toISOString(),
  };
}

export function checksumsOf(value: { sha256?: string; md5?: string }): Checksums {
  const out: Checksums = {};
  if (value.sha256) out.sha256 = value.sha256;
  if (value.md5) out.md5 = value.md5;
  return out;
}

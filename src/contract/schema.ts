import { z } from 'zod';
import { MessageParamsSchema } from './messages.js';

/** Bumped whenever a file of the contract changes incompatibly; every file carries it. */
export const SCHEMA_VERSION = 1;

/** Per-drive states, by these exact names: Home Assistant automations depend on them. */
export const DRIVE_STATES = [
  'initializing',
  'waiting_for_drive',
  'drive_detected',
  'waiting_for_media',
  'media_detected',
  'analyzing',
  'waiting_for_metadata',
  'copying',
  'completed',
  'error',
  'waiting_for_removal',
  'idle',
] as const;
export const DriveStateSchema = z.enum(DRIVE_STATES);
export type DriveState = z.infer<typeof DriveStateSchema>;

export const DISC_TYPES = [
  'audio-cd',
  'cd-rom',
  'dvd-video',
  'dvd-rom',
  'bd-video',
  'bd-rom',
  'data',
  'unknown',
] as const;
export const DiscTypeSchema = z.enum(DISC_TYPES);
export type DiscType = z.infer<typeof DiscTypeSchema>;

export const JOB_RESULTS = ['success', 'degraded', 'failed', 'cancelled', 'skipped_duplicate'] as const;

export const JobResultSchema = z.enum(JOB_RESULTS);
export type JobResult = z.infer<typeof JobResultSchema>;

/** What a copy does when its image already exists (option `duplicate_policy`, settable per drive at run time). */
export const DUPLICATE_POLICIES = ['suffix', 'skip', 'overwrite'] as const;
export type DuplicatePolicy = (typeof DUPLICATE_POLICIES)[number];
/** Which checksums a copy writes (option `checksum`, settable per drive at run time). */
export const CHECKSUM_CHOICES = ['sha256', 'md5', 'both', 'none'] as const;
export type ChecksumChoice = (typeof CHECKSUM_CHOICES)[number];

const COPY_PHASES = ['reading', 'rescuing', 'verifying', 'encoding'] as const;
export const CopyPhaseSchema = z.enum(COPY_PHASES);
export type CopyPhase = z.infer<typeof CopyPhaseSchema>;

const EVENT_TYPES = [
  'state_changed',
  'disc_inserted',
  'disc_removed',
  'copy_started',
  'copy_completed',
  'copy_failed',
  'copy_cancelled',
  'copy_skipped',
  'drive_connected',
  'drive_disconnected',
  'service_started',
  /** The scrub (or a verification) found an archived image whole: first time, or whole again. */
  'image_verified',
  /** An archived image does not match its checksum record, or is gone while its record is there. */
  'image_corrupt',
] as const;
export const EventTypeSchema = z.enum(EVENT_TYPES);
export type EventType = z.infer<typeof EventTypeSchema>;

/** Job events surfaced as Home Assistant `event` entity types (SPEC §2.1). */
export const JOB_EVENT_TYPES = [
  'disc_inserted',
  'copy_started',
  'copy_completed',
  'copy_failed',
  'copy_cancelled',
  'copy_skipped',
  'disc_removed',
  'drive_connected',
  'drive_disconnected',
] as const satisfies readonly EventType[];

const isoTimestamp = z.string().min(1);
const version = z.literal(SCHEMA_VERSION);

/** A drive id is used in file paths and MQTT topics: `[a-zA-Z0-9_-]` only. */
export const DriveIdSchema = z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'drive id must match [a-zA-Z0-9_-]{1,64}');

export const ChecksumsSchema = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/).optional(),
  md5: z.string().regex(/^[0-9a-f]{32}$/).optional(),
});
export type Checksums = z.infer<typeof ChecksumsSchema>;

/** Byte ranges [start, end) that could not be read. */
export const BadRangeSchema = z.tuple([z.number().int().nonnegative(), z.number().int().nonnegative()]);
export type BadRange = z.infer<typeof BadRangeSchema>;

export const DriveInfoSchema = z.object({
  path: z.string(),
  vendor: z.string().nullable(),
  model: z.string().nullable(),
  present: z.boolean(),
  simulated: z.boolean(),
});
export type DriveInfo = z.infer<typeof DriveInfoSchema>;

/** `drives/<id>/status.json` */
export const DriveStatusSchema = z.object({
  schema_version: version,
  drive_id: DriveIdSchema,
  state: DriveStateSchema,
  previous_state: DriveStateSchema.nullable(),
  since: isoTimestamp,
  /** English text of the status line, for logs, MQTT and older readers. */
  message: z.string(),
  /** The status line as a code of `MESSAGE_TEXTS` (src/contract/messages.ts) with its parameters; absent in older files. */
  message_code: z.string().optional(),
  message_params: MessageParamsSchema.optional(),
  drive: DriveInfoSchema,
  auto_copy: z.boolean(),
  /** The drive's duplicate policy and checksum choice in effect (the option or a run-time setting); absent in older files. */
  duplicate_policy: z.enum(DUPLICATE_POLICIES).optional(),
  checksum: z.enum(CHECKSUM_CHOICES).optional(),
  job_id: z.string().nullable(),
  heartbeat: isoTimestamp,
  /** Seconds between heartbeats; a watcher treats 3× this as stale. */
  heartbeat_interval_s: z.number().positive(),
});
export type DriveStatus = z.infer<typeof DriveStatusSchema>;

/** `drives/<id>/progress.json` */
export const ProgressSchema = z.object({
  schema_version: version,
  drive_id: DriveIdSchema,
  job_id: z.string().nullable(),
  phase: CopyPhaseSchema.nullable(),
  percent: z.number().min(0).max(100),
  bytes_done: z.number().int().nonnegative(),
  bytes_total: z.number().int().nonnegative(),
  speed_bytes_per_s: z.number().nonnegative(),
  eta_seconds: z.number().nonnegative().nullable(),
  bad_sectors: z.number().int().nonnegative(),
  bad_ranges: z.array(BadRangeSchema),
  track: z.number().int().nullable(),
  tracks: z.number().int().nullable(),
  updated: isoTimestamp,
});
export type Progress = z.infer<typeof ProgressSchema>;

/** What a job had to do without (a missing tool and the fallback taken), one sentence each. */
const JobWarningsSchema = z.array(z.string().max(500)).max(20);

/** Audio CDs: one ripped track — its file, Copy CRC (CRC32 of the PCM), AccurateRip checksums and verdict, unreadable sectors. */
export const AudioTrackResultSchema = z.object({
  number: z.number().int().min(1).max(99),
  file: z.string().max(300),
  sectors: z.number().int().nonnegative(),
  crc32: z.string().regex(/^[0-9a-f]{8}$/),
  ar_v1: z.string().regex(/^[0-9a-f]{8}$/),
  ar_v2: z.string().regex(/^[0-9a-f]{8}$/),
  /** match = accurately ripped; mismatch = the database has other checksums; not_found = not in it; unavailable = not looked up or no answer. */
  accuraterip: z.enum(['match', 'mismatch', 'not_found', 'unavailable']),
  accuraterip_confidence: z.number().int().nonnegative(),
  bad_sectors: z.number().int().nonnegative(),
});
export type AudioTrackResult = z.infer<typeof AudioTrackResultSchema>;

/** Where a disc's name came from (issue 13: metadata before the copy). */
const METADATA_SOURCES = ['musicbrainz', 'tmdb', 'cd-text', 'label', 'user'] as const;
const MetadataKindSchema = z.enum(['album', 'movie', 'tv']);
/** A downloaded cover: a file name in `drives/<id>/covers/` (never a path). */
export const CoverFileSchema = z.string().regex(/^[A-Za-z0-9_-]{1,80}\.(jpg|png|webp)$/);

/** One match of a metadata lookup, as offered to the user while the drive waits. */
export const MetadataCandidateSchema = z.object({
  /** Stable for this disc: `<source>:<id at the source>` (MusicBrainz release MBID, TMDB movie/tv id). */
  id: z.string().regex(/^(musicbrainz|tmdb):[A-Za-z0-9-]{1,64}$/),
  source: z.enum(['musicbrainz', 'tmdb']),
  kind: MetadataKindSchema,
  title: z.string().max(300),
  year: z.number().int().min(1800).max(2200).nullable(),
  /** Album artist (MusicBrainz); null for films. */
  artist: z.string().max(300).nullable(),
  /** TMDB's overview or MusicBrainz's disambiguation/country/label line, cut to 1,000 characters. */
  overview: z.string().max(1000).nullable(),
  /** The cover's address at its source (Cover Art Archive, TMDB image CDN); null when it has none. */
  cover_url: z.string().max(1000).nullable(),
  /** The cover downloaded and checked by the core; null until fetched, or when it failed or is not an image. */
  cover_file: CoverFileSchema.nullable(),
});
export type MetadataCandidate = z.infer<typeof MetadataCandidateSchema>;

/** What a drive in `waiting_for_metadata` waits for, and what it can be answered with. */
export const PendingChoiceSchema = z.object({
  /** `start`: auto-copy is off and the user must press Start; `metadata`: several matches, the user picks one. */
  awaiting: z.enum(['start', 'metadata']),
  candidates: z.array(MetadataCandidateSchema).max(20),
  /** The candidate taken on Start or when the time limit ends; null: the disc keeps its label. */
  default_id: z.string().nullable(),
  /** The search the candidates answer: the title derived from the disc, or the user's own search. */
  query: z.string().max(200).nullable(),
  /** When the default is taken by itself (`metadata_timeout`); null when there is no time limit (waiting for Start). */
  deadline: isoTimestamp.nullable(),
  /** Why a lookup did not run or gave nothing (no TMDB key, offline, no match), as message codes. */
  notes: z.array(z.object({ code: z.string(), params: MessageParamsSchema })).max(10),
});
export type PendingChoice = z.infer<typeof PendingChoiceSchema>;

/** The metadata a disc is archived under, and how it was chosen; recorded in attributes, history and `.disk2iso.json`. */
export const ChosenMetadataSchema = z.object({
  source: z.enum(METADATA_SOURCES),
  /** The id at the source (release MBID, TMDB id); null for cd-text, label and user. */
  source_id: z.string().max(64).nullable(),
  kind: MetadataKindSchema.nullable(),
  title: z.string().max(300),
  year: z.number().int().min(1800).max(2200).nullable(),
  artist: z.string().max(300).nullable(),
  /** single_match: the only match; user: picked; timeout: the default when the time limit ended; typed: a title the user typed; skipped/none: the label. */
  chosen_by: z.enum(['single_match', 'user', 'timeout', 'start', 'typed', 'skipped', 'none']),
  /** The chosen cover in `drives/<id>/covers/` while the disc is in the drive; null without one. */
  cover_file: CoverFileSchema.nullable(),
});
export type ChosenMetadata = z.infer<typeof ChosenMetadataSchema>;

/** `drives/<id>/attributes.json`: the current disc and job. Field names follow the original tool. */
export const AttributesSchema = z.object({
  schema_version: version,
  drive_id: DriveIdSchema,
  job_id: z.string().nullable(),
  disc_label: z.string().nullable(),
  disc_type: DiscTypeSchema.nullable(),
  disc_size_mb: z.number().nonnegative().nullable(),
  disc_size_bytes: z.number().int().nonnegative().nullable(),
  filesystem: z.string().nullable(),
  volume_id: z.string().nullable(),
  creation_date: z.string().nullable(),
  fingerprint: z.string().nullable(),
  method: z.string().nullable(),
  filename: z.string().nullable(),
  target_path: z.string().nullable(),
  checksums: ChecksumsSchema,
  bad_sectors: z.number().int().nonnegative(),
  error_message: z.string().nullable(),
  /** `error_message` as a message code with its parameters; absent in older files and when there is no error. */
  error_code: z.string().optional(),
  error_params: MessageParamsSchema.optional(),
  /** Fallbacks the job took because a tool is missing ("dvdbackup is not installed …: copied raw"); absent in older files. */
  warnings: JobWarningsSchema.optional(),
  /** Set in `waiting_for_metadata`: what the drive waits for and the candidates; null otherwise; absent in older files. */
  pending: PendingChoiceSchema.nullable().optional(),
  /** The disc's chosen metadata once decided (before and during the copy); absent in older files. */
  metadata: ChosenMetadataSchema.nullable().optional(),
  updated: isoTimestamp,
});
export type Attributes = z.infer<typeof AttributesSchema>;

export const HistoryEntrySchema = z.object({
  id: z.string(),
  drive_id: DriveIdSchema,
  disc_label: z.string().nullable(),
  disc_type: DiscTypeSchema.nullable(),
  fingerprint: z.string().nullable(),
  result: JobResultSchema,
  method: z.string().nullable(),
  started: isoTimestamp,
  finished: isoTimestamp,
  duration_s: z.number().nonnegative(),
  bytes: z.number().int().nonnegative(),
  avg_speed_bytes_per_s: z.number().nonnegative(),
  image_path: z.string().nullable(),
  checksums: ChecksumsSchema,
  bad_sectors: z.number().int().nonnegative(),
  bad_ranges: z.array(BadRangeSchema),
  error_message: z.string().nullable(),
  /** `error_message` as a message code with its parameters; absent in entries written before there were codes. */
  error_code: z.string().optional(),
  error_params: MessageParamsSchema.optional(),
  /** Fallbacks the job took because a tool is missing; absent in entries written before there were any. */
  warnings: JobWarningsSchema.optional(),
  /** Audio CDs: per track checksums and AccurateRip result; absent for other discs and older entries. */
  audio_tracks: z.array(AudioTrackResultSchema).max(99).optional(),
  /** The metadata the disc was archived under; absent for entries written before lookups before the copy. */
  metadata: ChosenMetadataSchema.optional(),
  /** The cover saved next to the image (absolute path), when there is one. */
  cover_path: z.string().nullable().optional(),
});
export type HistoryEntry = z.infer<typeof HistoryEntrySchema>;

/** `history.json`: finished jobs, newest first, bounded; totals are never trimmed. */
export const HistorySchema = z.object({
  schema_version: version,
  entries: z.array(HistoryEntrySchema),
  /** Discs archived (success + degraded) per drive since the add-on was installed. */
  archived_total: z.record(z.string(), z.number().int().nonnegative()),
  updated: isoTimestamp,
});
export type History = z.infer<typeof HistorySchema>;

/** `system.json` */
export const SystemSchema = z.object({
  schema_version: version,
  version: z.string(),
  started: isoTimestamp,
  pid: z.number().int(),
  /** Version line of each external tool, null when it is missing; `libdvdcss` is the library's version. */
  tools: z.record(z.string(), z.string().nullable()),
  /** What each kind of disc gets with the tools found (method, then any fallback warnings); absent in older files. */
  methods: z.record(z.string(), z.string()).optional(),
  /** The same per kind of disc: the method's name (null: none can copy) and its warnings as message codes; absent in older files. */
  method_notes: z
    .record(z.string(), z.object({ method: z.string().nullable(), notes: z.array(z.object({ code: z.string(), params: MessageParamsSchema })) }))
    .optional(),
  output_dir: z.string(),
  output_free_bytes: z.number().nonnegative().nullable(),
  output_total_bytes: z.number().nonnegative().nullable(),
  drives: z.array(DriveIdSchema),
  /** Base URL of the core's control API, for watchers (the MQTT bridge). */
  control_url: z.string(),
  /** Set by a clean stop of the core (when it stopped); absent or null while it runs. */
  stopped: isoTimestamp.nullable().optional(),
  updated: isoTimestamp,
});
export type SystemInfo = z.infer<typeof SystemSchema>;

/** One line of `events.jsonl`. */
export const EventSchema = z.object({
  seq: z.number().int().positive(),
  ts: isoTimestamp,
  drive: DriveIdSchema.nullable(),
  type: EventTypeSchema,
  data: z.record(z.string(), z.unknown()),
});
export type ContractEvent = z.infer<typeof EventSchema>;

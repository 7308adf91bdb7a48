import type { ChecksumChoice, ControlAction, CopyPhase, DiscType, DriveState, DuplicatePolicy, JobResult } from '../contract/index.js';

export type Availability = 'online' | 'offline';

/** `<base>/<drive>/status`: the drive snapshot (status.json without the heartbeat). */
export interface StatusPayload {
  state: DriveState;
  previous_state: DriveState | null;
  since: string;
  message: string;
  auto_copy: boolean;
  /** The drive's duplicate policy and checksum choice in effect (null from a core that does not say). */
  duplicate_policy: DuplicatePolicy | null;
  checksum: ChecksumChoice | null;
  drive_present: boolean;
  path: string;
  vendor: string | null;
  model: string | null;
  simulated: boolean;
  job_id: string | null;
  /** Commands the core accepts now (the command policy of src/contract), for automations. */
  commands: ControlAction[];
}

/** `<base>/<drive>/progress` (at most one message per second per drive). */
export interface ProgressPayload {
  percent: number;
  phase: CopyPhase | null;
  bytes_done: number;
  bytes_total: number;
  speed_mb_s: number;
  eta_s: number | null;
  bad_sectors: number;
  track: number | null;
  tracks: number | null;
  job_id: string | null;
  /** Estimated end of the current job (the core's last progress write + its ETA), ISO 8601. */
  finishes_at: string | null;
}

/** `<base>/<drive>/disc`: the current disc and job (attributes.json). */
export interface DiscPayload {
  label: string | null;
  type: DiscType | null;
  size_mb: number | null;
  size_bytes: number | null;
  filesystem: string | null;
  volume_id: string | null;
  fingerprint: string | null;
  method: string | null;
  filename: string | null;
  target_path: string | null;
  sha256: string | null;
  md5: string | null;
  bad_sectors: number;
  error_message: string | null;
  job_id: string | null;
}

/** `<base>/<drive>/last_job`: the newest history entry of the drive plus its archived total. */
export interface LastJobPayload {
  result: JobResult | null;
  label: string | null;
  /** The name the disc was archived under (chosen metadata), else its label. */
  title: string | null;
  type: DiscType | null;
  image_path: string | null;
  finished: string | null;
  duration_s: number | null;
  bytes: number | null;
  bad_sectors: number | null;
  error_message: string | null;
  archived_total: number;
}

/** `<base>/system`: version, output folder space and what the tools found allow (system.json). */
export interface SystemPayload {
  version: string | null;
  output_dir: string | null;
  free_bytes: number | null;
  total_bytes: number | null;
  free_gb: number | null;
  /** Tools a disc kind needs that are not installed (from the methods in effect), sorted. */
  tools_missing: string[];
  /** What each kind of disc gets with the tools found. */
  methods: Record<string, string>;
}

/** `<base>/archive`: what the add-on has archived, over all drives (history.json). */
export interface ArchivePayload {
  /** Discs archived (success and degraded) since installation, all drives. */
  archived_total: number;
  /** The newest archived disc: its title (the chosen metadata's, else the label), drive, type, image and finish time. */
  title: string | null;
  drive: string | null;
  type: DiscType | null;
  image_path: string | null;
  finished: string | null;
  result: JobResult | null;
  /** From the archive index (archive.json): images in the archive now, null before the core wrote it. */
  images: number | null;
  /** Images whose last check found them changed or gone (the scrub). */
  corrupt_images: number | null;
  /** When the last check of every image finished, or null before the first. */
  last_scrub: string | null;
}

/** `<base>/<drive>/event`: one job event, for the HA `event` entity (`event_type` + data). */
export interface EventPayload {
  event_type: string;
  seq: number;
  ts: string;
  [key: string]: unknown;
}

/**
 * The original tool's attributes topic: attributes.json fields plus progress, by the original names.
 * Documented in docs/mqtt.md for users migrating hand-written YAML.
 */
export interface LegacyAttributesPayload {
  disc_label: string | null;
  disc_type: DiscType | null;
  disc_size_mb: number | null;
  progress_percent: number;
  progress_mb: number;
  total_mb: number;
  eta: string | null;
  filename: string | null;
  method: string | null;
  error_message: string | null;
  state: DriveState | null;
  speed_mb_s: number;
  target_path: string | null;
}

/** One candidate of `<base>/<drive>/metadata`, with the option label the select entity shows for it. */
export interface MetadataCandidatePayload {
  id: string;
  /** "Title (Year)", unique among the candidates: the select's option. */
  label: string;
  title: string;
  year: number | null;
  artist: string | null;
  source: 'musicbrainz' | 'tmdb';
  kind: 'album' | 'movie' | 'tv';
  has_cover: boolean;
}

/** `<base>/<drive>/metadata`: what the drive waits for and the candidates (attributes.json `pending`), and the chosen name. */
export interface MetadataPayload {
  /** True while the drive waits for the user (`waiting_for_metadata` with a pending choice). */
  waiting: boolean;
  awaiting: 'start' | 'metadata' | null;
  /** The select's state: the default candidate's label, or `None` (HA: no option) while nothing is pending. */
  option: string;
  candidates: MetadataCandidatePayload[];
  default_id: string | null;
  query: string | null;
  deadline: string | null;
  /** Why a lookup did not run or gave nothing: code and English text. */
  notes: Array<{ code: string; text: string }>;
  /** The text entity's state: the chosen title, else the default candidate's, else empty. */
  title: string;
  /** The metadata the disc is archived under, once decided. */
  chosen: { title: string; year: number | null; artist: string | null; source: string; chosen_by: string } | null;
}

/** Command topic leaf names under `<base>/<drive>/command/`. */
export const BUTTON_COMMANDS = ['eject', 'cancel', 'start', 'close_tray', 'skip_metadata'] as const;
export type ButtonCommand = (typeof BUTTON_COMMANDS)[number];
export const SWITCH_COMMANDS = ['auto_copy'] as const;
export type SwitchCommand = (typeof SWITCH_COMMANDS)[number];
export const SELECT_COMMANDS = ['duplicate_policy', 'checksum', 'metadata'] as const;
export type SelectCommand = (typeof SELECT_COMMANDS)[number];
export const TEXT_COMMANDS = ['title', 'metadata_search'] as const;
export type TextCommand = (typeof TEXT_COMMANDS)[number];
export type CommandName = ButtonCommand | SwitchCommand | SelectCommand | TextCommand;

/** The original tool's fixed topics (one drive), `homeassistant/sensor/disk2iso/...`. */
export const LEGACY_BASE = 'homeassistant/sensor/disk2iso';

/** Every topic of one bridge, built from the discovery prefix and base topic. */
export class Topics {
  constructor(
    readonly discoveryPrefix: string,
    readonly base: string,
  ) {}

  get bridgeAvailability(): string {
    return `${this.base}/availability`;
  }
  get system(): string {
    return `${this.base}/system`;
  }
  get archive(): string {
    return `${this.base}/archive`;
  }
  /**
   * `online` while the core runs (its api lock is fresh). One level, not `<base>/core/…`, which a
   * drive named `core` would own.
   */
  get coreAvailability(): string {
    return `${this.base}/core_availability`;
  }
  /** The hub device (the add-on itself): `<prefix>/device/<base>/config`, never a drive's topic. */
  get hubDiscovery(): string {
    return `${this.discoveryPrefix}/device/${this.base}/config`;
  }
  /** HA's birth topic under the configured prefix, and the default one (they differ when the prefix was changed). */
  get haStatus(): readonly string[] {
    return [...new Set([`${this.discoveryPrefix}/status`, 'homeassistant/status'])];
  }
  /** Device-based discovery; `<base>` is the node id, so everything under it is ours. */
  discovery(drive: string): string {
    return `${this.discoveryPrefix}/device/${this.base}/${drive}/config`;
  }
  get discoveryWildcard(): string {
    return `${this.discoveryPrefix}/device/${this.base}/+/config`;
  }
  driveAvailability(drive: string): string {
    return `${this.base}/${drive}/availability`;
  }
  state(drive: string): string {
    return `${this.base}/${drive}/state`;
  }
  status(drive: string): string {
    return `${this.base}/${drive}/status`;
  }
  progress(drive: string): string {
    return `${this.base}/${drive}/progress`;
  }
  disc(drive: string): string {
    return `${this.base}/${drive}/disc`;
  }
  lastJob(drive: string): string {
    return `${this.base}/${drive}/last_job`;
  }
  event(drive: string): string {
    return `${this.base}/${drive}/event`;
  }
  /** The pending choice and chosen name (JSON, retained). */
  metadata(drive: string): string {
    return `${this.base}/${drive}/metadata`;
  }
  /** The current disc's cover, base64 (the HA image entity's `image_topic`); empty without one. */
  cover(drive: string): string {
    return `${this.base}/${drive}/cover`;
  }
  /** `<base>/archive/event`: one archive event (a corrupt image), for the hub's `event` entity. */
  get archiveEvent(): string {
    return `${this.base}/archive/event`;
  }
  command(drive: string, name: CommandName): string {
    return `${this.base}/${drive}/command/${name}`;
  }
  get commandWildcard(): string {
    return `${this.base}/+/command/+`;
  }
  /** `{drive, name}` of a command topic, or null when `topic` is not one. */
  parseCommandTopic(topic: string): { drive: string; name: string } | null {
    const parts = topic.split('/');
    if (parts.length !== 4 || parts[0] !== this.base || parts[2] !== 'command') return null;
    const [, drive, , name] = parts;
    return drive && name ? { drive, name } : null;
  }
  get legacy(): { state: string; attributes: string; progress: string; availability: string } {
    return {
      state: `${LEGACY_BASE}/state`,
      attributes: `${LEGACY_BASE}/attributes`,
      progress: `${LEGACY_BASE}/progress`,
      availability: `${LEGACY_BASE}/availability`,
    };
  }
}

import { z } from 'zod';

const seconds = (def: number, min: number, max: number) => z.number().int().min(min).max(max).default(def);

/**
 * Every option of the add-on (config.yaml `options`/`schema` mirror this), with its default.
 * One schema is the only truth: types, defaults and validation come from here.
 */
export const OptionsSchema = z
  .object({
    /** Device paths (`/dev/sr0`) or simulated drives (`sim:/path/to/folder`, development only). */
    drives: z.array(z.string().min(1)).min(1).max(8).default(['/dev/sr0']),
    /**
     * More drives, chosen in the add-on's Configuration tab from the host's block devices
     * (`/dev/disk/by-id/…` or `/dev/sr2`): the Supervisor grants the add-on exactly these.
     * Watched after `drives`; an entry naming a drive already listed is ignored.
     */
    extra_drives: z.array(z.string().min(1)).max(8).default([]),
    output_dir: z.string().startsWith('/', 'must be an absolute path').default('/media/disk2iso'),
    api_dir: z.string().startsWith('/', 'must be an absolute path').default('/data/api'),
    auto_copy: z.boolean().default(true),
    copy_disc_present_at_start: z.boolean().default(true),
    eject_after_copy: z.boolean().default(true),
    duplicate_policy: z.enum(['suffix', 'skip', 'overwrite']).default('suffix'),
    checksum: z.enum(['sha256', 'md5', 'both', 'none']).default('sha256'),
    verify: z.boolean().default(false),
    /** How often every archived image is re-read and compared with its checksum record (the scrub). */
    scrub_interval: z.enum(['off', 'daily', 'weekly', 'monthly']).default('weekly'),
    read_retries: z.number().int().min(0).max(20).default(3),
    on_read_error: z.enum(['keep_degraded', 'fail']).default('keep_degraded'),
    /** Seconds without progress before a job is ended by the watchdog. */
    stall_timeout: seconds(300, 10, 86_400),
    dvd_video_mode: z.enum(['decrypt', 'raw']).default('decrypt'),
    audio_format: z.enum(['flac', 'mp3']).default('flac'),
    audio_output: z.enum(['folder', 'iso']).default('folder'),
    metadata_lookup: z.boolean().default(true),
    /** TMDB API v3 key (themoviedb.org, free): DVD and Blu-ray titles are looked up only with one. */
    tmdb_api_key: z.string().max(200).default(''),
    /** Seconds a drive waits for the user's choice among several matches before it takes the best one. */
    metadata_timeout: seconds(120, 10, 86_400),
    /** TMDB result language (`de`, `pt-BR`); empty: English. */
    metadata_language: z.string().regex(/^([a-z]{2}(-[A-Z]{2})?)?$/, 'a language code like en, de or pt-BR').default(''),
    min_free_space_mb: z.number().int().min(0).max(10_000_000).default(1024),
    poll_drive_interval: seconds(20, 1, 3600),
    poll_media_interval: seconds(2, 1, 600),
    poll_removal_interval: seconds(5, 1, 600),
    history_limit: z.number().int().min(10).max(100_000).default(500),
    events_max_kb: z.number().int().min(16).max(1_048_576).default(1024),
    mqtt_enabled: z.boolean().default(true),
    /** Empty: use the broker the Supervisor announces. */
    mqtt_host: z.string().default(''),
    mqtt_port: z.number().int().min(0).max(65_535).default(0),
    mqtt_tls: z.boolean().default(false),
    mqtt_user: z.string().default(''),
    mqtt_password: z.string().default(''),
    mqtt_discovery_prefix: z.string().regex(/^[a-zA-Z0-9_-]+$/, 'letters, digits, _ and - only').default('homeassistant'),
    mqtt_base_topic: z.string().regex(/^[a-zA-Z0-9_-]+$/, 'letters, digits, _ and - only').default('disk2iso'),
    mqtt_legacy_topics: z.boolean().default(false),
    web_port: z.number().int().min(1).max(65_535).default(8099),
    /** Serve the web UI to every peer, not only the ingress proxy and loopback. */
    web_allow_all_peers: z.boolean().default(false),
    log_level: z.enum(['trace', 'debug', 'info', 'notice', 'warning', 'error', 'fatal']).default('info'),
  })
  .strict();

export type Options = z.infer<typeof OptionsSchema>;

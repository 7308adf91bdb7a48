import { CHECKSUM_CHOICES, DISC_TYPES, DRIVE_STATES, DUPLICATE_POLICIES, JOB_EVENT_TYPES, JOB_RESULTS, type DriveState } from '../contract/index.js';
import { MAX_TITLE } from './metadata.js';
import type {
  BinarySensorComponent,
  EntityCategory,
  SensorComponent,
} from './discovery-types.js';
import type { ButtonCommand, SelectCommand, SwitchCommand, TextCommand } from './topics.js';

/** The state topics an entity can read: per drive, or the add-on's (`system`, `archive`). */
export type StateSource = 'state' | 'status' | 'progress' | 'disc' | 'lastJob' | 'metadata' | 'cover' | 'system' | 'archive' | 'event' | 'archiveEvent';

interface DescriptorBase {
  /** Component id in `components` and the last part of `unique_id`: never change it. */
  key: string;
  name: string;
  icon?: string;
  entity_category?: EntityCategory;
}

export interface SensorDescriptor extends DescriptorBase {
  platform: 'sensor';
  source: StateSource;
  value_template?: string;
  device_class?: SensorComponent['device_class'];
  state_class?: SensorComponent['state_class'];
  unit_of_measurement?: string;
  suggested_display_precision?: number;
  options?: readonly string[];
  /** Also expose the whole JSON of `source` (or this topic) as attributes. */
  attributes_source?: StateSource;
}

export interface BinarySensorDescriptor extends DescriptorBase {
  platform: 'binary_sensor';
  source: StateSource;
  value_template: string;
  device_class?: BinarySensorComponent['device_class'];
  attributes_source?: StateSource;
}

export interface ButtonDescriptor extends DescriptorBase {
  platform: 'button';
  command: ButtonCommand;
}

export interface SwitchDescriptor extends DescriptorBase {
  platform: 'switch';
  command: SwitchCommand;
  source: StateSource;
  value_template: string;
}

export interface SelectDescriptor extends DescriptorBase {
  platform: 'select';
  command: SelectCommand;
  source: StateSource;
  value_template: string;
  /** Fixed options, or `candidates`: the drive's current metadata candidates (discovery follows them). */
  options: readonly string[] | 'candidates';
}

export interface TextDescriptor extends DescriptorBase {
  platform: 'text';
  command: TextCommand;
  source: StateSource;
  value_template: string;
  max: number;
}

/** An image sent on a topic as base64 (HA never needs to reach the add-on for it). */
export interface ImageDescriptor extends DescriptorBase {
  platform: 'image';
  source: 'cover';
}

export interface EventDescriptor extends DescriptorBase {
  platform: 'event';
  /** A drive's job events, or (hub) the archive's events. */
  source: 'event' | 'archiveEvent';
  event_types: readonly string[];
}

export type EntityDescriptor = SensorDescriptor | BinarySensorDescriptor | ButtonDescriptor | SwitchDescriptor | SelectDescriptor | TextDescriptor | ImageDescriptor | EventDescriptor;

/** States in which a disc is in the drive (the contract has no separate "disc present" flag). */
const DISC_PRESENT_STATES: readonly DriveState[] = [
  'media_detected',
  'analyzing',
  'waiting_for_metadata',
  'copying',
  'completed',
  'waiting_for_removal',
];

const list = (values: readonly string[]) => `[${values.map((v) => `'${v}'`).join(', ')}]`;

/** Every entity of one drive's device (SPEC §6), as data; the add-on's own are in hub-entities.ts. */
export const DRIVE_ENTITIES: readonly EntityDescriptor[] = [
  {
    platform: 'sensor',
    key: 'state',
    name: 'State',
    icon: 'mdi:disc-player',
    source: 'state',
    device_class: 'enum',
    options: DRIVE_STATES,
    attributes_source: 'status',
  },
  {
    platform: 'sensor',
    key: 'progress',
    name: 'Progress',
    icon: 'mdi:progress-download',
    source: 'progress',
    value_template: '{{ value_json.percent }}',
    unit_of_measurement: '%',
    state_class: 'measurement',
    suggested_display_precision: 0,
  },
  {
    platform: 'sensor',
    key: 'read_speed',
    name: 'Read speed',
    source: 'progress',
    value_template: '{{ value_json.speed_mb_s }}',
    device_class: 'data_rate',
    unit_of_measurement: 'MB/s',
    state_class: 'measurement',
    suggested_display_precision: 1,
  },
  {
    platform: 'sensor',
    key: 'eta',
    name: 'Time remaining',
    icon: 'mdi:timer-sand',
    source: 'progress',
    value_template: '{{ value_json.eta_s }}',
    device_class: 'duration',
    unit_of_measurement: 's',
  },
  {
    platform: 'sensor',
    key: 'finishes_at',
    name: 'Finishes at',
    icon: 'mdi:clock-end',
    source: 'progress',
    value_template: '{{ value_json.finishes_at }}',
    device_class: 'timestamp',
  },
  {
    platform: 'sensor',
    key: 'disc_label',
    name: 'Disc label',
    icon: 'mdi:disc',
    source: 'disc',
    value_template: '{{ value_json.label }}',
    attributes_source: 'disc',
  },
  {
    platform: 'sensor',
    key: 'disc_type',
    name: 'Disc type',
    icon: 'mdi:album',
    source: 'disc',
    value_template: '{{ value_json.type }}',
    device_class: 'enum',
    options: DISC_TYPES,
  },
  {
    platform: 'sensor',
    key: 'disc_size',
    name: 'Disc size',
    source: 'disc',
    value_template: '{{ value_json.size_mb }}',
    device_class: 'data_size',
    unit_of_measurement: 'MB',
    suggested_display_precision: 0,
  },
  {
    platform: 'sensor',
    key: 'bad_sectors',
    name: 'Bad sectors',
    icon: 'mdi:alert-circle-outline',
    source: 'progress',
    value_template: '{{ value_json.bad_sectors }}',
    state_class: 'measurement',
  },
  {
    platform: 'sensor',
    key: 'last_image',
    name: 'Last image',
    icon: 'mdi:file-outline',
    source: 'lastJob',
    value_template: '{{ value_json.image_path }}',
    attributes_source: 'lastJob',
  },
  {
    platform: 'sensor',
    key: 'last_result',
    name: 'Last result',
    icon: 'mdi:clipboard-check-outline',
    source: 'lastJob',
    value_template: '{{ value_json.result }}',
    device_class: 'enum',
    options: JOB_RESULTS,
  },
  {
    platform: 'sensor',
    key: 'discs_archived',
    name: 'Discs archived',
    icon: 'mdi:archive-outline',
    source: 'lastJob',
    value_template: '{{ value_json.archived_total }}',
    state_class: 'total_increasing',
    unit_of_measurement: 'discs',
  },
  {
    platform: 'binary_sensor',
    key: 'disc_present',
    name: 'Disc present',
    icon: 'mdi:disc',
    source: 'state',
    value_template: `{{ 'ON' if value in ${list(DISC_PRESENT_STATES)} else 'OFF' }}`,
  },
  {
    platform: 'binary_sensor',
    key: 'copying',
    name: 'Copying',
    source: 'state',
    device_class: 'running',
    value_template: "{{ 'ON' if value == 'copying' else 'OFF' }}",
  },
  {
    platform: 'binary_sensor',
    key: 'problem',
    name: 'Problem',
    source: 'state',
    device_class: 'problem',
    value_template: "{{ 'ON' if value == 'error' else 'OFF' }}",
    entity_category: 'diagnostic',
  },
  { platform: 'button', key: 'eject', name: 'Eject', icon: 'mdi:eject', command: 'eject' },
  { platform: 'button', key: 'cancel', name: 'Cancel copy', icon: 'mdi:cancel', command: 'cancel' },
  { platform: 'button', key: 'start', name: 'Start copy', icon: 'mdi:play', command: 'start' },
  { platform: 'button', key: 'close_tray', name: 'Close tray', icon: 'mdi:tray-arrow-up', command: 'close_tray' },
  {
    platform: 'switch',
    key: 'auto_copy',
    name: 'Auto copy',
    icon: 'mdi:autorenew',
    command: 'auto_copy',
    source: 'status',
    value_template: "{{ 'ON' if value_json.auto_copy else 'OFF' }}",
    entity_category: 'config',
  },
  {
    platform: 'select',
    key: 'duplicate_policy',
    name: 'Duplicate policy',
    icon: 'mdi:content-duplicate',
    command: 'duplicate_policy',
    source: 'status',
    value_template: '{{ value_json.duplicate_policy }}',
    options: DUPLICATE_POLICIES,
    entity_category: 'config',
  },
  {
    platform: 'select',
    key: 'checksum',
    name: 'Checksum',
    icon: 'mdi:shield-check-outline',
    command: 'checksum',
    source: 'status',
    value_template: '{{ value_json.checksum }}',
    options: CHECKSUM_CHOICES,
    entity_category: 'config',
  },
  // Metadata before the copy: the candidates of a disc waiting for the user, a typed title, a new search, skip, the cover.
  {
    platform: 'select',
    key: 'metadata',
    name: 'Metadata',
    icon: 'mdi:movie-search-outline',
    command: 'metadata',
    source: 'metadata',
    value_template: '{{ value_json.option }}',
    options: 'candidates',
  },
  { platform: 'text', key: 'title', name: 'Title', icon: 'mdi:form-textbox', command: 'title', source: 'metadata', value_template: '{{ value_json.title }}', max: MAX_TITLE },
  {
    platform: 'text',
    key: 'metadata_search',
    name: 'Metadata search',
    icon: 'mdi:magnify',
    command: 'metadata_search',
    source: 'metadata',
    value_template: "{{ value_json.query or '' }}",
    max: MAX_TITLE,
  },
  { platform: 'button', key: 'skip_metadata', name: 'Skip metadata', icon: 'mdi:skip-next', command: 'skip_metadata' },
  { platform: 'image', key: 'cover', name: 'Cover', source: 'cover' },
  {
    platform: 'event',
    key: 'job_event',
    name: 'Job event',
    icon: 'mdi:bell-outline',
    source: 'event',
    event_types: JOB_EVENT_TYPES,
  },
];

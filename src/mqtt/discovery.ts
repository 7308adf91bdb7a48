import type {
  DeviceDiscoveryPayload,
  DeviceInfo,
  DiscoveryComponent,
  OriginInfo,
  RemovedComponent,
} from './discovery-types.js';
import type { DriveStatus } from '../contract/index.js';
import { DRIVE_ENTITIES, type EntityDescriptor, type StateSource } from './entities.js';
import { HUB_ENTITIES } from './hub-entities.js';
import { IDLE_OPTIONS } from './metadata.js';
import type { CommandName, Topics } from './topics.js';

/** What discovery needs to know about one drive: its identity as the core read it. */
export interface DriveDeviceInfo {
  id: string;
  vendor: string | null;
  model: string | null;
  /** The options of the "Metadata" select: the current candidates' labels (default: the idle list). */
  metadataOptions?: readonly string[];
}

export interface DiscoveryInput {
  topics: Topics;
  /** The drives whose device is published (their identity known, or known to be unknowable). */
  drives: readonly DriveDeviceInfo[];
  origin: OriginInfo;
  /** Version of disk2iso, shown on the hub device. */
  swVersion: string | null;
  /** Link to the ingress panel (`homeassistant://hassio/ingress/<slug>`), when known. */
  configurationUrl: string | null;
  /** Defaults to every drive entity of SPEC §6. */
  entities?: readonly EntityDescriptor[];
  /** Defaults to the add-on's own entities. */
  hubEntities?: readonly EntityDescriptor[];
}

/** `<base>_<drive>`: the device identifier and the prefix of every unique_id of that drive. */
function deviceId(topics: Topics, drive: string): string {
  return `${topics.base}_${drive}`;
}

/** `<base>`: the hub device's identifier and the prefix of its entities' unique_ids. */
function hubId(topics: Topics): string {
  return topics.base;
}

/** An entity id's object part: lower case, `[a-z0-9_]` only. */
function entitySlug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9_]/g, '_');
}

/** Thrown for an entity list that reads a drive's topic from the hub (a programming error). */
function noDrive(source: StateSource): never {
  throw new Error(`entity source ${source} needs a drive`);
}

function sourceTopic(topics: Topics, drive: string | null, source: StateSource): string {
  switch (source) {
    case 'system':
      return topics.system;
    case 'archive':
      return topics.archive;
    case 'archiveEvent':
      return topics.archiveEvent;
    case 'state':
      return drive === null ? noDrive(source) : topics.state(drive);
    case 'status':
      return drive === null ? noDrive(source) : topics.status(drive);
    case 'progress':
      return drive === null ? noDrive(source) : topics.progress(drive);
    case 'disc':
      return drive === null ? noDrive(source) : topics.disc(drive);
    case 'lastJob':
      return drive === null ? noDrive(source) : topics.lastJob(drive);
    case 'event':
      return drive === null ? noDrive(source) : topics.event(drive);
    case 'metadata':
      return drive === null ? noDrive(source) : topics.metadata(drive);
    case 'cover':
      return drive === null ? noDrive(source) : topics.cover(drive);
  }
}

function commandTopic(topics: Topics, drive: string | null, command: CommandName): string {
  if (drive === null) throw new Error(`command ${command} needs a drive`);
  return topics.command(drive, command);
}

/** Pure: one entity descriptor → its discovery component, for `drive` or (null) the hub. */
function buildComponent(entity: EntityDescriptor, topics: Topics, drive: DriveDeviceInfo | null): DiscoveryComponent {
  const component = buildComponentOf(entity, topics, drive?.id ?? null);
  if (component.platform === 'select' && entity.platform === 'select' && entity.options === 'candidates') {
    return { ...component, options: [...(drive?.metadataOptions ?? IDLE_OPTIONS)] };
  }
  return component;
}

function buildComponentOf(entity: EntityDescriptor, topics: Topics, drive: string | null): DiscoveryComponent {
  const uniqueId = `${drive === null ? hubId(topics) : deviceId(topics, drive)}_${entity.key}`;
  const common = {
    unique_id: uniqueId,
    default_entity_id: `${entity.platform}.${entitySlug(uniqueId)}`,
    name: entity.name,
    ...(entity.icon ? { icon: entity.icon } : {}),
    ...(entity.entity_category ? { entity_category: entity.entity_category } : {}),
  };
  switch (entity.platform) {
    case 'sensor':
      return {
        platform: 'sensor',
        ...common,
        state_topic: sourceTopic(topics, drive, entity.source),
        ...(entity.value_template ? { value_template: entity.value_template } : {}),
        ...(entity.device_class ? { device_class: entity.device_class } : {}),
        ...(entity.state_class ? { state_class: entity.state_class } : {}),
        ...(entity.unit_of_measurement ? { unit_of_measurement: entity.unit_of_measurement } : {}),
        ...(entity.suggested_display_precision !== undefined ? { suggested_display_precision: entity.suggested_display_precision } : {}),
        ...(entity.options ? { options: [...entity.options] } : {}),
        ...(entity.attributes_source ? { json_attributes_topic: sourceTopic(topics, drive, entity.attributes_source) } : {}),
      };
    case 'binary_sensor':
      return {
        platform: 'binary_sensor',
        ...common,
        state_topic: sourceTopic(topics, drive, entity.source),
        value_template: entity.value_template,
        payload_on: 'ON',
        payload_off: 'OFF',
        ...(entity.device_class ? { device_class: entity.device_class } : {}),
        ...(entity.attributes_source ? { json_attributes_topic: sourceTopic(topics, drive, entity.attributes_source) } : {}),
      };
    case 'button':
      return { platform: 'button', ...common, command_topic: commandTopic(topics, drive, entity.command), payload_press: 'PRESS', retain: false };
    case 'switch':
      return {
        platform: 'switch',
        ...common,
        command_topic: commandTopic(topics, drive, entity.command),
        state_topic: sourceTopic(topics, drive, entity.source),
        value_template: entity.value_template,
        payload_on: 'ON',
        payload_off: 'OFF',
        state_on: 'ON',
        state_off: 'OFF',
        retain: false,
      };
    case 'select':
      return {
        platform: 'select',
        ...common,
        command_topic: commandTopic(topics, drive, entity.command),
        state_topic: sourceTopic(topics, drive, entity.source),
        value_template: entity.value_template,
        options: entity.options === 'candidates' ? [...IDLE_OPTIONS] : [...entity.options],
        retain: false,
      };
    case 'text':
      return {
        platform: 'text',
        ...common,
        command_topic: commandTopic(topics, drive, entity.command),
        state_topic: sourceTopic(topics, drive, entity.source),
        value_template: entity.value_template,
        min: 0,
        max: entity.max,
        retain: false,
      };
    case 'image':
      // HA's content type is one per entity; browsers show a PNG or WebP cover sent as image/jpeg all the same.
      return { platform: 'image', ...common, image_topic: sourceTopic(topics, drive, entity.source), image_encoding: 'b64', content_type: 'image/jpeg' };
    case 'event':
      return { platform: 'event', ...common, state_topic: sourceTopic(topics, drive, entity.source), event_types: [...entity.event_types] };
  }
}

/** The hub device: the add-on itself, which every drive device is connected through. */
function hubDeviceInfo(input: DiscoveryInput): DeviceInfo {
  return {
    identifiers: [hubId(input.topics)],
    name: 'disk2iso',
    manufacturer: 'disk2iso',
    model: 'Disc archiver (Home Assistant add-on)',
    ...(input.swVersion ? { sw_version: input.swVersion } : {}),
    ...(input.configurationUrl ? { configuration_url: input.configurationUrl } : {}),
  };
}

/** A drive's device: vendor and model as the drive reports them, omitted when unknown (never a placeholder). */
function driveDeviceInfo(input: DiscoveryInput, drive: DriveDeviceInfo): DeviceInfo {
  return {
    identifiers: [deviceId(input.topics, drive.id)],
    name: `disk2iso ${drive.id}`,
    ...(drive.vendor ? { manufacturer: drive.vendor } : {}),
    ...(drive.model ? { model: drive.model } : {}),
    via_device: hubId(input.topics),
    ...(input.configurationUrl ? { configuration_url: input.configurationUrl } : {}),
  };
}

const available = (topic: string) => ({ topic, payload_available: 'online', payload_not_available: 'offline' }) as const;

function components(entities: readonly EntityDescriptor[], topics: Topics, drive: DriveDeviceInfo | null): Record<string, DiscoveryComponent> {
  const out: Record<string, DiscoveryComponent> = {};
  for (const entity of entities) out[entity.key] = buildComponent(entity, topics, drive);
  return out;
}

/** Pure: the device-based discovery payload of one drive (available while bridge and drive are). */
export function buildDeviceDiscovery(input: DiscoveryInput, drive: DriveDeviceInfo): DeviceDiscoveryPayload {
  return {
    device: driveDeviceInfo(input, drive),
    origin: input.origin,
    availability: [available(input.topics.bridgeAvailability), available(input.topics.driveAvailability(drive.id))],
    availability_mode: 'all',
    qos: 1,
    components: components(input.entities ?? DRIVE_ENTITIES, input.topics, drive),
  };
}

/** Pure: the hub device's discovery payload (available while bridge and core are). */
export function buildHubDiscovery(input: DiscoveryInput): DeviceDiscoveryPayload {
  return {
    device: hubDeviceInfo(input),
    origin: input.origin,
    availability: [available(input.topics.bridgeAvailability), available(input.topics.coreAvailability)],
    availability_mode: 'all',
    qos: 1,
    components: components(input.hubEntities ?? HUB_ENTITIES, input.topics, null),
  };
}

/** Pure: discovery topic → payload: the hub, then one device per drive in `input.drives`. */
export function buildDiscovery(input: DiscoveryInput): Map<string, DeviceDiscoveryPayload> {
  const out = new Map<string, DeviceDiscoveryPayload>([[input.topics.hubDiscovery, buildHubDiscovery(input)]]);
  for (const drive of input.drives) out.set(input.topics.discovery(drive.id), buildDeviceDiscovery(input, drive));
  return out;
}

/** The identity to publish for a drive: none yet (wait), or vendor and model (each possibly unknown). */
export type DriveIdentity = { vendor: string | null; model: string | null } | null;

/**
 * Pure: the drive identity to publish after reading `status`, given the one published before.
 * While the core starts (`initializing`, before it asked the drive) nothing is known yet: wait,
 * or keep what was published. After that the status says what the drive reported; a drive that
 * is absent (no vendor/model) keeps a known identity rather than dropping it, so a restart
 * without the drive does not churn the device registry.
 */
export function nextIdentity(previous: DriveIdentity, status: Pick<DriveStatus, 'state' | 'drive'> | null): DriveIdentity {
  if (!status || status.state === 'initializing') return previous;
  const { vendor, model } = status.drive;
  if (vendor === null && model === null && previous !== null) return previous;
  return { vendor, model };
}

/**
 * Pure: when `previous` (what the broker holds) has components that `current` lacks, the
 * payload that removes them — `current` plus `{platform}` stubs, as HA documents for removing
 * one component of a device. Null when nothing was removed.
 */
export function removalPayload(previous: unknown, current: DeviceDiscoveryPayload): DeviceDiscoveryPayload | null {
  const old = componentPlatforms(previous);
  const removed: Record<string, RemovedComponent> = {};
  for (const [id, platform] of old) if (!(id in current.components)) removed[id] = { platform };
  if (Object.keys(removed).length === 0) return null;
  return { ...current, components: { ...current.components, ...removed } };
}

const PLATFORMS = new Set(['sensor', 'binary_sensor', 'button', 'switch', 'select', 'text', 'image', 'event']);

function componentPlatforms(payload: unknown): Map<string, RemovedComponent['platform']> {
  const out = new Map<string, RemovedComponent['platform']>();
  if (typeof payload !== 'object' || payload === null) return out;
  const components = (payload as { components?: unknown; cmps?: unknown }).components ?? (payload as { cmps?: unknown }).cmps;
  if (typeof components !== 'object' || components === null) return out;
  for (const [id, value] of Object.entries(components)) {
    if (typeof value !== 'object' || value === null) continue;
    const platform = (value as { platform?: unknown; p?: unknown }).platform ?? (value as { p?: unknown }).p;
    if (typeof platform === 'string' && PLATFORMS.has(platform)) out.set(id, platform as RemovedComponent['platform']);
  }
  return out;
}

/** True when a retained discovery payload was published by a disk2iso bridge. */
export function isOurDiscovery(payload: unknown): boolean {
  if (typeof payload !== 'object' || payload === null) return false;
  const origin = (payload as { origin?: unknown; o?: unknown }).origin ?? (payload as { o?: unknown }).o;
  return typeof origin === 'object' && origin !== null && (origin as { name?: unknown }).name === 'disk2iso';
}

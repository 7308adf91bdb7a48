import type {
  DeviceDiscoveryPayload,
  DeviceInfo,
  DiscoveryComponent,
  OriginInfo,
  RemovedComponent,
} from './discovery-types.js';
import { DRIVE_ENTITIES, type EntityDescriptor, type StateSource } from './entities.js';
import type { Topics } from './topics.js';

/** What discovery needs to know about one drive (from status.json when present). */
export interface DriveDeviceInfo {
  id: string;
  vendor: string | null;
  model: string | null;
  path: string | null;
}

export interface DiscoveryInput {
  topics: Topics;
  drives: readonly DriveDeviceInfo[];
  origin: OriginInfo;
  /** Version of disk2iso shown on each device. */
  swVersion: string | null;
  /** Link to the ingress panel (`homeassistant://hassio/ingress/<slug>`), when known. */
  configurationUrl: string | null;
  /** Defaults to every entity of SPEC §6. */
  entities?: readonly EntityDescriptor[];
}

/** `<base>_<drive>`: the device identifier and the prefix of every unique_id of that drive. */
export function deviceId(topics: Topics, drive: string): string {
  return `${topics.base}_${drive}`;
}

/** An entity id's object part: lower case, `[a-z0-9_]` only. */
export function entitySlug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9_]/g, '_');
}

function sourceTopic(topics: Topics, drive: string, source: StateSource): string {
  switch (source) {
    case 'state':
      return topics.state(drive);
    case 'status':
      return topics.status(drive);
    case 'progress':
      return topics.progress(drive);
    case 'disc':
      return topics.disc(drive);
    case 'lastJob':
      return topics.lastJob(drive);
    case 'system':
      return topics.system;
    case 'event':
      return topics.event(drive);
  }
}

/** Pure: one entity descriptor → its discovery component for `drive`. */
export function buildComponent(entity: EntityDescriptor, topics: Topics, drive: string): DiscoveryComponent {
  const uniqueId = `${deviceId(topics, drive)}_${entity.key}`;
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
      };
    case 'button':
      return { platform: 'button', ...common, command_topic: topics.command(drive, entity.command), payload_press: 'PRESS', retain: false };
    case 'switch':
      return {
        platform: 'switch',
        ...common,
        command_topic: topics.command(drive, entity.command),
        state_topic: sourceTopic(topics, drive, entity.source),
        value_template: entity.value_template,
        payload_on: 'ON',
        payload_off: 'OFF',
        state_on: 'ON',
        state_off: 'OFF',
        retain: false,
      };
    case 'event':
      return { platform: 'event', ...common, state_topic: topics.event(drive), event_types: [...entity.event_types] };
  }
}

function deviceInfo(input: DiscoveryInput, drive: DriveDeviceInfo): DeviceInfo {
  const model = [drive.model, drive.path ? `(${drive.path})` : null].filter(Boolean).join(' ');
  return {
    identifiers: [deviceId(input.topics, drive.id)],
    name: `disk2iso ${drive.id}`,
    manufacturer: drive.vendor ?? 'disk2iso',
    ...(model ? { model } : {}),
    ...(input.swVersion ? { sw_version: input.swVersion } : {}),
    ...(input.configurationUrl ? { configuration_url: input.configurationUrl } : {}),
  };
}

/** Pure: the device-based discovery payload of one drive. */
export function buildDeviceDiscovery(input: DiscoveryInput, drive: DriveDeviceInfo): DeviceDiscoveryPayload {
  const components: Record<string, DiscoveryComponent> = {};
  for (const entity of input.entities ?? DRIVE_ENTITIES) components[entity.key] = buildComponent(entity, input.topics, drive.id);
  return {
    device: deviceInfo(input, drive),
    origin: input.origin,
    availability: [
      { topic: input.topics.bridgeAvailability, payload_available: 'online', payload_not_available: 'offline' },
      { topic: input.topics.driveAvailability(drive.id), payload_available: 'online', payload_not_available: 'offline' },
    ],
    availability_mode: 'all',
    qos: 1,
    components,
  };
}

/** Pure: discovery topic → payload, one device per drive. */
export function buildDiscovery(input: DiscoveryInput): Map<string, DeviceDiscoveryPayload> {
  const out = new Map<string, DeviceDiscoveryPayload>();
  for (const drive of input.drives) out.set(input.topics.discovery(drive.id), buildDeviceDiscovery(input, drive));
  return out;
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

const PLATFORMS = new Set(['sensor', 'binary_sensor', 'button', 'switch', 'event']);

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

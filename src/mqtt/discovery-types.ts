/**
 * Home Assistant MQTT discovery payloads, device-based (`<prefix>/device/<node>/<object>/config`),
 * with full key names. https://www.home-assistant.io/integrations/mqtt/#device-discovery-payload
 */

export type Platform = 'sensor' | 'binary_sensor' | 'button' | 'switch' | 'select' | 'text' | 'image' | 'event';
export type EntityCategory = 'diagnostic' | 'config';

export interface DeviceInfo {
  identifiers: string[];
  name: string;
  manufacturer?: string;
  model?: string;
  sw_version?: string;
  configuration_url?: string;
  /** The identifier of the device this one is connected through (drives → the disk2iso hub). */
  via_device?: string;
}

export interface OriginInfo {
  name: string;
  sw_version?: string;
  support_url?: string;
}

export interface AvailabilityEntry {
  topic: string;
  payload_available: 'online';
  payload_not_available: 'offline';
}

interface ComponentBase {
  unique_id: string;
  /** `<platform>.<object id>`; replaces the deprecated `object_id` (HA 2025.10). */
  default_entity_id: string;
  name: string;
  icon?: string;
  entity_category?: EntityCategory;
}

export interface SensorComponent extends ComponentBase {
  platform: 'sensor';
  state_topic: string;
  value_template?: string;
  device_class?: 'enum' | 'data_rate' | 'data_size' | 'duration' | 'timestamp';
  state_class?: 'measurement' | 'total_increasing';
  unit_of_measurement?: string;
  suggested_display_precision?: number;
  /** Only with `device_class: enum`: every value the sensor can take. */
  options?: string[];
  json_attributes_topic?: string;
}

export interface BinarySensorComponent extends ComponentBase {
  platform: 'binary_sensor';
  state_topic: string;
  value_template: string;
  payload_on: 'ON';
  payload_off: 'OFF';
  device_class?: 'running' | 'problem';
  json_attributes_topic?: string;
}

export interface ButtonComponent extends ComponentBase {
  platform: 'button';
  command_topic: string;
  payload_press: 'PRESS';
  retain: false;
}

export interface SwitchComponent extends ComponentBase {
  platform: 'switch';
  command_topic: string;
  state_topic: string;
  value_template: string;
  payload_on: 'ON';
  payload_off: 'OFF';
  state_on: 'ON';
  state_off: 'OFF';
  retain: false;
}

export interface SelectComponent extends ComponentBase {
  platform: 'select';
  command_topic: string;
  state_topic: string;
  value_template: string;
  options: string[];
  retain: false;
}

export interface TextComponent extends ComponentBase {
  platform: 'text';
  command_topic: string;
  state_topic: string;
  value_template: string;
  min: 0;
  max: number;
  retain: false;
}

/** https://www.home-assistant.io/integrations/image.mqtt/: the image's bytes on `image_topic`, here base64. */
export interface ImageComponent extends ComponentBase {
  platform: 'image';
  image_topic: string;
  image_encoding: 'b64';
  content_type: string;
}

export interface EventComponent extends ComponentBase {
  platform: 'event';
  state_topic: string;
  event_types: string[];
}

export type DiscoveryComponent = SensorComponent | BinarySensorComponent | ButtonComponent | SwitchComponent | SelectComponent | TextComponent | ImageComponent | EventComponent;

/** Announces that a component was removed from the device (HA: "an empty config … with `platform`"). */
export interface RemovedComponent {
  platform: Platform;
}

export interface DeviceDiscoveryPayload {
  device: DeviceInfo;
  origin: OriginInfo;
  availability: AvailabilityEntry[];
  availability_mode: 'all';
  qos: 1;
  components: Record<string, DiscoveryComponent | RemovedComponent>;
}

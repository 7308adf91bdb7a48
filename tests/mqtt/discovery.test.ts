import { describe, expect, it } from 'vitest';
import { DISC_TYPES, DRIVE_STATES, JOB_EVENT_TYPES, JOB_RESULTS } from '../../src/contract/index.js';
import {
  buildDeviceDiscovery,
  buildDiscovery,
  buildHubDiscovery,
  DRIVE_ENTITIES,
  HUB_ENTITIES,
  nextIdentity,
  removalPayload,
  Topics,
  type DiscoveryInput,
  type SensorComponent,
} from '../../src/mqtt/index.js';
import { checkDevicePayload, checkDiscoveryTopic } from './ha-rules.js';

const topics = new Topics('homeassistant', 'disk2iso');
const input: DiscoveryInput = {
  topics,
  drives: [
    { id: 'sr0', vendor: 'TSSTcorp', model: 'DVD-RW SH-224' },
    { id: 'sr1', vendor: null, model: null },
  ],
  origin: { name: 'disk2iso', sw_version: '0.1.0', support_url: 'https://example.invalid/disk2iso' },
  swVersion: '0.1.0',
  configurationUrl: 'homeassistant://hassio/ingress/local_disk2iso',
};

describe('buildDiscovery (pure)', () => {
  const discovery = buildDiscovery(input);

  it('gives the hub device its own topic and one device-based discovery topic per drive, with the base topic as node id', () => {
    expect([...discovery.keys()]).toEqual([
      'homeassistant/device/disk2iso/config',
      'homeassistant/device/disk2iso/sr0/config',
      'homeassistant/device/disk2iso/sr1/config',
    ]);
    for (const topic of discovery.keys()) expect(checkDiscoveryTopic(topic)).toEqual([]);
  });

  it('passes Home Assistant’s documented rules, with unique ids unique across devices', () => {
    const seen = new Set<string>();
    const problems = [...discovery].flatMap(([topic, payload]) => checkDevicePayload(topic, JSON.parse(JSON.stringify(payload)), seen));
    expect(problems).toEqual([]);
    expect(seen.size).toBe(DRIVE_ENTITIES.length * 2 + HUB_ENTITIES.length);
  });

  it('identifies the drive by its model name, links it to the hub and the ingress panel', () => {
    const payload = discovery.get('homeassistant/device/disk2iso/sr0/config')!;
    expect(payload.device).toEqual({
      identifiers: ['disk2iso_sr0'],
      name: 'disk2iso sr0',
      manufacturer: 'TSSTcorp',
      model: 'DVD-RW SH-224',
      via_device: 'disk2iso',
      configuration_url: 'homeassistant://hassio/ingress/local_disk2iso',
    });
    expect(payload.origin).toEqual({ name: 'disk2iso', sw_version: '0.1.0', support_url: 'https://example.invalid/disk2iso' });
    expect(payload.availability.map((a) => a.topic)).toEqual(['disk2iso/availability', 'disk2iso/sr0/availability']);
    expect(payload.availability_mode).toBe('all');
  });

  it('the hub device: the add-on, its version, available while bridge and core are', () => {
    const payload = buildHubDiscovery(input);
    expect(payload.device).toEqual({
      identifiers: ['disk2iso'],
      name: 'disk2iso',
      manufacturer: 'disk2iso',
      model: 'Disc archiver (Home Assistant add-on)',
      sw_version: '0.1.0',
      configuration_url: 'homeassistant://hassio/ingress/local_disk2iso',
    });
    expect(payload.availability.map((a) => a.topic)).toEqual(['disk2iso/availability', 'disk2iso/core_availability']);
    const c = payload.components as unknown as Record<string, Record<string, unknown>>;
    expect(Object.keys(c)).toEqual(['free_space', 'version', 'archived_total', 'last_archived', 'corrupt_images', 'last_scrub', 'archive_event', 'tools_problem']);
    // The archive check: corrupt images and the last check from `<base>/archive`, an event per corrupt image.
    expect(c.corrupt_images).toMatchObject({ platform: 'sensor', state_topic: 'disk2iso/archive', value_template: '{{ value_json.corrupt_images }}' });
    expect(c.last_scrub).toMatchObject({ platform: 'sensor', device_class: 'timestamp', state_topic: 'disk2iso/archive' });
    expect(c.archive_event).toMatchObject({ platform: 'event', state_topic: 'disk2iso/archive/event', event_types: ['image_corrupt'] });
    expect(c.free_space).toMatchObject({ unique_id: 'disk2iso_free_space', default_entity_id: 'sensor.disk2iso_free_space', state_topic: 'disk2iso/system', device_class: 'data_size', unit_of_measurement: 'GB' });
    expect(c.version).toMatchObject({ platform: 'sensor', state_topic: 'disk2iso/system', entity_category: 'diagnostic' });
    expect(c.archived_total).toMatchObject({ state_topic: 'disk2iso/archive', state_class: 'total_increasing' });
    expect(c.last_archived).toMatchObject({ state_topic: 'disk2iso/archive', json_attributes_topic: 'disk2iso/archive' });
    expect(c.tools_problem).toMatchObject({ platform: 'binary_sensor', device_class: 'problem', json_attributes_topic: 'disk2iso/system' });
  });

  it('never puts a placeholder where the drive reported nothing', () => {
    const payload = buildDeviceDiscovery({ ...input, configurationUrl: null }, input.drives[1]!);
    expect(payload.device).toEqual({ identifiers: ['disk2iso_sr1'], name: 'disk2iso sr1', via_device: 'disk2iso' });
  });

  it('waits for the drive identity while the core starts, and keeps a known one when the drive is gone', () => {
    const st = (state: 'initializing' | 'waiting_for_drive' | 'drive_detected', vendor: string | null, model: string | null) => ({
      state,
      drive: { path: '/dev/sr0', vendor, model, present: vendor !== null, simulated: false },
    });
    expect(nextIdentity(null, null)).toBeNull();
    expect(nextIdentity(null, st('initializing', null, null))).toBeNull();
    expect(nextIdentity(null, st('waiting_for_drive', null, null))).toEqual({ vendor: null, model: null });
    expect(nextIdentity(null, st('drive_detected', 'V', 'M'))).toEqual({ vendor: 'V', model: 'M' });
    expect(nextIdentity({ vendor: 'V', model: 'M' }, st('initializing', null, null))).toEqual({ vendor: 'V', model: 'M' });
    expect(nextIdentity({ vendor: 'V', model: 'M' }, st('waiting_for_drive', null, null))).toEqual({ vendor: 'V', model: 'M' });
    expect(nextIdentity({ vendor: 'V', model: 'M' }, st('drive_detected', 'V', 'N'))).toEqual({ vendor: 'V', model: 'N' });
  });

  it('has every entity of SPEC §6 with stable unique ids and default_entity_id (not object_id)', () => {
    const components = discovery.get('homeassistant/device/disk2iso/sr0/config')!.components;
    expect(Object.keys(components).sort()).toEqual(
      [
        'state', 'progress', 'read_speed', 'eta', 'finishes_at', 'disc_label', 'disc_type', 'disc_size', 'bad_sectors', 'last_image',
        'last_result', 'discs_archived', 'disc_present', 'copying', 'problem', 'eject', 'cancel', 'start',
        'close_tray', 'auto_copy', 'duplicate_policy', 'checksum', 'job_event', 'metadata', 'title', 'metadata_search', 'skip_metadata', 'cover',
      ].sort(),
    );
    for (const [key, c] of Object.entries(components)) {
      expect(c).toMatchObject({ unique_id: `disk2iso_sr0_${key}`, default_entity_id: `${c.platform}.disk2iso_sr0_${key}` });
      expect(c).not.toHaveProperty('object_id');
    }
  });

  it('declares classes, units and categories as HA expects', () => {
    const c = discovery.get('homeassistant/device/disk2iso/sr0/config')!.components as Record<string, SensorComponent & Record<string, unknown>>;
    expect(c.state).toMatchObject({ platform: 'sensor', device_class: 'enum', options: [...DRIVE_STATES], state_topic: 'disk2iso/sr0/state' });
    expect(c.state!.options).toHaveLength(12);
    expect(c.disc_type).toMatchObject({ device_class: 'enum', options: [...DISC_TYPES] });
    expect(c.last_result).toMatchObject({ device_class: 'enum', options: [...JOB_RESULTS] });
    expect(c.read_speed).toMatchObject({ device_class: 'data_rate', unit_of_measurement: 'MB/s', state_class: 'measurement' });
    expect(c.eta).toMatchObject({ device_class: 'duration', unit_of_measurement: 's' });
    expect(c.disc_size).toMatchObject({ device_class: 'data_size', unit_of_measurement: 'MB' });
    expect(c.finishes_at).toMatchObject({ device_class: 'timestamp', state_topic: 'disk2iso/sr0/progress', value_template: '{{ value_json.finishes_at }}' });
    expect(c).not.toHaveProperty('free_space');
    expect(c.discs_archived).toMatchObject({ state_class: 'total_increasing', state_topic: 'disk2iso/sr0/last_job' });
    expect(c.progress).toMatchObject({ unit_of_measurement: '%' });
    expect(c.copying).toMatchObject({ platform: 'binary_sensor', device_class: 'running' });
    expect(c.problem).toMatchObject({ platform: 'binary_sensor', device_class: 'problem', entity_category: 'diagnostic' });
    expect(c.disc_present).toMatchObject({ platform: 'binary_sensor' });
    expect(c.disc_present).not.toHaveProperty('device_class');
    expect(c.eject).toMatchObject({ platform: 'button', command_topic: 'disk2iso/sr0/command/eject', payload_press: 'PRESS', retain: false });
    expect(c.start).toMatchObject({ command_topic: 'disk2iso/sr0/command/start' });
    expect(c.cancel).toMatchObject({ command_topic: 'disk2iso/sr0/command/cancel' });
    expect(c.auto_copy).toMatchObject({
      platform: 'switch',
      command_topic: 'disk2iso/sr0/command/auto_copy',
      state_topic: 'disk2iso/sr0/status',
      entity_category: 'config',
    });
    expect(c.duplicate_policy).toMatchObject({
      platform: 'select',
      command_topic: 'disk2iso/sr0/command/duplicate_policy',
      state_topic: 'disk2iso/sr0/status',
      value_template: '{{ value_json.duplicate_policy }}',
      options: ['suffix', 'skip', 'overwrite'],
      entity_category: 'config',
      retain: false,
    });
    expect(c.checksum).toMatchObject({ platform: 'select', command_topic: 'disk2iso/sr0/command/checksum', options: ['sha256', 'md5', 'both', 'none'], entity_category: 'config' });
    expect(c.job_event).toMatchObject({ platform: 'event', state_topic: 'disk2iso/sr0/event', event_types: [...JOB_EVENT_TYPES] });
    // Metadata before the copy: the candidates select (idle list without a drive's candidates), a title, a search, skip, the cover.
    expect(c.metadata).toMatchObject({ platform: 'select', command_topic: 'disk2iso/sr0/command/metadata', state_topic: 'disk2iso/sr0/metadata', value_template: '{{ value_json.option }}', options: ['—'], retain: false });
    expect(c.title).toMatchObject({ platform: 'text', command_topic: 'disk2iso/sr0/command/title', state_topic: 'disk2iso/sr0/metadata', min: 0, max: 200, retain: false });
    expect(c.metadata_search).toMatchObject({ platform: 'text', command_topic: 'disk2iso/sr0/command/metadata_search', value_template: "{{ value_json.query or '' }}" });
    expect(c.skip_metadata).toMatchObject({ platform: 'button', command_topic: 'disk2iso/sr0/command/skip_metadata', payload_press: 'PRESS' });
    expect(c.cover).toMatchObject({ platform: 'image', image_topic: 'disk2iso/sr0/cover', image_encoding: 'b64', content_type: 'image/jpeg' });
    expect(c.cover).not.toHaveProperty('url_topic');
  });

  it('gives the Metadata select the drive\'s candidates as options, and still passes HA\'s rules', () => {
    const payload = buildDeviceDiscovery(input, { id: 'sr0', vendor: null, model: null, metadataOptions: ['The Matrix (1999)', 'The Matrix [2]'] });
    expect(payload.components.metadata).toMatchObject({ options: ['The Matrix (1999)', 'The Matrix [2]'] });
    expect(checkDevicePayload('x', JSON.parse(JSON.stringify(payload)))).toEqual([]);
    const duplicate = buildDeviceDiscovery(input, { id: 'sr0', vendor: null, model: null, metadataOptions: ['A', 'A'] });
    expect(checkDevicePayload('x', JSON.parse(JSON.stringify(duplicate)))).toEqual(['x: component metadata: options are not unique']);
  });

  it('makes entity ids lower case even when the base topic or drive id is not', () => {
    const t = new Topics('ha', 'My-Base');
    const payload = buildDeviceDiscovery({ ...input, topics: t }, { id: 'Drive-1', vendor: null, model: null });
    expect(payload.components.state).toMatchObject({ unique_id: 'My-Base_Drive-1_state', default_entity_id: 'sensor.my_base_drive_1_state' });
    expect(checkDiscoveryTopic(t.discovery('Drive-1'), 'ha')).toEqual([]);
    expect(checkDevicePayload('x', JSON.parse(JSON.stringify(payload)))).toEqual([]);
  });
});

describe('removalPayload', () => {
  const current = buildDeviceDiscovery(input, input.drives[0]!);

  it('adds a {platform} stub for each component the broker still holds but we no longer compute', () => {
    const previous = { ...current, components: { ...current.components, old_sensor: { platform: 'sensor', unique_id: 'x', state_topic: 'a' } } };
    const stub = removalPayload(JSON.parse(JSON.stringify(previous)), current);
    expect(stub?.components.old_sensor).toEqual({ platform: 'sensor' });
    expect(Object.keys(stub!.components)).toHaveLength(Object.keys(current.components).length + 1);
    expect(checkDevicePayload('x', JSON.parse(JSON.stringify(stub)))).toEqual([]);
  });

  it('reads abbreviated payloads (cmps/p) too, and is null when nothing was removed', () => {
    expect(removalPayload({ cmps: { gone: { p: 'button' } } }, current)?.components.gone).toEqual({ platform: 'button' });
    expect(removalPayload(JSON.parse(JSON.stringify(current)), current)).toBeNull();
    expect(removalPayload('not json', current)).toBeNull();
  });
});

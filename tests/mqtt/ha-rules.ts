/**
 * Home Assistant's documented rules for MQTT discovery payloads, as a checker for tests
 * (https://www.home-assistant.io/integrations/mqtt/#mqtt-discovery, sensor/binary_sensor/button/
 * switch/select/text/image/event .mqtt pages, sensor device classes). Returns every problem found.
 */

const ID = /^[a-zA-Z0-9_-]+$/;
const UNITS: Record<string, readonly string[]> = {
  data_rate: ['bit/s', 'kbit/s', 'Mbit/s', 'Gbit/s', 'B/s', 'kB/s', 'MB/s', 'GB/s', 'KiB/s', 'MiB/s', 'GiB/s'],
  data_size: ['bit', 'kbit', 'Mbit', 'Gbit', 'B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'],
  duration: ['d', 'h', 'min', 's', 'ms'],
};
const REQUIRED: Record<string, readonly string[]> = {
  sensor: ['state_topic'],
  binary_sensor: ['state_topic'],
  button: ['command_topic'],
  switch: ['command_topic', 'state_topic'],
  select: ['command_topic', 'options'],
  text: ['command_topic'],
  image: [],
  event: ['state_topic', 'event_types'],
};
/** HA's longest state (MAX_LENGTH_STATE_STATE): a text entity's `max` may not exceed it. */
const MAX_STATE = 255;
const SENSOR_CLASSES = new Set(['enum', 'data_rate', 'data_size', 'duration', 'timestamp', 'date']);
const BINARY_CLASSES = new Set(['running', 'problem', 'occupancy', 'presence', 'connectivity', 'update']);

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
/** For messages: any JSON value as text. */
const text = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v) ?? 'undefined');
const isTopic = (v: unknown) => typeof v === 'string' && v.length > 0 && !/[+#]/.test(v);

export function checkDiscoveryTopic(topic: string, prefix = 'homeassistant'): string[] {
  const parts = topic.split('/');
  if (parts[0] !== prefix || parts.at(-1) !== 'config' || (parts.length !== 4 && parts.length !== 5)) {
    return [`${topic}: not <prefix>/<component>/[<node_id>/]<object_id>/config`];
  }
  const ids = parts.slice(2, -1);
  return ids.filter((id) => !ID.test(id)).map((id) => `${topic}: "${id}" has characters outside [a-zA-Z0-9_-]`);
}

export function checkDevicePayload(topic: string, payload: unknown, seenUniqueIds: Set<string> = new Set()): string[] {
  const problems: string[] = [];
  const p = (m: string) => problems.push(`${topic}: ${m}`);
  if (!isObject(payload)) return [`${topic}: payload is not a JSON object`];
  const device = payload.device;
  if (!isObject(device)) p('device is missing');
  else {
    const ids = device.identifiers;
    if (!(typeof ids === 'string' && ids) && !(Array.isArray(ids) && ids.length > 0 && ids.every((i) => typeof i === 'string' && i))) p('device.identifiers is missing');
    if (typeof device.name !== 'string' || !device.name) p('device.name is missing');
    if (device.configuration_url !== undefined && !/^(https?|homeassistant):\/\//.test(text(device.configuration_url))) p('device.configuration_url is not http(s):// or homeassistant://');
    if (device.via_device !== undefined && (typeof device.via_device !== 'string' || !device.via_device)) p('device.via_device is not an identifier');
    for (const key of ['model', 'manufacturer', 'sw_version']) {
      if (device[key] !== undefined && (typeof device[key] !== 'string' || !device[key])) p(`device.${key} is not a non-empty string`);
    }
  }
  const origin = payload.origin;
  if (!isObject(origin) || typeof origin.name !== 'string' || !origin.name) p('origin.name is missing');
  if (payload.availability !== undefined) {
    if (!Array.isArray(payload.availability) || !payload.availability.every((a) => isObject(a) && isTopic(a.topic))) p('availability entries need a topic');
  }
  const components = payload.components;
  if (!isObject(components) || Object.keys(components).length === 0) {
    p('components is missing or empty');
    return problems;
  }
  for (const [id, c] of Object.entries(components)) {
    const q = (m: string) => p(`component ${id}: ${m}`);
    if (!isObject(c)) {
      q('not an object');
      continue;
    }
    const platform = text(c.platform);
    const required = REQUIRED[platform];
    if (!required) {
      q(`unknown platform ${platform}`);
      continue;
    }
    if (Object.keys(c).length === 1) continue; // a removal stub: {platform}
    for (const key of required) {
      if (key === 'event_types' || key === 'options') {
        if (!Array.isArray(c[key]) || c[key].length === 0 || !c[key].every((v) => typeof v === 'string' && v)) q(`${key} is missing`);
      } else if (!isTopic(c[key])) q(`${key} is missing or not a plain topic`);
    }
    if (typeof c.unique_id !== 'string' || !c.unique_id) q('unique_id is missing');
    else if (seenUniqueIds.has(c.unique_id)) q(`unique_id ${c.unique_id} is used twice`);
    else seenUniqueIds.add(c.unique_id);
    if ('object_id' in c) q('uses the deprecated object_id');
    if (c.default_entity_id !== undefined && !new RegExp(`^${platform}\\.[a-z0-9_]+$`).test(text(c.default_entity_id))) {
      q(`default_entity_id ${text(c.default_entity_id)} is not ${platform}.<lowercase id>`);
    }
    if (c.entity_category !== undefined) {
      const allowed = platform === 'sensor' || platform === 'binary_sensor' || platform === 'event' ? ['diagnostic'] : ['diagnostic', 'config'];
      if (!allowed.includes(text(c.entity_category))) q(`entity_category ${text(c.entity_category)} is not allowed for ${platform}`);
    }
    const deviceClass = c.device_class === undefined ? undefined : text(c.device_class);
    if (platform === 'sensor') {
      if (deviceClass !== undefined && !SENSOR_CLASSES.has(deviceClass)) q(`unexpected device_class ${deviceClass}`);
      if (deviceClass === 'enum') {
        if (!Array.isArray(c.options) || c.options.length === 0) q('enum sensor without options');
        if (c.unit_of_measurement !== undefined) q('enum sensor with a unit');
        if (c.state_class !== undefined) q('enum sensor with a state_class');
      } else if (c.options !== undefined) q('options without device_class enum');
      if (deviceClass && UNITS[deviceClass] && !UNITS[deviceClass].includes(text(c.unit_of_measurement))) {
        q(`unit ${text(c.unit_of_measurement)} is not valid for ${deviceClass}`);
      }
      if (c.state_class !== undefined && !['measurement', 'total', 'total_increasing'].includes(text(c.state_class))) q('bad state_class');
      // A timestamp sensor holds an ISO 8601 time with a time zone: no unit, no state_class.
      if (deviceClass === 'timestamp' && (c.unit_of_measurement !== undefined || c.state_class !== undefined)) q('timestamp sensor with a unit or state_class');
      if (c.json_attributes_topic !== undefined && !isTopic(c.json_attributes_topic)) q('bad json_attributes_topic');
    }
    if (platform === 'binary_sensor' && deviceClass !== undefined && !BINARY_CLASSES.has(deviceClass)) q(`unexpected device_class ${deviceClass}`);
    if (platform === 'binary_sensor' && c.json_attributes_topic !== undefined && !isTopic(c.json_attributes_topic)) q('bad json_attributes_topic');
    if (platform === 'select' && c.state_topic !== undefined && !isTopic(c.state_topic)) q('bad state_topic');
    if ((platform === 'button' || platform === 'switch' || platform === 'select' || platform === 'text') && c.retain === true) q('commands must not be retained');
    if (platform === 'select' && Array.isArray(c.options) && new Set(c.options).size !== c.options.length) q('options are not unique');
    if (platform === 'text') {
      const min = typeof c.min === 'number' ? c.min : 0;
      const max = typeof c.max === 'number' ? c.max : MAX_STATE;
      if (!(min < max) || max > MAX_STATE) q(`text min ${min} / max ${max}: needs min < max <= ${MAX_STATE}`);
      if (c.state_topic !== undefined && !isTopic(c.state_topic)) q('bad state_topic');
    }
    if (platform === 'image') {
      // image.mqtt: exactly one of image_topic and url_topic; content_type only with image_topic; image_encoding only b64.
      if ((c.image_topic === undefined) === (c.url_topic === undefined)) q('needs exactly one of image_topic and url_topic');
      if (c.image_topic !== undefined && !isTopic(c.image_topic)) q('bad image_topic');
      if (c.content_type !== undefined && c.url_topic !== undefined) q('content_type cannot be used with url_topic');
      if (c.image_encoding !== undefined && c.image_encoding !== 'b64') q('image_encoding is only b64');
    }
  }
  return problems;
}

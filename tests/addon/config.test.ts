import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { posix } from 'node:path';
import { OptionsSchema, parseOptions } from '../../src/config/index.js';
import { metadataCacheDir } from '../../src/metadata/index.js';
import { haAccepts, parseHaType, type HaType } from './ha-schema.js';
import { addonConfig, objectAt, readText, type Json } from './support.js';

/** Options of src/config that the add-on does not offer: fixed by the add-on's layout. */
const NOT_OFFERED = ['api_dir', 'web_port'];

const config = addonConfig();
const options = objectAt(config, 'options');
const schema = objectAt(config, 'schema');

function elementOf(key: string): string {
  const entry = schema[key];
  const element = Array.isArray(entry) ? entry[0] : entry;
  if (typeof element !== 'string') throw new Error(`schema.${key} is not a type string (or a list of one)`);
  return element;
}

const isList = (key: string): boolean => Array.isArray(schema[key]);

/** Whether the add-on's own loader (zod schema + drive checks) accepts `value` for `key`. */
function loaderAccepts(key: string, value: unknown): boolean {
  try {
    parseOptions({ [key]: isList(key) ? [value] : value }, '(test)');
    return true;
  } catch {
    return false;
  }
}

function samples(key: string, type: HaType): unknown[] {
  switch (type.kind) {
    case 'bool':
      return [true, false, 'true', 1, null];
    case 'int': {
      const { min, max } = type;
      if (min === null || max === null) throw new Error(`${key}: an int option needs both bounds`);
      return [min - 1, min, max, max + 1, Math.floor((min + max) / 2), min + 0.5, '3'];
    }
    case 'port':
      return [1, 1883, 65_535, 65_536, -1];
    case 'list':
      return [...type.values, 'nope', '', type.values[0]?.toUpperCase()];
    default:
      return ['', 'x', '/', '/media/disk2iso', '/dev/sr0', 'sim:/tmp/sim0', 'sim:relative', 'disk2iso', 'has space', 'a/b', 7];
  }
}

describe('config.yaml: what SPEC §8 requires', () => {
  it('names the add-on and matches package.json', () => {
    const pkg = JSON.parse(readText('package.json')) as { version: string };
    expect(config.slug).toBe('disk2iso');
    expect(config.version).toBe(pkg.version);
  });

  it('runs on aarch64 and amd64 with its own init, ingress on 8099 and the disc panel icon', () => {
    expect(config.arch).toEqual(['aarch64', 'amd64']);
    expect(config.init).toBe(false);
    expect(config.ingress).toBe(true);
    // 8099 is the Supervisor's default ingress port, so the linter wants it left out.
    expect(config.ingress_port ?? 8099).toBe(8099);
    expect(OptionsSchema.parse({}).web_port).toBe(8099);
    expect(config.panel_icon).toBe('mdi:disc');
  });

  it('maps the drives, media and share read-write, and wants MQTT', () => {
    expect(config.devices).toEqual(['/dev/sr0', '/dev/sr1']);
    // A third drive: chosen from the host's block devices, granted by the Supervisor itself.
    expect(schema.extra_drives).toEqual(['device(subsystem=block)?']);
    // The main list stays free paths: a device() value must exist at start, a missing drive must not stop the add-on.
    expect(elementOf('drives')).toMatch(/^match\(/);
    expect(config.map).toEqual([
      { type: 'media', read_only: false },
      { type: 'share', read_only: false },
    ]);
    expect(config.services).toEqual(['mqtt:want']);
  });

  it('asks for no privileges and no Supervisor or Home Assistant API beyond what every add-on gets', () => {
    // /addons/self/info and /services/mqtt pass the Supervisor's api_bypass without hassio_api.
    const never = ['privileged', 'full_access', 'host_network', 'host_pid', 'host_ipc', 'host_uts', 'host_dbus', 'docker_api'];
    const apis = ['hassio_api', 'hassio_role', 'homeassistant_api', 'auth_api', 'kernel_modules', 'realtime'];
    const hardware = ['udev', 'usb', 'uart', 'gpio', 'video', 'audio', 'devicetree', 'apparmor'];
    for (const key of [...never, ...apis, ...hardware]) {
      expect(config, key).not.toHaveProperty(key);
    }
  });

  it('gives s6 enough time to stop both services before Docker kills the container', () => {
    const killAfter = (svc: string) => Number(readText(`rootfs/etc/s6-overlay/s6-rc.d/${svc}/timeout-kill`).trim());
    const budgetS = (killAfter('disk2iso-mqtt') + killAfter('disk2iso')) / 1000 + 3; // + S6_KILL_GRACETIME
    expect(typeof config.timeout).toBe('number');
    expect(config.timeout as number).toBeGreaterThan(budgetS);
    // The core must get at least the 10 s it may need to cancel a job and clean up.
    expect(killAfter('disk2iso')).toBeGreaterThanOrEqual(10_000);
  });
});

/**
 * The Supervisor's own checks (supervisor/apps/options.py RE_SCHEMA_ELEMENT, apps/validate.py):
 * a config.yaml failing them is skipped by the store with only a log line — the add-on vanishes.
 */
const RE_SCHEMA_ELEMENT = new RegExp(
  '^(?:' +
    '|bool|email|url|port' +
    '|device(?:\\((?<filter>subsystem=[a-z]+)\\))?' +
    '|str(?:\\((?<s_min>\\d+)?,(?<s_max>\\d+)?\\))?' +
    '|password(?:\\((?<p_min>\\d+)?,(?<p_max>\\d+)?\\))?' +
    '|int(?:\\((?<i_min>-?\\d+)?,(?<i_max>-?\\d+)?\\))?' +
    '|float(?:\\((?<f_min>-?\\d*\\.?\\d+)?,(?<f_max>-?\\d*\\.?\\d+)?\\))?' +
    '|match\\((?<match>.*)\\)' +
    '|list\\((?<list>.+)\\)' +
    ')\\??$',
);

describe('config.yaml: what the Supervisor itself checks', () => {
  it('uses only schema types the Supervisor can parse', () => {
    for (const key of Object.keys(schema)) expect(elementOf(key), key).toMatch(RE_SCHEMA_ELEMENT);
    expect('string').not.toMatch(RE_SCHEMA_ELEMENT);
    expect('str=default').not.toMatch(RE_SCHEMA_ELEMENT);
  });

  it('has a slug and a timeout in the accepted ranges', () => {
    expect(config.slug).toMatch(/^[-_.A-Za-z0-9]+$/);
    expect(config.timeout).toBeGreaterThanOrEqual(10);
    expect(config.timeout).toBeLessThanOrEqual(300);
  });
});

describe('config.yaml options and schema mirror src/config/schema.ts', () => {
  const zodKeys = Object.keys(OptionsSchema.shape);

  it('offers every option of the zod schema except the fixed ones, and nothing else', () => {
    expect(Object.keys(schema).sort()).toEqual(zodKeys.filter((k) => !NOT_OFFERED.includes(k)).sort());
  });

  it('gives a default in options exactly for the non-optional schema entries', () => {
    const required = Object.keys(schema).filter((k) => !parseHaType(elementOf(k)).optional);
    expect(Object.keys(options).sort()).toEqual(required.sort());
  });

  it('has the same defaults as zod', () => {
    const zodDefaults = OptionsSchema.parse({}) as Record<string, unknown>;
    const parsed = OptionsSchema.parse(options) as Record<string, unknown>;
    expect(parsed).toEqual(zodDefaults);
    for (const [key, value] of Object.entries(options)) expect(value, key).toEqual(zodDefaults[key]);
  });

  it('defaults that the Supervisor itself accepts', () => {
    for (const [key, value] of Object.entries(options)) {
      const type = parseHaType(elementOf(key));
      const values: Json[] = isList(key) && Array.isArray(value) ? value : [value];
      for (const v of values) expect(haAccepts(type, v), `${key}: ${JSON.stringify(v)}`).toBe(true);
    }
  });

  it('accepts in the loader every value the Supervisor accepts; ranges and choices are identical', () => {
    for (const key of Object.keys(schema)) {
      const type = parseHaType(elementOf(key));
      for (const value of samples(key, type)) {
        const ha = haAccepts(type, value);
        const ours = loaderAccepts(key, value);
        const label = `${key} = ${JSON.stringify(value)} (Supervisor ${ha}, loader ${ours})`;
        // Exact for bool/int/list; elsewhere the Supervisor may be stricter (port 0 = "auto").
        if (type.kind === 'bool' || type.kind === 'int' || type.kind === 'list') expect(ours, label).toBe(ha);
        else if (ha) expect(ours, label).toBe(true);
      }
    }
  });

  it('int ranges agree for any integer (property)', () => {
    for (const key of Object.keys(schema)) {
      const type = parseHaType(elementOf(key));
      if (type.kind !== 'int' || type.min === null || type.max === null) continue;
      const span = Math.max(10, Math.floor((type.max - type.min) / 10));
      fc.assert(
        fc.property(fc.integer({ min: type.min - span, max: type.max + span }), (n) => haAccepts(type, n) === loaderAccepts(key, n)),
        { numRuns: 200 },
      );
    }
  });

  it('topics the Supervisor accepts are valid topics for the loader (property)', () => {
    const topic = parseHaType(elementOf('mqtt_base_topic'));
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), (s) => !haAccepts(topic, s) || loaderAccepts('mqtt_base_topic', s)),
      { numRuns: 300 },
    );
  });
});

describe('backups', () => {
  it('leave out the metadata cache where the core keeps it, and nothing of /data/api', () => {
    const excluded = config.backup_exclude;
    expect(Array.isArray(excluded)).toBe(true);
    const cache = posix.relative('/data', metadataCacheDir('/data/api'));
    expect(excluded).toEqual([cache, `${cache}/**`]);
    expect((excluded as string[]).some((pattern) => pattern === 'api' || pattern.startsWith('api/') || pattern.startsWith('*'))).toBe(false);
  });
});

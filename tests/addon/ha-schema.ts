/**
 * The Supervisor's add-on option types (`str`, `int(0,20)`, `list(a|b)`, `match(re)`, `port`,
 * `password`, `device(subsystem=block)`, a trailing `?` for optional), parsed and checked the way
 * the Supervisor's voluptuous validators check them, so tests can compare them with the zod schema.
 */
export type HaType =
  | { kind: 'bool'; optional: boolean }
  | { kind: 'int' | 'float'; optional: boolean; min: number | null; max: number | null }
  | { kind: 'str'; optional: boolean; min: number | null; max: number | null }
  | { kind: 'password' | 'email' | 'url' | 'port'; optional: boolean }
  | { kind: 'match'; optional: boolean; pattern: string }
  | { kind: 'list'; optional: boolean; values: string[] }
  | { kind: 'device'; optional: boolean; subsystem: string | null };

function bound(text: string | undefined): number | null {
  return text === undefined || text === '' ? null : Number(text);
}

/** Parses one schema element such as `int(0,20)?`; throws on anything the Supervisor rejects. */
export function parseHaType(element: string): HaType {
  const optional = element.endsWith('?');
  const text = optional ? element.slice(0, -1) : element;
  if (text === 'bool') return { kind: 'bool', optional };
  if (text === 'password' || text === 'email' || text === 'url' || text === 'port') return { kind: text, optional };
  const ranged = /^(int|float|str)(?:\((-?[\d.]*),(-?[\d.]*)\))?$/.exec(text);
  if (ranged) {
    const kind = ranged[1] as 'int' | 'float' | 'str';
    return { kind, optional, min: bound(ranged[2]), max: bound(ranged[3]) };
  }
  const match = /^match\((.+)\)$/.exec(text);
  if (match?.[1]) return { kind: 'match', optional, pattern: match[1] };
  // supervisor/apps/options.py: device(?:\((?P<filter>subsystem=[a-z]+)\))?
  const device = /^device(?:\(subsystem=([a-z]+)\))?$/.exec(text);
  if (device) return { kind: 'device', optional, subsystem: device[1] ?? null };
  const list = /^list\((.+)\)$/.exec(text);
  if (list?.[1]) return { kind: 'list', optional, values: list[1].split('|') };
  throw new Error(`unknown add-on schema type "${element}"`);
}

function inRange(value: number, min: number | null, max: number | null): boolean {
  return (min === null || value >= min) && (max === null || value <= max);
}

/** Whether the Supervisor accepts `value` for `type` (values as they arrive in options.json). */
export function haAccepts(type: HaType, value: unknown): boolean {
  switch (type.kind) {
    case 'bool':
      return typeof value === 'boolean';
    case 'int':
      return typeof value === 'number' && Number.isInteger(value) && inRange(value, type.min, type.max);
    case 'float':
      return typeof value === 'number' && inRange(value, type.min, type.max);
    case 'port':
      return typeof value === 'number' && Number.isInteger(value) && inRange(value, 1, 65_535);
    case 'str':
      return typeof value === 'string' && inRange(value.length, type.min, type.max);
    case 'password':
    case 'email':
    case 'url':
      return typeof value === 'string';
    case 'match':
      // voluptuous' Match uses Python's re.match: anchored at the start only.
      return typeof value === 'string' && new RegExp(`^(?:${type.pattern})`).test(value);
    case 'list':
      return typeof value === 'string' && type.values.includes(value);
    case 'device':
      // The Supervisor accepts a string naming a device its hardware list knows (by node, sysfs
      // path or udev link) and passes it on unchanged; its form offers /dev/disk/by-id/… or /dev/….
      return typeof value === 'string' && /^\/dev\/./.test(value);
  }
}

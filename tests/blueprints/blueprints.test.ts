/**
 * The automation blueprints in blueprints/ against the blueprint schema Home Assistant documents
 * (https://www.home-assistant.io/docs/blueprint/schema/): `blueprint:` with a name and a domain,
 * optional description, author, homeassistant.min_version (major.minor.patch) and source_url,
 * inputs (name, description, default, selector; or a section with its own `input`), every
 * `!input` naming a declared input. And against disk2iso: the entities, states and event types
 * they use exist.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, type ScalarTag } from 'yaml';
import { DRIVE_STATES, JOB_EVENT_TYPES } from '../../src/contract/index.js';
import { DRIVE_ENTITIES } from '../../src/mqtt/index.js';

const ROOT = resolve(import.meta.dirname, '../../blueprints');

/** `!input name` as a marker object, so the test can follow the references. */
class InputRef {
  constructor(readonly name: string) {}
}
const inputTag: ScalarTag = { tag: '!input', resolve: (name: string) => new InputRef(name) };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof InputRef);

/** Selector types of https://www.home-assistant.io/docs/blueprint/selectors/ that these blueprints may use. */
const SELECTORS = new Set([
  'action', 'addon', 'area', 'boolean', 'color_rgb', 'color_temp', 'condition', 'constant', 'date', 'datetime', 'device', 'duration',
  'entity', 'floor', 'icon', 'label', 'language', 'location', 'media', 'number', 'object', 'select', 'state', 'target', 'template',
  'text', 'theme', 'time', 'trigger',
]);
const BLUEPRINT_KEYS = new Set(['name', 'description', 'domain', 'author', 'homeassistant', 'input', 'source_url']);
const INPUT_KEYS = new Set(['name', 'description', 'default', 'selector']);
const SECTION_KEYS = new Set(['name', 'icon', 'description', 'collapsed', 'input']);

/** Every problem of one blueprint document with the documented schema; the declared inputs. */
function checkBlueprint(doc: unknown): { problems: string[]; inputs: Map<string, Json> } {
  const problems: string[] = [];
  const inputs = new Map<string, Json>();
  if (!isObject(doc) || !isObject(doc.blueprint)) return { problems: ['no blueprint: mapping'], inputs };
  const bp = doc.blueprint;
  for (const key of Object.keys(bp)) if (!BLUEPRINT_KEYS.has(key)) problems.push(`blueprint.${key} is not a documented key`);
  if (typeof bp.name !== 'string' || !bp.name) problems.push('blueprint.name is required');
  if (!['automation', 'script', 'template'].includes(String(bp.domain))) problems.push('blueprint.domain must be automation, script or template');
  for (const key of ['description', 'author', 'source_url']) if (bp[key] !== undefined && typeof bp[key] !== 'string') problems.push(`blueprint.${key} must be a string`);
  if (typeof bp.source_url === 'string' && !/^https?:\/\//.test(bp.source_url)) problems.push('blueprint.source_url must be a URL');
  if (bp.homeassistant !== undefined) {
    const ha = bp.homeassistant;
    if (!isObject(ha) || Object.keys(ha).some((k) => k !== 'min_version')) problems.push('blueprint.homeassistant may only hold min_version');
    else if (ha.min_version !== undefined && !(typeof ha.min_version === 'string' && /^\d{4}\.\d{1,2}\.\d+$/.test(ha.min_version))) problems.push('min_version must be major.minor.patch');
  }
  const walk = (map: unknown, where: string, sectionAllowed: boolean) => {
    if (!isObject(map)) {
      problems.push(`${where} must be a mapping`);
      return;
    }
    for (const [id, value] of Object.entries(map)) {
      const at = `${where}.${id}`;
      if (value === null) {
        inputs.set(id, {});
        continue;
      }
      if (!isObject(value)) {
        problems.push(`${at} must be a mapping`);
        continue;
      }
      if ('input' in value) {
        if (!sectionAllowed) problems.push(`${at}: sections cannot be nested`);
        for (const key of Object.keys(value)) if (!SECTION_KEYS.has(key)) problems.push(`${at}.${key} is not a section key`);
        walk(value.input, `${at}.input`, false);
        continue;
      }
      for (const key of Object.keys(value)) if (!INPUT_KEYS.has(key)) problems.push(`${at}.${key} is not an input key`);
      for (const key of ['name', 'description']) if (value[key] !== undefined && typeof value[key] !== 'string') problems.push(`${at}.${key} must be a string`);
      if (value.selector !== undefined) {
        const selector = value.selector;
        if (!isObject(selector) || Object.keys(selector).length !== 1) problems.push(`${at}.selector must name exactly one selector`);
        else if (!SELECTORS.has(Object.keys(selector)[0]!)) problems.push(`${at}.selector ${Object.keys(selector)[0]} is not a documented selector`);
      }
      inputs.set(id, value);
    }
  };
  if (bp.input !== undefined) walk(bp.input, 'blueprint.input', true);
  return { problems, inputs };
}

/** Every `!input` reference in the document outside the blueprint: section. */
function references(value: unknown, out: string[] = []): string[] {
  if (value instanceof InputRef) out.push(value.name);
  else if (Array.isArray(value)) for (const v of value) references(v, out);
  else if (isObject(value)) for (const v of Object.values(value)) references(v, out);
  return out;
}

async function blueprintFiles(): Promise<string[]> {
  const out: string[] = [];
  const walkDir = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) await walkDir(path);
      else if (entry.name.endsWith('.yaml')) out.push(path);
    }
  };
  await walkDir(ROOT);
  return out.sort();
}

describe('automation blueprints', async () => {
  const files = await blueprintFiles();

  it('there are the two documented ones, and DOCS.md links each', async () => {
    expect(files.map((f) => f.slice(ROOT.length + 1))).toEqual(['automation/disk2iso/eject_when_done.yaml', 'automation/disk2iso/notify_archived_or_failed.yaml']);
    const docs = await readFile(resolve(ROOT, '../DOCS.md'), 'utf8');
    const unlinked = files.map((f) => `blueprints/${f.slice(ROOT.length + 1)}`).filter((link) => !docs.includes(link));
    expect(unlinked).toEqual([]);
  });

  it.each(files.map((f) => [f.slice(ROOT.length + 1), f]))('%s follows the documented blueprint schema', async (_name, file) => {
    const doc = parse(await readFile(file, 'utf8'), { customTags: [inputTag] }) as Json;
    const { problems, inputs } = checkBlueprint(doc);
    expect(problems).toEqual([]);
    expect((doc.blueprint as Json).domain).toBe('automation');
    // The automation part: triggers and actions (the current key names), every !input declared and used.
    expect(Array.isArray(doc.triggers) && doc.triggers.length > 0).toBe(true);
    expect(Array.isArray(doc.actions) && doc.actions.length > 0).toBe(true);
    const used = references({ ...doc, blueprint: undefined });
    expect([...new Set(used)].sort()).toEqual([...inputs.keys()].sort());
  });

  it('the checker catches what the schema forbids', () => {
    expect(checkBlueprint({ blueprint: { domain: 'automation' } }).problems).toContain('blueprint.name is required');
    expect(checkBlueprint({ blueprint: { name: 'x', domain: 'light' } }).problems).toContain('blueprint.domain must be automation, script or template');
    expect(checkBlueprint({ blueprint: { name: 'x', domain: 'automation', homeassistant: { min_version: '2024.10' } } }).problems).toContain('min_version must be major.minor.patch');
    expect(checkBlueprint({ blueprint: { name: 'x', domain: 'automation', input: { a: { name: 'A', selector: { entity: {}, device: {} } } } } }).problems).toContain(
      'blueprint.input.a.selector must name exactly one selector',
    );
    expect(checkBlueprint({ blueprint: { name: 'x', domain: 'automation', input: { a: { label: 'A' } } } }).problems).toContain('blueprint.input.a.label is not an input key');
  });

  it('uses only disk2iso entities, states and event types that exist', async () => {
    const text = (await Promise.all(files.map((f) => readFile(f, 'utf8')))).join('\n');
    const platforms = new Set(DRIVE_ENTITIES.map((e) => e.platform));
    for (const [, domain] of text.matchAll(/integration: mqtt\s+domain: (\w+)/g)) expect(platforms.has(domain as never)).toBe(true);
    for (const [, type] of text.matchAll(/'(copy_\w+)'/g)) expect(JOB_EVENT_TYPES).toContain(type);
    const ejectWhenDone = parse(await readFile(files[0]!, 'utf8'), { customTags: [inputTag] }) as { triggers: Array<{ to: string[] }> };
    for (const state of ejectWhenDone.triggers[0]!.to) expect(DRIVE_STATES).toContain(state);
    for (const [, id] of text.matchAll(/`((?:event|sensor|button)\.disk2iso_sr0_\w+)`/g)) {
      const [platform, object] = id!.split('.');
      expect(DRIVE_ENTITIES.some((e) => e.platform === platform && `disk2iso_sr0_${e.key}` === object)).toBe(true);
    }
  });
});

import { describe, expect, it } from 'vitest';
import { addonConfig, isObject, objectAt, readYaml, translationConfiguration } from './support.js';

/** The languages of the original tool (and of the web UI): every one complete. */
const LANGUAGES = ['en', 'de', 'es', 'fr'];
const schemaKeys = Object.keys(objectAt(addonConfig(), 'schema')).sort();

describe.each(LANGUAGES)('translations/%s.yaml', (language) => {
  const configuration = translationConfiguration(language);

  it('names and describes exactly the options of the schema', () => {
    expect(Object.keys(configuration).sort()).toEqual(schemaKeys);
  });

  it('has a non-empty name and description for every option, and nothing else', () => {
    for (const [key, entry] of Object.entries(configuration)) {
      expect(isObject(entry), key).toBe(true);
      if (!isObject(entry)) continue;
      expect(Object.keys(entry).sort(), key).toEqual(['description', 'name']);
      expect(typeof entry.name === 'string' && entry.name.trim().length > 0, `${key}.name`).toBe(true);
      expect(typeof entry.description === 'string' && entry.description.trim().length > 10, `${key}.description`).toBe(true);
    }
  });

  it('describes every published port', () => {
    const file = readYaml(`translations/${language}.yaml`);
    const network = isObject(file) && isObject(file.network) ? Object.keys(file.network) : [];
    expect(network.sort()).toEqual(Object.keys(objectAt(addonConfig(), 'ports')).sort());
  });
});

/** The values of an option's `list(a|b)` schema. */
function enumValues(key: string): string[] {
  const type = objectAt(addonConfig(), 'schema')[key];
  const match = typeof type === 'string' ? /^list\(([^)]*)\)/.exec(type) : null;
  return match?.[1]?.split('|') ?? [];
}

/** What a description names literally — paths, ranges, snake_case names and the option's values it mentions: the same in every language. */
function literals(text: string, values: readonly string[]): string[] {
  const found = text.match(/\/[\w/…-]*\w…?|\b[a-z0-9]+_[a-z0-9_]+\b|\d+(?:–\d+)?/g) ?? [];
  const words = new Set(text.split(/[^\w]+/));
  return [...new Set([...found, ...values.filter((v) => words.has(v))])].sort();
}

describe.each(LANGUAGES.filter((l) => l !== 'en'))('the %s translation', (language) => {
  const en = translationConfiguration('en');
  const other = translationConfiguration(language);

  it('is a translation, not a copy of the English text', () => {
    const copied = Object.keys(en).filter((key) => {
      const a = en[key];
      const b = other[key];
      return isObject(a) && isObject(b) && a.description === b.description;
    });
    expect(copied).toEqual([]);
  });

  it('names the same option values, paths and ranges as the English text', () => {
    for (const key of Object.keys(en)) {
      const a = en[key];
      const b = other[key];
      if (!isObject(a) || !isObject(b) || typeof a.description !== 'string' || typeof b.description !== 'string') continue;
      const english = a.description;
      const values = enumValues(key).filter((v) => english.split(/[^\w]+/).includes(v));
      expect(literals(b.description, values), `${language} ${key}`).toEqual(literals(english, values));
    }
  });
});

import { describe, expect, it } from 'vitest';
import { addonConfig, isObject, objectAt, readYaml, translationConfiguration } from './support.js';

const LANGUAGES = ['en', 'de'];
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

describe('the German translation', () => {
  it('is a translation, not a copy of the English text', () => {
    const en = translationConfiguration('en');
    const de = translationConfiguration('de');
    const copied = Object.keys(en).filter((key) => {
      const a = en[key];
      const b = de[key];
      return isObject(a) && isObject(b) && a.description === b.description;
    });
    expect(copied).toEqual([]);
  });
});

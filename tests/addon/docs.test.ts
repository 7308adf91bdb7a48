import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { addonConfig, isObject, objectAt, readText, readYaml, REPO } from './support.js';

const docs = readText('DOCS.md');
const config = addonConfig();

/** The `## Configuration` section, up to the next `## ` heading (other sections have tables too). */
const configuration = docs.slice(docs.indexOf('## Configuration')).split(/^## (?!Configuration)/m)[0] ?? '';

/** Rows of the options table: option → default cell. */
const optionRows = new Map(
  [...configuration.matchAll(/^\| `([a-z_]+)` \| ([^|]+) \|/gm)].map((m) => [m[1] ?? '', (m[2] ?? '').trim()] as const),
);

function png(file: string): { width: number; height: number; colorType: number } {
  const bytes = readFileSync(join(REPO, file));
  expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
  expect(bytes.subarray(12, 16).toString('ascii')).toBe('IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20), colorType: bytes.readUInt8(25) };
}

describe('DOCS.md', () => {
  it('documents every option with its default', () => {
    const options = objectAt(config, 'options');
    expect([...optionRows.keys()].sort()).toEqual(Object.keys(objectAt(config, 'schema')).sort());
    for (const [key, value] of Object.entries(options)) {
      const shown = Array.isArray(value) ? value.map((v) => JSON.stringify(v).replaceAll('"', '')).join(', ') : JSON.stringify(value).replaceAll('"', '');
      expect(optionRows.get(key), key).toBe(`\`${shown}\``);
    }
  });

  it('explains installation, entities, automations for completed and failed copies, a card and troubleshooting', () => {
    for (const heading of ['## Installation', '## Entities', '## Automations', '## Dashboard card', '## Troubleshooting']) {
      expect(docs).toContain(heading);
    }
    expect(docs).toMatch(/event_type == 'copy_completed'/);
    expect(docs).toMatch(/event_type == 'copy_failed'/);
    for (const topic of ['waiting_for_drive', 'Permission denied', 'MQTT', 'damaged disc']) expect(docs).toContain(topic);
  });
});

describe('README.md (the add-on store shows it as the description)', () => {
  const readme = readText('README.md');

  it('opens with what it does, a screenshot that exists and is small, and how to install', () => {
    const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)].map((m) => m[1] ?? '');
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) {
      // Relative, so it shows in the store and on any Git host.
      expect(image).not.toMatch(/^(?:[a-z]+:|\/)/);
      expect(existsSync(join(REPO, image)), image).toBe(true);
      if (image.endsWith('.png')) png(image);
      expect(statSync(join(REPO, image)).size, image).toBeLessThan(150 * 1024);
    }
    const install = readme.indexOf('## Install');
    expect(install).toBeGreaterThan(readme.indexOf('![')); // the screenshot comes first
    for (const step of ['Repositories', 'Install', 'Start', 'side panel', '/media/disk2iso']) {
      expect(readme.slice(install), step).toContain(step);
    }
  });

  it('keeps the developer commands', () => {
    expect(readme).toContain('npm ci && npm run demo');
    expect(readme).toContain('sudo bash .ci/run');
  });
});

describe('CHANGELOG.md', () => {
  it('follows Keep a Changelog and has an entry for the add-on version', () => {
    const changelog = readText('CHANGELOG.md');
    expect(changelog).toMatch(/keepachangelog\.com/);
    expect(changelog).toContain('## [Unreleased]');
    const version = typeof config.version === 'string' ? config.version : '';
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(changelog).toMatch(new RegExp(`^## \\[${version.replaceAll('.', '\\.')}\\] - \\d{4}-\\d{2}-\\d{2}$`, 'm'));
  });
});

describe('images and repository file', () => {
  it('icon.png is a 128×128 PNG with transparency', () => {
    expect(png('icon.png')).toEqual({ width: 128, height: 128, colorType: 6 });
  });

  it('logo.png is a PNG of about 250×100', () => {
    expect(png('logo.png')).toEqual({ width: 250, height: 100, colorType: 6 });
  });

  it('repository.yaml names the repository', () => {
    const repository = readYaml('repository.yaml');
    expect(isObject(repository) && typeof repository.name === 'string' && repository.name.length > 0).toBe(true);
  });
});

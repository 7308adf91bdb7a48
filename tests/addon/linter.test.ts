import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileLinterSchema, linterRuleProblems, loadLinterSchema, schemaProblems } from './linter.js';
import { addonConfig, LINTER_DIR, readText, readYaml, REPO, SHARED_LINTER_DIR, type JsonObject } from './support.js';

describe('the linter schemas', () => {
  it('are committed, and equal the copy handed to the project where it is beside the repository', () => {
    for (const file of ['config.schema.json', 'build.schema.json', 'LICENSE.md']) {
      expect(existsSync(join(LINTER_DIR, file)), file).toBe(true);
    }
    // A fresh CI machine has only the clone: the committed copy is then the reference.
    if (!existsSync(SHARED_LINTER_DIR)) return;
    for (const file of ['config.schema.json', 'build.schema.json']) {
      expect(readFileSync(join(LINTER_DIR, file), 'utf8'), file).toBe(readFileSync(join(SHARED_LINTER_DIR, file), 'utf8'));
    }
  });
});

describe('config.yaml against the official add-on linter', () => {
  const schema = loadLinterSchema('config.schema.json');

  it('passes the linter JSON schema', () => {
    expect(schemaProblems(compileLinterSchema(schema), addonConfig())).toEqual([]);
  });

  it('passes the linter rules on top of the schema', () => {
    expect(linterRuleProblems(addonConfig(), schema)).toEqual([]);
  });

  it('the schema check can fail: unknown keys, wrong types and bad service strings are reported', () => {
    const bad: JsonObject = { ...addonConfig(), privileged_mode: true, init: 'no', services: ['mqtt:maybe'] };
    const problems = schemaProblems(compileLinterSchema(schema), bad);
    expect(problems.join('\n')).toMatch(/additional properties/);
    expect(problems.join('\n')).toMatch(/\/init must be boolean/);
    expect(problems.join('\n')).toMatch(/\/services\/0 must match pattern/);
  });

  it('each linter rule can fail', () => {
    const base = addonConfig();
    const cases: [JsonObject, RegExp][] = [
      [{ ...base, ingress_port: 8099 }, /"ingress_port" should be removed, it uses a default value/],
      [{ ...base, timeout: 10 }, /"timeout" should be removed/],
      [{ ...base, apparmor: true }, /"apparmor" should be removed/],
      [{ ...base, watchdog: 'http://[HOST]:[PORT:8099]/healthz' }, /watchdog/],
      [{ ...base, webui: 'http://[HOST]:[PORT:8099]/' }, /webui/],
      [{ ...base, devices: ['/dev/sr0:/dev/sr0:rwm'] }, /path only/],
      [{ ...base, full_access: true }, /full_access/],
      [{ ...base, tmpfs: 'size=10m' }, /tmpfs/],
      [{ ...base, auto_uart: true }, /auto_uart/],
      [{ ...base, arch: ['amd64', 'armv7'] }, /deprecated/],
    ];
    for (const [config, message] of cases) expect(linterRuleProblems(config, schema).join('\n')).toMatch(message);
  });
});

describe('build.yaml', () => {
  it('is absent (deprecated by the Supervisor; the Dockerfile names its base image) or passes its schema', () => {
    if (existsSync(join(REPO, 'build.yaml'))) {
      expect(schemaProblems(compileLinterSchema(loadLinterSchema('build.schema.json')), readYaml('build.yaml'))).toEqual([]);
    } else {
      // Without build.yaml the Supervisor builds FROM the Dockerfile's own default.
      expect(readText('Dockerfile')).toMatch(/^ARG BUILD_FROM=\S+$/m);
    }
  });
});

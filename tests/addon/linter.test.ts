import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileLinterSchema, linterRuleProblems, loadLinterSchema, schemaProblems } from './linter.js';
import { addonConfig, HAS_LINTER, LINTER_DIR, readText, readYaml, REPO, type JsonObject } from './support.js';

if (!HAS_LINTER) {
  console.warn(`SKIPPED: the add-on linter schemas are not at ${LINTER_DIR} (CI has them beside the repository)`);
}

describe.skipIf(!HAS_LINTER)('config.yaml against the official add-on linter', () => {
  const schema = HAS_LINTER ? loadLinterSchema('config.schema.json') : {};

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

describe.skipIf(!HAS_LINTER)('build.yaml', () => {
  it('is absent (deprecated by the Supervisor; the Dockerfile names its base image) or passes its schema', () => {
    if (existsSync(join(REPO, 'build.yaml'))) {
      expect(schemaProblems(compileLinterSchema(loadLinterSchema('build.schema.json')), readYaml('build.yaml'))).toEqual([]);
    } else {
      // Without build.yaml the Supervisor builds FROM the Dockerfile's own default.
      expect(readText('Dockerfile')).toMatch(/^ARG BUILD_FROM=\S+$/m);
    }
  });
});

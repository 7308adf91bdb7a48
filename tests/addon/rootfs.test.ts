import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/tmp.js';
import { REPO, requireTool } from './support.js';
import { ADDON_LAUNCH, parseRunScript } from '../helpers/process.js';

const S6 = join(REPO, 'rootfs', 'etc', 's6-overlay', 's6-rc.d');
const SERVICES = { disk2iso: 'run', 'disk2iso-mqtt': 'mqtt' } as const;
type Service = keyof typeof SERVICES;

const HAS_SHELLCHECK = requireTool('shellcheck', 'shellcheck');

function lines(path: string): string[] {
  return readFileSync(path, 'utf8').split('\n');
}

describe('s6-overlay v3 services', () => {
  it('has exactly the two services and the user bundle', () => {
    expect(readdirSync(S6).sort()).toEqual(['disk2iso', 'disk2iso-mqtt', 'user']);
    expect(readdirSync(join(S6, 'user', 'contents.d')).sort()).toEqual(['disk2iso', 'disk2iso-mqtt']);
  });

  it.each(Object.keys(SERVICES) as Service[])('%s is an executable longrun started from /app, with the container environment', (service) => {
    const dir = join(S6, service);
    expect(readFileSync(join(dir, 'type'), 'utf8')).toBe('longrun\n');
    expect(existsSync(join(dir, 'dependencies.d', 'base'))).toBe(true);
    for (const script of ['run', 'finish']) {
      const path = join(dir, script);
      expect(statSync(path).mode & 0o111, `${service}/${script} executable`).toBe(0o111);
      const [shebang, directive] = lines(path);
      // with-contenv: the Supervisor's environment (SUPERVISOR_TOKEN) reaches Node. Plain bash:
      // bashio is not relied on, so the image test runs exactly these scripts.
      expect(shebang).toBe('#!/command/with-contenv bash');
      expect(directive).toBe('# shellcheck shell=bash');
      expect(readFileSync(path, 'utf8')).not.toMatch(/bashio/);
      expect(readFileSync(path, 'utf8')).toContain('source /etc/s6-overlay/scripts/log.sh');
    }
    const execs = lines(join(dir, 'run')).filter((l) => /^\s*exec\b/.test(l));
    expect(execs).toHaveLength(1);
    // Node flags may come before the script (the bridge trims its memory with V8 flags).
    expect(execs[0]).toMatch(new RegExp(`^exec node (--[a-z-]+(=\\S+)? )*/app/dist/cli\\.js ${SERVICES[service]}$`));
    expect(Number(readFileSync(join(dir, 'timeout-kill'), 'utf8'))).toBeGreaterThan(0);
  });

  it.each(Object.keys(SERVICES) as Service[])('%s: the flags and environment the benchmarks read from the run script are accepted by Node', async (service) => {
    const launch = ADDON_LAUNCH[SERVICES[service]];
    expect(launch.flags.length).toBeGreaterThan(0);
    // A flag Node does not know makes it exit 9 before the add-on starts.
    const result = await execa('node', [...launch.flags, '-e', 'process.stdout.write(process.env.MALLOC_ARENA_MAX ?? "unset")'], { env: launch.env, reject: false, all: true });
    expect(result.exitCode, result.all).toBe(0);
    expect(result.stdout).toBe(launch.env.MALLOC_ARENA_MAX ?? 'unset');
  });

  it('caps the core at two malloc arenas (libuv threadpool fragmentation) and parses flags and exports', () => {
    expect(ADDON_LAUNCH.run.env).toEqual({ MALLOC_ARENA_MAX: '2' });
    expect(ADDON_LAUNCH.run.flags).toContain('--optimize-for-size');
    expect(parseRunScript('export A_B=1\nlog_info "x"\nexec node --x=1 --y /app/dist/cli.js run\n')).toEqual({ flags: ['--x=1', '--y'], env: { A_B: '1' } });
    expect(() => parseRunScript('node /app/dist/cli.js run')).toThrow(/exec node/);
  });

  it('starts the bridge after the core', () => {
    expect(existsSync(join(S6, 'disk2iso-mqtt', 'dependencies.d', 'disk2iso'))).toBe(true);
    expect(existsSync(join(S6, 'disk2iso', 'dependencies.d', 'disk2iso-mqtt'))).toBe(false);
  });
});

describe.skipIf(!HAS_SHELLCHECK)('shellcheck', () => {
  const scripts = [
    ...Object.keys(SERVICES).flatMap((s) => ['run', 'finish'].map((f) => join(S6, s, f))),
    join(REPO, 'scripts', 'stage-image.sh'),
  ];
  // Plain sh: the image's package-list reader and the image test's stand-ins for s6-overlay.
  const shScripts = ['scripts/image-packages.sh', 'tests/image/guest/rig-init', 'tests/image/guest/standin/init', 'tests/image/guest/standin/with-contenv', 'tests/image/guest/standin/halt'];
  it.each(shScripts)('%s is clean', async (script) => {
    const result = await execa('shellcheck', [join(REPO, script)], { reject: false, all: true });
    expect(result.all).toBe('');
    expect(result.exitCode).toBe(0);
  });
  it.each(scripts.map((s) => [s.slice(REPO.length + 1), s]))('%s is clean', async (_name, script) => {
    const result = await execa('shellcheck', ['-s', 'bash', '-x', script], { reject: false, all: true });
    expect(result.all).toBe('');
    expect(result.exitCode).toBe(0);
  });
});

/** Runs a finish script with stand-ins for s6-svstat, sleep, halt, the exit-code file and the log helpers' path. */
async function finish(dir: string, service: Service, code: number, signal: number, opts: { container?: string; wantedUp?: boolean } = {}) {
  const exitcodeFile = join(dir, 'exitcode');
  const haltMarker = join(dir, 'halted');
  const halt = join(dir, 'halt');
  await writeFile(exitcodeFile, `${opts.container ?? '0'}\n`);
  await writeFile(halt, `#!/bin/sh\necho yes > '${haltMarker}'\n`);
  await chmod(halt, 0o755);
  const source = (await readFile(join(S6, service, 'finish'), 'utf8'))
    .replaceAll('/run/s6-linux-init-container-results/exitcode', exitcodeFile)
    .replaceAll('/run/s6/basedir/bin/halt', halt)
    .replaceAll('/etc/s6-overlay/scripts/log.sh', join(REPO, 'rootfs/etc/s6-overlay/scripts/log.sh'));
  const script = join(dir, `${service}-finish`);
  await writeFile(script, source);
  const stubs = [
    `s6-svstat() { echo ${opts.wantedUp === false ? 'false' : 'true'}; }`,
    'sleep() { echo "SLEEP $*"; }',
  ].join('\n');
  const result = await execa('bash', ['-c', `${stubs}\nsource "$0" "$@"`, script, String(code), String(signal)], {
    reject: false,
    all: true,
  });
  return {
    exitCode: result.exitCode,
    output: result.all,
    halted: existsSync(haltMarker),
    containerExit: (await readFile(exitcodeFile, 'utf8')).trim(),
  };
}

describe('finish scripts', () => {
  let dir = '';
  let cleanup: () => Promise<void> = async () => {};
  beforeEach(async () => ({ dir, cleanup } = await makeTempDir('disk2iso-finish-')));
  afterEach(async () => cleanup());

  it('core: a crash takes the container down with the crash exit code', async () => {
    expect(await finish(dir, 'disk2iso', 3, 0)).toMatchObject({ halted: true, containerExit: '3' });
  });

  it('core: stopped by SIGTERM halts with 143; the first recorded exit code is kept', async () => {
    expect(await finish(dir, 'disk2iso', 256, 15)).toMatchObject({ halted: true, containerExit: '143' });
    expect(await finish(dir, 'disk2iso', 2, 0, { container: '5' })).toMatchObject({ halted: true, containerExit: '5' });
  });

  it('core: a clean exit lets s6 restart it', async () => {
    expect(await finish(dir, 'disk2iso', 0, 0)).toMatchObject({ exitCode: 0, halted: false, containerExit: '0' });
  });

  it('core: killed by any other signal (OOM killer, abort) is a crash that takes the container down', async () => {
    expect(await finish(dir, 'disk2iso', 256, 9)).toMatchObject({ halted: true, containerExit: '137' });
    expect(await finish(dir, 'disk2iso', 256, 6)).toMatchObject({ halted: true, containerExit: '134' });
  });

  it('bridge: never halts the container; a crash is restarted after a pause', async () => {
    const crash = await finish(dir, 'disk2iso-mqtt', 1, 0);
    expect(crash).toMatchObject({ exitCode: 0, halted: false, containerExit: '0' });
    expect(crash.output).toMatch(/SLEEP 5/);
    expect(crash.output).toMatch(/copies are not affected/);
  });

  it('bridge: a clean exit is final (125), a stop is not delayed', async () => {
    expect(await finish(dir, 'disk2iso-mqtt', 0, 0)).toMatchObject({ exitCode: 125, halted: false });
    const stopping = await finish(dir, 'disk2iso-mqtt', 1, 0, { wantedUp: false });
    expect(stopping).toMatchObject({ exitCode: 0, halted: false });
    expect(stopping.output).not.toMatch(/SLEEP/);
    expect(await finish(dir, 'disk2iso-mqtt', 256, 15)).toMatchObject({ exitCode: 0, halted: false, containerExit: '0' });
  });
});

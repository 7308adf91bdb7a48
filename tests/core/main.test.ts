import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/core/main.js';
import { makeTempDir } from '../helpers/tmp.js';

/** Runs `disk2iso run` in this process with an options file; what it wrote to stdout and stderr. */
async function run(args: string[], options: Record<string, unknown>, dir: string, env: Record<string, string> = {}) {
  const optionsPath = join(dir, 'options.json');
  await writeFile(optionsPath, JSON.stringify(options));
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => out.push(String(chunk)) > 0);
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => err.push(String(chunk)) > 0);
  vi.stubEnv('DISK2ISO_OPTIONS', optionsPath);
  for (const [key, value] of Object.entries(env)) vi.stubEnv(key, value);
  try {
    const code = await main(args);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  }
}

describe('disk2iso run: options and start-up errors', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await makeTempDir()));
  afterEach(async () => cleanup());

  const options = () => ({ drives: [`sim:${join(dir, 'sim0')}`], api_dir: join(dir, 'api'), output_dir: join(dir, 'out'), mqtt_enabled: false });

  it.each([['--help'], ['-h']])('%s prints the help and starts nothing', async (flag) => {
    const result = await run([flag], options(), dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: disk2iso run\n/);
    await expect(access(join(dir, 'api'))).rejects.toThrow(/ENOENT/);
    await expect(access(join(dir, 'out'))).rejects.toThrow(/ENOENT/);
  });

  it('refuses an unexpected argument', async () => {
    const result = await run(['--api-dir=/tmp'], options(), dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^disk2iso run: unexpected argument "--api-dir=\/tmp"\n/);
    await expect(access(join(dir, 'api'))).rejects.toThrow(/ENOENT/);
  });

  it('invalid options are one line per problem on stderr and exit 1, before anything is created', async () => {
    const result = await run([], { ...options(), checksum: 'sha1' }, dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('checksum');
    expect(result.stdout).toBe('');
    await expect(access(join(dir, 'api'))).rejects.toThrow(/ENOENT/);
  });

  it('an output folder that is not a directory is one line on stderr and exit 1', async () => {
    const blocker = join(dir, 'out');
    await writeFile(blocker, 'x');
    const result = await run([], options(), dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`disk2iso cannot start: option "output_dir": ${blocker} is not usable: it is not a directory\n`);
    expect(result.stdout).toBe('');
  });

  it('in the add-on, an output folder outside /media and /share is refused before anything is created', async () => {
    const result = await run([], { ...options(), output_dir: join(dir, 'etc', 'disk2iso') }, dir, { SUPERVISOR_TOKEN: 'x' });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`option "output_dir": got "${join(dir, 'etc', 'disk2iso')}", must lie under /media or /share`);
    await expect(access(join(dir, 'etc'))).rejects.toThrow(/ENOENT/);
    await expect(access(join(dir, 'api'))).rejects.toThrow(/ENOENT/);
  });
});

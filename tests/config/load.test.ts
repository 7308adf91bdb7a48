import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, isAddon, loadConfig, parseOptions, withoutDriveAliases } from '../../src/config/index.js';
import { makeTempDir } from '../helpers/tmp.js';

function problems(raw: unknown): readonly string[] {
  try {
    parseOptions(raw, '/data/options.json');
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('options', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => ({ dir, cleanup } = await makeTempDir()));
  afterEach(async () => cleanup());

  it('gives every option its default', () => {
    const config = parseOptions({}, '/data/options.json');
    expect(config.drives).toEqual(['/dev/sr0']);
    expect(config.output_dir).toBe('/media/disk2iso');
    expect(config.poll_drive_interval).toBe(20);
    expect(config.poll_media_interval).toBe(2);
    expect(config.poll_removal_interval).toBe(5);
    expect(config.duplicate_policy).toBe('suffix');
    expect(config.checksum).toBe('sha256');
    expect(config.driveSpecs).toEqual([{ kind: 'device', id: 'sr0', path: '/dev/sr0' }]);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('names the option, the value and what is allowed, one line per problem', () => {
    expect(problems({ checksum: 'sha1' })).toEqual(['option "checksum": got "sha1", allowed: sha256, md5, both, none']);
    expect(problems({ verify: 'yes' })).toEqual(['option "verify": got "yes", expected boolean']);
    const many = problems({ read_retries: 99, output_dir: 'relative', colour: 'red' });
    expect(many).toHaveLength(3);
    expect(many.join('\n')).toMatch(/option "read_retries": got 99, must be at most 20/);
    expect(many.join('\n')).toMatch(/option "output_dir": got "relative", must be an absolute path/);
    expect(many.join('\n')).toMatch(/unknown option\(s\) "colour"/);
  });

  it('rejects drive paths that are not devices and duplicate drive ids', () => {
    expect(problems({ drives: ['sr0'] })[0]).toMatch(/drives.0": got "sr0", expected a device path/);
    expect(problems({ drives: ['/dev/sr0', '/dev/sr0'] })[0]).toMatch(/used twice/);
    expect(parseOptions({ drives: ['sim:/tmp/x/sim0', '/dev/sr1'] }, 'x').driveSpecs).toEqual([
      { kind: 'simulated', id: 'sim0', folder: '/tmp/x/sim0' },
      { kind: 'device', id: 'sr1', path: '/dev/sr1' },
    ]);
  });

  it('watches extra_drives after drives, each drive once', () => {
    const config = parseOptions({ drives: ['/dev/sr0', '/dev/sr1'], extra_drives: ['/dev/sr1', '/dev/disk/by-id/usb-HL-DT-ST_DVD-0:0', '/dev/sr2'] }, 'x');
    expect(config.driveSpecs).toEqual([
      { kind: 'device', id: 'sr0', path: '/dev/sr0' },
      { kind: 'device', id: 'sr1', path: '/dev/sr1' },
      { kind: 'device', id: 'usb-HL-DT-ST_DVD-0_0', path: '/dev/disk/by-id/usb-HL-DT-ST_DVD-0:0' },
      { kind: 'device', id: 'sr2', path: '/dev/sr2' },
    ]);
    expect(parseOptions({}, 'x').extra_drives).toEqual([]);
    expect(problems({ extra_drives: ['sim:/tmp/sim1'] })[0]).toMatch(/extra_drives.0": got "sim:\/tmp\/sim1", expected a device path/);
    expect(problems({ drives: ['/dev/sr2'], extra_drives: ['/dev/other/sr2'] })[0]).toMatch(/extra_drives.0".*"sr2" is used twice/);
  });

  it('leaves out a drive that is a link to one listed before it; an unresolvable path stands for itself', async () => {
    const links: Record<string, string> = { '/dev/disk/by-id/ata-DRIVE': '/dev/sr0', '/dev/cdrom': '/dev/sr3' };
    const resolve = (path: string): Promise<string> =>
      path === '/dev/sr1' ? Promise.reject(Object.assign(new Error('absent'), { code: 'ENOENT' })) : Promise.resolve(links[path] ?? path);
    const config = parseOptions({ drives: ['/dev/sr0', '/dev/sr1', 'sim:/tmp/sim0'], extra_drives: ['/dev/disk/by-id/ata-DRIVE', '/dev/cdrom', '/dev/sr2'] }, 'x');
    const deduped = await withoutDriveAliases(config, resolve);
    expect(deduped.driveSpecs.map((d) => d.id)).toEqual(['sr0', 'sr1', 'sim0', 'cdrom', 'sr2']);
    expect(Object.isFrozen(deduped)).toBe(true);
    const plain = parseOptions({}, 'x');
    expect(await withoutDriveAliases(plain, resolve)).toBe(plain);
  });

  it('reads the file; a missing file means defaults, broken JSON is a clear error', async () => {
    const path = join(dir, 'options.json');
    expect((await loadConfig(path)).auto_copy).toBe(true);
    await writeFile(path, '{"auto_copy": false}');
    expect((await loadConfig(path)).auto_copy).toBe(false);
    await writeFile(path, '{"auto_copy": fal');
    await expect(loadConfig(path)).rejects.toThrow(/options file is not valid JSON/);
  });
});

describe('output_dir in the add-on', () => {
  const problems = (outputDir: string, addon: boolean): readonly string[] => {
    try {
      parseOptions({ output_dir: outputDir }, '/data/options.json', { addon });
      return [];
    } catch (error) {
      if (error instanceof ConfigError) return error.problems;
      throw error;
    }
  };

  it.each(['/media/disk2iso', '/media', '/share/iso/archive', '/share/'])('accepts %s', (dir) => {
    expect(problems(dir, true)).toEqual([]);
  });

  it.each(['/etc/disk2iso', '/', '/data/images', '/media/../etc', '/mediax', '/share2/iso'])('refuses %s with one line naming the option', (dir) => {
    expect(problems(dir, true)).toEqual([
      `option "output_dir": got ${JSON.stringify(dir)}, must lie under /media or /share (the folders Home Assistant shares with the add-on)`,
    ]);
  });

  it('leaves development runs and tests free to use any absolute folder', () => {
    expect(problems('/tmp/out', false)).toEqual([]);
  });

  it('takes SUPERVISOR_TOKEN as the sign of running as an add-on', () => {
    expect(isAddon({ SUPERVISOR_TOKEN: 'abc' })).toBe(true);
    expect(isAddon({ SUPERVISOR_TOKEN: '' })).toBe(false);
    expect(isAddon({})).toBe(false);
  });
});

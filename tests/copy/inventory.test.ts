import { mkdir, symlink, writeFile, chmod, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeTools, TOOL_NAMES, versionLine } from '../../src/copy/index.js';
import { tempDir } from './helpers.js';

describe('probeTools', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await tempDir('tools-');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('finds only the tools on the given PATH (symlinks to the real ones) and reports the others missing', async () => {
    const bin = join(dir, 'bin');
    await mkdir(bin, { recursive: true });
    for (const tool of ['cd-paranoia', 'flac', 'genisoimage'] as const) {
      const { stdout } = await execa('sh', ['-c', `command -v ${tool}`]);
      await symlink(stdout.trim(), join(bin, tool));
    }
    // Not executable: not a tool.
    await writeFile(join(bin, 'dvdbackup'), '#!/bin/sh\n');
    await chmod(join(bin, 'dvdbackup'), 0o644);

    const found = await probeTools({ path: bin, libraryDirs: [join(dir, 'nolibs')] });
    expect(Object.keys(found.tools).sort()).toEqual([...TOOL_NAMES].sort());
    expect(found.tools['cd-paranoia']).toMatch(/cdparanoia III release 10\.2 libcdio/);
    expect(found.tools.flac).toMatch(/^flac \d+\.\d+/);
    expect(found.tools.genisoimage).toMatch(/genisoimage/);
    const missing = TOOL_NAMES.filter((t) => found.tools[t] === null).sort();
    expect(missing).toEqual(['cd-info', 'cdparanoia', 'ddrescue', 'dvdbackup', 'eject', 'lame', 'xorriso']);
    expect(found.libdvdcss).toBeNull();
  });

  it('reports a tool that prints no version as installed, and finds libdvdcss with its version', async () => {
    const bin = join(dir, 'quiet');
    await mkdir(bin, { recursive: true });
    await writeFile(join(bin, 'lame'), '#!/bin/sh\nexit 1\n');
    await chmod(join(bin, 'lame'), 0o755);
    const libs = join(dir, 'libs');
    await mkdir(libs, { recursive: true });
    await writeFile(join(libs, 'libdvdcss.so.2.2.0'), '');
    await symlink('libdvdcss.so.2.2.0', join(libs, 'libdvdcss.so.2'));

    const found = await probeTools({ path: `relative/bin:${bin}`, libraryDirs: [join(dir, 'nolibs'), libs] });
    expect(found.tools.lame).toBe('installed (version unknown)');
    expect(found.tools.flac).toBeNull();
    expect(found.libdvdcss).toBe('2.2.0');
  });

  it('takes the first line with a version number', () => {
    expect(versionLine('\n  Usage: x\nxorriso 1.5.6 : RockRidge\n')).toBe('xorriso 1.5.6 : RockRidge');
    expect(versionLine('no digits here\n')).toBe('no digits here');
    expect(versionLine('  \n')).toBeNull();
  });
});

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { makeTempDir } from '../helpers/tmp.js';
import { addonConfig, readText, requireTool, REPO } from './support.js';

const profile = readText('apparmor.txt');
/** The rules, without comments and blank lines. */
const rules = profile
  .split('\n')
  .map((l) => l.replace(/(^|\s)#(?!include).*$/, '').trim())
  .filter(Boolean);

/** File rules as [path, permissions]; `deny` rules are left out. */
const fileRules = rules
  .map((r) => /^(?!deny\b)(\/\S*|@\{PROC\}\S*)\s+([rwlkmixuUpPcC]+)\s*(?:->\s*\S+\s*)?,$/.exec(r))
  .filter((m): m is RegExpExecArray => m !== null)
  .map((m) => [m[1] ?? '', m[2] ?? ''] as const);

function permsFor(path: string): string {
  return fileRules.filter(([p]) => p === path).map(([, perms]) => perms).join('');
}

describe('apparmor.txt', () => {
  it('defines one profile named after the slug, with balanced braces', () => {
    const profiles = [...profile.matchAll(/^\s*profile\s+(\S+)/gm)].map((m) => m[1]);
    expect(profiles).toEqual([addonConfig().slug]);
    let depth = 0;
    for (const ch of profile.replace(/#.*$/gm, '')) {
      if (ch === '{') depth += 1;
      if (ch === '}') depth -= 1;
      expect(depth).toBeGreaterThanOrEqual(0);
    }
    expect(depth).toBe(0);
    expect(profile).toMatch(/^#include <tunables\/global>/m);
    expect(profile).toMatch(/flags=\(attach_disconnected,mediate_deleted\)/);
  });

  it('allows what disk2iso needs', () => {
    for (const path of ['/data/**', '/media/**', '/share/**', '/tmp/**']) expect(permsFor(path), path).toMatch(/r.*w|w.*r/);
    expect(permsFor('/dev/sr[0-9]*')).toMatch(/rw/);
    expect(permsFor('/app/**')).toBe('r');
    expect(permsFor('/usr/bin/**')).toMatch(/x/); // node and the disc tools
    // s6-overlay's /init is a #!/bin/sh script: the shell must read it (the image test boots it).
    expect(permsFor('/init')).toMatch(/r.*x/);
    expect(permsFor('/command/**')).toMatch(/x/);
    expect(permsFor('/run/{s6,s6-rc*,service}/**')).toMatch(/x/);
    expect(rules).toContain('network inet stream,');
    expect(rules).toContain('network inet6 stream,');
    // The Supervisor renames the profile to <repository hash>_disk2iso: peers by variable.
    expect(rules).toContain('signal (send, receive) peer=@{profile_name},');
    expect(rules.filter((r) => /peer=\(?(label=)?disk2iso\b/.test(r))).toEqual([]);
  });

  it('has no blanket rules', () => {
    const blanket = rules.filter(
      (r) =>
        /^(file|capability|network|mount|umount|remount|pivot_root|ptrace|unix|signal|dbus)\s*,$/.test(r) ||
        /^\/\*\*\s/.test(r) ||
        /^\/\{,\*\*\}\s/.test(r) ||
        /^\/dev\/\*\*\s+\S*w/.test(r) ||
        /^\/sys\/\*\*\s+\S*w/.test(r) ||
        /^capability\s+sys_(admin|rawio|module|ptrace)\b/.test(r),
    );
    expect(blanket).toEqual([]);
  });

  it('writes nothing outside its data, output and temporary folders, /run and a few devices', () => {
    const writable = fileRules.filter(([, perms]) => perms.includes('w')).map(([path]) => path);
    const allowed = [/^\/data\//, /^\/media\//, /^\/share\//, /^\/tmp\//, /^\/run\//, /^\/dev\/(sr|null|full|tty|pts\/|shm\/)/];
    expect(writable.filter((p) => !allowed.some((re) => re.test(p)))).toEqual([]);
  });

  const HAS_PARSER = requireTool('apparmor_parser', 'apparmor');
  const parse = (file: string) =>
    execa('apparmor_parser', ['--skip-kernel-load', '--skip-cache', '--quiet', file], { cwd: REPO, reject: false, all: true });

  it.skipIf(!HAS_PARSER)('is accepted by apparmor_parser (parse only, nothing loaded)', async () => {
    const result = await parse('apparmor.txt');
    expect(result.exitCode, result.all).toBe(0);
  });

  it.skipIf(!HAS_PARSER)('the parser check can fail', async () => {
    const { dir, cleanup } = await makeTempDir('disk2iso-apparmor-');
    try {
      const broken = join(dir, 'apparmor.txt');
      await writeFile(broken, profile.replace('/data/** rwk,', '/data/** rwq,'));
      expect((await parse(broken)).exitCode).not.toBe(0);
    } finally {
      await cleanup();
    }
  });
});

import { describe, expect, it } from 'vitest';
import { inventoryOf, TOOL_NAMES, type ToolName } from '../../src/copy/index.js';
import { chooseMethod, methodsInEffect, type MethodDisc, type MethodOptions } from '../../src/machine/index.js';

const ALL = TOOL_NAMES;
const without = (...missing: ToolName[]) => ALL.filter((t) => !missing.includes(t));
const DEVICE = '/dev/sr0';
const OPTIONS: MethodOptions = { dvdVideoMode: 'decrypt', audioFormat: 'flac', audioOutput: 'folder', verify: false };
const TOC = { firstTrack: 1, lastTrack: 2, leadOut: 900, tracks: [{ number: 1, start: 0, type: 'audio' as const }, { number: 2, start: 450, type: 'audio' as const }] };

function disc(type: string, over: Partial<MethodDisc> = {}): MethodDisc {
  return { type, label: 'X', sizeBytes: 1024, toc: type === 'audio-cd' ? TOC : null, album: null, ...over };
}

describe('chooseMethod: DVD-Video', () => {
  const dvd = (cssEncrypted: boolean | null) => disc('dvd-video', { cssEncrypted });

  it('backs up with dvdbackup (libdvdcss) when everything is there, encrypted or not', () => {
    for (const css of [true, false, null]) {
      expect(chooseMethod(dvd(css), OPTIONS, DEVICE, inventoryOf(ALL, '1.4.3'))).toEqual({
        kind: 'dvdbackup',
        name: 'dvdbackup (libdvdcss)',
        devicePath: DEVICE,
        verify: false,
        warnings: [],
      });
    }
  });

  it('without libdvdcss: dvdbackup for a clear disc, raw with the warning for an encrypted or unknown one', () => {
    expect(chooseMethod(dvd(false), OPTIONS, DEVICE, inventoryOf(ALL))).toMatchObject({ kind: 'dvdbackup', name: 'dvdbackup', warnings: [] });
    for (const css of [true, null, undefined]) {
      expect(chooseMethod(disc('dvd-video', css === undefined ? {} : { cssEncrypted: css }), OPTIONS, DEVICE, inventoryOf(ALL))).toEqual({
        kind: 'block',
        name: 'raw (libdvdcss not available)',
        warnings: ['libdvdcss not available: encrypted DVD-Video copied raw'],
      });
    }
  });

  it('dvdbackup or genisoimage missing → exact raw copy naming the missing package, libdvdcss or not', () => {
    for (const missing of ['dvdbackup', 'genisoimage'] as const) {
      for (const css of ['1.4.3', null]) {
        const chosen = chooseMethod(dvd(false), OPTIONS, DEVICE, inventoryOf(without(missing), css));
        expect(chosen).toEqual({ kind: 'block', name: `raw (${missing} not installed)`, warnings: [`${missing} is not installed (package '${missing}'): DVD-Video copied raw`] });
      }
    }
    expect(chooseMethod(dvd(false), OPTIONS, DEVICE, inventoryOf(without('dvdbackup', 'genisoimage')))).toMatchObject({ name: 'raw (dvdbackup not installed)' });
  });

  it('raw mode never warns, whatever is missing', () => {
    expect(chooseMethod(dvd(true), { ...OPTIONS, dvdVideoMode: 'raw' }, DEVICE, inventoryOf([]))).toEqual({ kind: 'block', name: 'raw', warnings: [] });
  });

  it('verify needs xorriso: without it the backup runs unverified with a warning', () => {
    const verify = { ...OPTIONS, verify: true };
    expect(chooseMethod(dvd(false), verify, DEVICE, inventoryOf(ALL))).toMatchObject({ kind: 'dvdbackup', verify: true, warnings: [] });
    expect(chooseMethod(dvd(false), verify, DEVICE, inventoryOf(without('xorriso')))).toMatchObject({
      kind: 'dvdbackup',
      verify: false,
      warnings: ["xorriso is not installed (package 'xorriso'): the new image is not compared with the disc's files"],
    });
  });

  it('a drive without a device path is copied raw with a warning', () => {
    expect(chooseMethod(dvd(false), OPTIONS, null, inventoryOf(ALL, '1.4.3'))).toMatchObject({ kind: 'block', name: 'raw (no device path)' });
  });
});

describe('chooseMethod: audio CD', () => {
  it('prefers libcdio cd-paranoia, falls back to cdparanoia, and is an error without either', () => {
    expect(chooseMethod(disc('audio-cd'), OPTIONS, DEVICE, inventoryOf(ALL))).toMatchObject({ kind: 'audio', ripper: 'cd-paranoia', name: 'cd-paranoia + flac', warnings: [] });
    expect(chooseMethod(disc('audio-cd'), OPTIONS, DEVICE, inventoryOf(without('cd-paranoia')))).toMatchObject({ ripper: 'cdparanoia', name: 'cdparanoia + flac' });
    expect(chooseMethod(disc('audio-cd'), OPTIONS, DEVICE, inventoryOf(without('cd-paranoia', 'cdparanoia')))).toEqual({
      error: {
        code: 'no_ripper',
        params: { package: 'cd-paranoia', alt_package: 'cdparanoia' },
        text: "Audio CD not ripped: neither cd-paranoia (package 'cd-paranoia') nor cdparanoia (package 'cdparanoia') is installed",
      },
    });
  });

  it('a missing encoder never makes a lossless rip lossy: flac → WAV, lame → FLAC, neither → WAV', () => {
    const mp3 = { ...OPTIONS, audioFormat: 'mp3' as const };
    const cases: [MethodOptions, ToolName[], string, string][] = [
      [OPTIONS, without('flac'), 'wav', "flac is not installed (package 'flac'): tracks kept as WAV (lossless, not encoded)"],
      [OPTIONS, without('flac', 'lame'), 'wav', "flac is not installed (package 'flac'): tracks kept as WAV (lossless, not encoded)"],
      [mp3, without('lame'), 'flac', "lame is not installed (package 'lame'): tracks encoded as FLAC instead of MP3"],
      [mp3, without('lame', 'flac'), 'wav', "lame is not installed (package 'lame') and neither is flac: tracks kept as WAV (not encoded)"],
    ];
    for (const [options, tools, format, warning] of cases) {
      expect(chooseMethod(disc('audio-cd'), options, DEVICE, inventoryOf(tools))).toMatchObject({ format, warnings: [warning] });
    }
    expect(chooseMethod(disc('audio-cd'), mp3, DEVICE, inventoryOf(without('flac')))).toMatchObject({ format: 'mp3', name: 'cd-paranoia + lame (mp3)', warnings: [] });
  });

  it('ISO output without genisoimage becomes a folder; verify without xorriso is skipped', () => {
    const iso = { ...OPTIONS, audioOutput: 'iso' as const, verify: true };
    expect(chooseMethod(disc('audio-cd'), iso, DEVICE, inventoryOf(ALL))).toMatchObject({ output: 'iso', verify: true, warnings: [] });
    expect(chooseMethod(disc('audio-cd'), iso, DEVICE, inventoryOf(without('genisoimage')))).toMatchObject({
      output: 'folder',
      verify: false,
      warnings: ["genisoimage is not installed (package 'genisoimage'): the album is kept as a folder instead of an ISO image"],
    });
    expect(chooseMethod(disc('audio-cd'), iso, DEVICE, inventoryOf(without('xorriso')))).toMatchObject({ output: 'iso', verify: false, warnings: [expect.stringContaining('xorriso is not installed')] });
  });

  it('cd-info missing warns only when the names would have come from CD-TEXT', () => {
    const noCdInfo = inventoryOf(without('cd-info'));
    expect(chooseMethod(disc('audio-cd'), OPTIONS, DEVICE, noCdInfo)).toMatchObject({
      warnings: [`cd-info is not installed (package 'libcdio-utils'): no CD-TEXT names, tracks named "Track NN"`],
    });
    const named = disc('audio-cd', { album: { album: 'A', artist: 'B', year: null, tracks: [] } });
    expect(chooseMethod(named, OPTIONS, DEVICE, noCdInfo)).toMatchObject({ warnings: [] });
  });

  it('needs a real drive', () => {
    expect(chooseMethod(disc('audio-cd'), OPTIONS, null, inventoryOf(ALL))).toHaveProperty('error');
  });
});

describe('chooseMethod: data and Blu-ray', () => {
  it('use no external tool: the built-in copy and rescue, never a warning (ddrescue is not needed)', () => {
    for (const type of ['cd-rom', 'dvd-rom', 'bd-rom', 'data', 'unknown']) {
      expect(chooseMethod(disc(type), OPTIONS, DEVICE, inventoryOf([]))).toEqual({ kind: 'block', name: 'block-copy', warnings: [] });
    }
    expect(chooseMethod(disc('bd-video'), OPTIONS, DEVICE, inventoryOf([]))).toEqual({ kind: 'block', name: 'raw', warnings: [] });
  });
});

describe('methodsInEffect', () => {
  it('summarises what each kind of disc gets, fallbacks included', () => {
    expect(methodsInEffect(OPTIONS, inventoryOf(ALL))).toEqual({
      data: 'block-copy',
      'dvd-video (encrypted)': 'raw (libdvdcss not available); libdvdcss not available: encrypted DVD-Video copied raw',
      'dvd-video (unencrypted)': 'dvdbackup',
      'bd-video': 'raw',
      'audio-cd': 'cd-paranoia + flac',
    });
    const bare = methodsInEffect(OPTIONS, inventoryOf([]));
    expect(bare['audio-cd']).toMatch(/^Audio CD not ripped/);
    expect(bare['dvd-video (unencrypted)']).toBe("raw (dvdbackup not installed); dvdbackup is not installed (package 'dvdbackup'): DVD-Video copied raw");
  });
});

import { describe, expect, it } from 'vitest';
import { folderCheckDetail, manifestName, parseManifest } from '../../src/util/checksum-manifest.js';

const A = 'a'.repeat(64);
const B = 'B'.repeat(64);

describe('parseManifest', () => {
  it('reads sha256sum lines (text and binary mode), skips blank lines, lower-cases the digest', () => {
    expect(parseManifest(`${A}  01 - Intro.flac\n\n${B} *cd 2/02 - Song.flac\n`, 'sha256')).toEqual({
      entries: [
        { path: '01 - Intro.flac', digest: A },
        { path: 'cd 2/02 - Song.flac', digest: 'b'.repeat(64) },
      ],
      invalid: 0,
    });
  });

  it("undoes coreutils' escaping of names with a backslash or a newline", () => {
    expect(parseManifest(`\\${A}  back\\\\slash\\nnew line.flac\n`, 'sha256').entries).toEqual([{ path: 'back\\slash\nnew line.flac', digest: A }]);
  });

  it('never names a file outside the folder: absolute paths and . or .. segments are invalid lines', () => {
    const text = [`${A}  /etc/shadow`, `${A}  ../other/01.flac`, `${A}  a/../../x`, `${A}  a/./b`, `${A}  a//b`, `${A}  ok.flac`].join('\n');
    expect(parseManifest(text, 'sha256')).toEqual({ entries: [{ path: 'ok.flac', digest: A }], invalid: 5 });
  });

  it('reads the ./-prefixed names that find . -exec sha256sum writes as the same files', () => {
    expect(parseManifest(`${A}  ./cd 1/01.flac\n${A}  ./../x\n`, 'sha256')).toEqual({ entries: [{ path: 'cd 1/01.flac', digest: A }], invalid: 1 });
  });

  it('counts lines that are not checksum lines of the algorithm as invalid', () => {
    const md5 = 'c'.repeat(32);
    expect(parseManifest(`${md5}  short.flac\nnot a line\n${A}x  long.flac\n`, 'sha256')).toEqual({ entries: [], invalid: 3 });
    expect(parseManifest(`${md5}  short.flac\n`, 'md5').entries).toEqual([{ path: 'short.flac', digest: md5 }]);
  });

  it('skips the manifests themselves (a manifest written twice lists itself)', () => {
    expect(parseManifest(`${A}  checksums.sha256\n${A}  checksums.md5\n${A}  01.flac\n`, 'sha256')).toEqual({ entries: [{ path: '01.flac', digest: A }], invalid: 0 });
  });

  it('names the manifest by algorithm', () => {
    expect([manifestName('sha256'), manifestName('md5')]).toEqual(['checksums.sha256', 'checksums.md5']);
  });
});

describe('folderCheckDetail', () => {
  it('is null when nothing failed, and names at most five files', () => {
    expect(folderCheckDetail([], 12)).toBeNull();
    expect(folderCheckDetail(['a', 'b'], 12)).toBe('2 of 12 file(s) do not match the manifest: a, b');
    expect(folderCheckDetail(['1', '2', '3', '4', '5', '6', '7'], 12)).toBe('7 of 12 file(s) do not match the manifest: 1, 2, 3, 4, 5 and 2 more');
  });
});

import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileSectorSource, identifyDisc, safeFileName, type SectorSource } from '../../src/disc/index.js';
import { identifyFile, makeTmpDir, mkudffs, run, writeTree } from './helpers.js';
import { requireTools } from '../helpers/ci.js';

const UTF8_LABEL = 'Ünïcødé Holiday Disc 2024'; // 25 characters, 32 bytes in UTF-8
const JOLIET_CUT = 'Ünïcødé Holiday'; // what 16 UCS-2 characters leave of it, trimmed

/** Overwrites `bytes.length` bytes of `path` at `offset` (damaging or re-labelling a real image). */
async function patch(path: string, offset: number, bytes: Buffer): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.write(bytes, 0, bytes.length, offset);
  } finally {
    await handle.close();
  }
}

/** A 32-byte ISO 9660 volume id field: `text` in `encoding`, padded with spaces. */
function volumeIdField(text: string, encoding: 'latin1' | 'utf8'): Buffer {
  const field = Buffer.alloc(32, 0x20);
  Buffer.from(text, encoding).copy(field);
  return field;
}

/** The image's sectors, except that every read touching `bad` fails like a scratched sector. */
function withBadSector(path: string, bad: number): SectorSource {
  const read = fileSectorSource(path);
  return (lba, count) => (lba <= bad && bad < lba + count ? Promise.reject(new Error('EIO: medium error')) : read(lba, count));
}

const HAS_TOOLS = requireTools(['genisoimage', 'xorriso', 'mkudffs'], 'genisoimage xorriso udftools');

describe.skipIf(!HAS_TOOLS)('labels from every descriptor (images made by genisoimage, xorriso, mkudffs)', () => {
  let dir = '';
  let cleanup = async (): Promise<void> => {};
  const path = (name: string): string => join(dir, name);
  const genisoimage = (name: string, label: string, extra: readonly string[] = ['-J']): Promise<string> =>
    run('genisoimage', ['-quiet', ...extra, '-V', label, '-o', path(name), path('src')]);

  beforeAll(async () => {
    ({ dir, cleanup } = await makeTmpDir('labels'));
    await writeTree(path('src'), { 'README.TXT': 'hello\n', 'PHOTOS/A.TXT': 'a\n' });
  });
  afterAll(() => cleanup());

  it.each([
    ['genisoimage', ['genisoimage', '-quiet']],
    ['xorriso', ['xorriso', '-as', 'mkisofs', '-quiet']],
  ])('decodes a UTF-8 primary label as UTF-8 and prefers it to the cut Joliet one (%s)', async (tool, command) => {
    const [cmd = '', ...args] = command;
    await run(cmd, [...args, '-J', '-V', UTF8_LABEL, '-o', path(`${tool}.iso`), path('src')]);
    const id = await identifyFile(path(`${tool}.iso`));
    expect(id.labels).toMatchObject({ primary: UTF8_LABEL, joliet: JOLIET_CUT });
    expect(id).toMatchObject({ label: UTF8_LABEL, volumeId: UTF8_LABEL, filesystem: 'iso9660+joliet' });
    expect(safeFileName(id.label, 'disc')).toBe('Ünïcødé_Holiday_Disc_2024');
  });

  it('keeps all of a long ASCII label that Joliet cuts at 16 characters', async () => {
    await genisoimage('long.iso', 'MY_SUMMER_HOLIDAY_PHOTOS_2024');
    const id = await identifyFile(path('long.iso'));
    expect(id.labels.joliet).toBe('MY_SUMMER_HOLIDA');
    expect(id.label).toBe('MY_SUMMER_HOLIDAY_PHOTOS_2024');
  });

  it('decodes a primary label that is not UTF-8 as Latin-1', async () => {
    await genisoimage('latin1.iso', 'PLACEHOLDER', []);
    await patch(path('latin1.iso'), 16 * 2048 + 40, volumeIdField('Café Crème', 'latin1'));
    const id = await identifyFile(path('latin1.iso'));
    expect(id.label).toBe('Café Crème');
  });

  it('prefers the Joliet label when it has characters the primary one lacks', async () => {
    await genisoimage('cafe.iso', 'Café Disc');
    await patch(path('cafe.iso'), 16 * 2048 + 40, volumeIdField('CAFE_DISC', 'latin1'));
    const id = await identifyFile(path('cafe.iso'));
    expect(id.labels).toMatchObject({ primary: 'CAFE_DISC', joliet: 'Café Disc' });
    expect(id.label).toBe('Café Disc');
  });

  it('takes the label from the Joliet descriptor when the primary descriptor at sector 16 is corrupt', async () => {
    await genisoimage('corrupt-pvd.iso', UTF8_LABEL);
    const size = (await stat(path('corrupt-pvd.iso'))).size;
    await patch(path('corrupt-pvd.iso'), 16 * 2048, Buffer.alloc(2048, 0xa5));
    const id = await identifyFile(path('corrupt-pvd.iso'));
    expect(id).toMatchObject({ type: 'cd-rom', label: JOLIET_CUT, filesystem: 'iso9660+joliet', sizeBytes: size });
    expect(id.labels.primary).toBeNull();
    expect(safeFileName(id.label, 'disc_2026-11-30')).toBe('Ünïcødé_Holiday');
  });

  it('takes the label from the Joliet descriptor when sector 16 cannot be read at all', async () => {
    await genisoimage('unreadable-pvd.iso', UTF8_LABEL);
    const size = (await stat(path('unreadable-pvd.iso'))).size;
    const id = await identifyDisc(withBadSector(path('unreadable-pvd.iso'), 16), { discKind: 'data', toc: null, mediumBytes: size });
    expect(id).toMatchObject({ type: 'cd-rom', label: JOLIET_CUT, filesystem: 'iso9660+joliet', sizeBytes: size });
    expect(id.warnings.some((w) => w.startsWith('read error at sector 16'))).toBe(true);
  });

  it('takes the full UDF label of a bridge disc whose primary descriptor is corrupt', async () => {
    await genisoimage('bridge.iso', UTF8_LABEL, ['-J', '-udf']);
    await patch(path('bridge.iso'), 16 * 2048, Buffer.alloc(2048, 0));
    const id = await identifyFile(path('bridge.iso'));
    expect(id.labels).toMatchObject({ primary: null, joliet: JOLIET_CUT, udf: UTF8_LABEL });
    expect(id.label).toBe(UTF8_LABEL);
  });

  it('reads the UDF logical volume id in full, and the file set id', async () => {
    const label = 'Ünïcødé Holiday Disc 2024 on a UDF volume';
    await mkudffs(path('long.udf'), 4 * 1024 * 1024, ['--media-type=hd', `--lvid=${label}`, '--vid=HOLIDAY', '--fsid=Holiday photos']);
    const id = await identifyFile(path('long.udf'));
    expect(id.labels).toMatchObject({ primary: null, joliet: null, udf: label, udfFileSet: 'Holiday photos' });
    expect(id.label).toBe(label);
  });

  it('removes bidi controls and invisible characters from labels', async () => {
    await genisoimage('bidi.iso', 'Fotos\u202egpj.exe\u2066\u200f');
    const id = await identifyFile(path('bidi.iso'));
    for (const label of [id.label, id.labels.primary, id.labels.joliet]) expect(label).toBe('Fotosgpj.exe');
    expect(safeFileName(id.label, 'disc')).toBe('Fotosgpj.exe');
  });
});

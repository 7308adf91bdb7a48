import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DISC_TYPES } from '../../src/contract/index.js';
import { identifyDisc, type DiscIdentification, type SectorSource } from '../../src/disc/index.js';
import { crcItuT } from '../../src/disc/udf-tag.js';
import { HEX64, makeTmpDir, mkudffs, run, writeTree } from './helpers.js';
import { requireTools } from '../helpers/ci.js';
import { BD_TREE } from './trees.js';
import { addMetadataPartition } from './udf-metadata-patch.js';

const S = 2048;
const FILESYSTEMS = [null, 'iso9660', 'iso9660+joliet', 'udf', 'iso9660+udf', 'iso9660+joliet+udf'];
/** Hang guard only (identification of these small images takes milliseconds): not a timing assertion. */
const HANG_GUARD_MS = 30_000;

/** An in-memory medium that counts what it is asked for. */
function memorySource(image: Buffer): { read: SectorSource; sectorsRequested: () => number } {
  let requested = 0;
  return {
    read: (lba, count) => {
      requested += count;
      if (count > 512) return Promise.reject(new RangeError(`asked for ${count} sectors at once`));
      return Promise.resolve(Buffer.from(image.subarray(lba * S, (lba + count) * S)));
    },
    sectorsRequested: () => requested,
  };
}

async function identifyGuarded(image: Buffer): Promise<{ id: DiscIdentification; requested: number }> {
  const source = memorySource(image);
  let timer: NodeJS.Timeout | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('identifyDisc did not settle: hang')), HANG_GUARD_MS);
  });
  try {
    const id = await Promise.race([identifyDisc(source.read, { discKind: 'data', toc: null, mediumBytes: image.length }), guard]);
    return { id, requested: source.sectorsRequested() };
  } finally {
    clearTimeout(timer);
  }
}

function expectWellFormed(id: DiscIdentification, requested: number): void {
  expect(DISC_TYPES).toContain(id.type);
  expect(id.fingerprint).toMatch(HEX64);
  expect(FILESYSTEMS).toContain(id.filesystem);
  expect(id.warnings.length).toBeLessThanOrEqual(20);
  // Parsers degrade by design; an exception caught by the last-resort handler is a parser bug.
  expect(id.warnings.filter((w) => w.startsWith('identification failed') || w.startsWith('fingerprint sectors'))).toEqual([]);
  for (const text of [id.label, id.volumeId]) if (text !== null) expect(text.length).toBeLessThanOrEqual(256);
  if (id.sizeBytes !== null) expect(Number.isSafeInteger(id.sizeBytes) && id.sizeBytes >= 0).toBe(true);
  // The read budget (16384 sectors) plus single-sector retries after errors.
  expect(requested).toBeLessThanOrEqual(16_384 + 64);
}

/** Re-seals a UDF descriptor tag after mutation so the parser goes past validation into the absurd values. */
function resealTag(sector: Buffer): void {
  const id = sector.readUInt16LE(0);
  if (!((id >= 1 && id <= 9) || (id >= 256 && id <= 266))) return;
  const crcLength = Math.min(sector.readUInt16LE(10), S - 16);
  sector.writeUInt16LE(crcLength, 10);
  sector.writeUInt16LE(crcItuT(sector.subarray(16, 16 + crcLength)), 8);
  let sum = 0;
  for (let i = 0; i < 16; i += 1) if (i !== 4) sum += sector[i] ?? 0;
  sector[4] = sum & 0xff;
}

const interesting = fc.constantFrom(0, 1, 2, 16, 255, 256, 2048, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff, 0x3fff_ffff, 0xc000_0000);
const edit = fc.record({
  offset: fc.nat(S - 4),
  value: fc.oneof(interesting, fc.nat({ max: 0xffff_ffff })),
  width: fc.constantFrom(1, 2, 4),
});
const mutation = fc.record({ sector: fc.nat(), edits: fc.array(edit, { minLength: 1, maxLength: 12 }), reseal: fc.boolean() });

function mutate(base: Buffer, hot: readonly number[], mutations: ReadonlyArray<{ sector: number; edits: ReadonlyArray<{ offset: number; value: number; width: number }>; reseal: boolean }>): Buffer {
  const image = Buffer.from(base);
  for (const m of mutations) {
    const index = hot[m.sector % hot.length] ?? 16;
    const sector = image.subarray(index * S, (index + 1) * S);
    for (const e of m.edits) {
      if (e.width === 1) sector.writeUInt8(e.value & 0xff, e.offset);
      else if (e.width === 2) sector.writeUInt16LE(e.value & 0xffff, e.offset);
      else sector.writeUInt32LE(e.value >>> 0, e.offset);
    }
    if (m.reseal) resealTag(sector);
  }
  return image;
}

/** Sectors holding anything: on these tiny images, nearly all of them are filesystem structures. */
function hotSectors(image: Buffer): number[] {
  const hot: number[] = [];
  for (let n = 16; n < image.length / S && hot.length < 800; n += 1) if (image.subarray(n * S, (n + 1) * S).some((b) => b !== 0)) hot.push(n);
  return hot;
}

describe('identifyDisc on random media', () => {
  it('always resolves to a well-formed result', async () => {
    const medium = fc.record({
      sectors: fc.integer({ min: 0, max: 300 }),
      seed: fc.uint8Array({ minLength: 0, maxLength: 4096 }),
      magic: fc.constantFrom('', 'CD001', 'BEA01', 'NSR03'),
    });
    await fc.assert(
      fc.asyncProperty(medium, async ({ sectors, seed, magic }) => {
        const image = Buffer.alloc(sectors * S);
        for (let i = 0; i < image.length && seed.length > 0; i += 1) image[i] = seed[(i * 7919) % seed.length] ?? 0;
        if (magic !== '' && image.length >= 17 * S) image.write(magic, 16 * S + 1, 'latin1');
        const { id, requested } = await identifyGuarded(image);
        expectWellFormed(id, requested);
      }),
      { numRuns: 150 },
    );
  });
});

const HAS_TOOLS = requireTools(['genisoimage', 'xorriso', 'mkudffs', 'truncate'], 'genisoimage xorriso udftools coreutils');

describe.skipIf(!HAS_TOOLS)('identifyDisc on mutated real images', () => {
  let dir = '';
  let cleanup = async (): Promise<void> => {};
  const bases = new Map<string, Buffer>();
  const path = (name: string): string => join(dir, name);

  beforeAll(async () => {
    ({ dir, cleanup } = await makeTmpDir('fuzz'));
    await writeTree(path('bd'), { ...BD_TREE, 'VIDEO_TS/VIDEO_TS.IFO': 'DVDVIDEO-VMG', 'deep/a/b/c/d/e.txt': 'x' });
    await run('genisoimage', ['-quiet', '-udf', '-J', '-R', '-V', 'FUZZ_BRIDGE', '-o', path('bridge.iso'), path('bd')]);
    await run('xorriso', ['-outdev', path('xorriso.iso'), '-volid', 'FUZZ_X', '-joliet', 'on', '-map', path('bd'), '/']);
    await mkudffs(path('bdr.img'), 320 * S, ['--media-type=bdr', '--udfrev=2.50', '--label=FUZZ VAT']);
    await mkudffs(path('dvd.img'), 2 * 1024 * 1024, ['--media-type=dvd', '--label=FUZZ UDF']);
    for (const name of ['bridge.iso', 'xorriso.iso', 'bdr.img', 'dvd.img']) bases.set(name, await readFile(path(name)));
    bases.set('bridge-metadata.iso', addMetadataPartition(bases.get('bridge.iso') ?? Buffer.alloc(0)));
  }, 120_000);
  afterAll(() => cleanup());

  it('identifies the unmutated bases as expected (the fuzzing starts from meaningful images)', async () => {
    expect((await identifyGuarded(bases.get('bridge.iso') ?? Buffer.alloc(0))).id).toMatchObject({ type: 'bd-video', filesystem: 'iso9660+joliet+udf' });
    expect((await identifyGuarded(bases.get('bridge-metadata.iso') ?? Buffer.alloc(0))).id).toMatchObject({ type: 'bd-video', warnings: [] });
    expect((await identifyGuarded(bases.get('bdr.img') ?? Buffer.alloc(0))).id).toMatchObject({ label: 'FUZZ VAT', warnings: [] });
  });

  for (const name of ['bridge.iso', 'bridge-metadata.iso', 'xorriso.iso', 'bdr.img', 'dvd.img']) {
    it(`survives random corruption of ${name}`, async () => {
      const base = bases.get(name);
      if (base === undefined) throw new Error(`no base image ${name}`);
      const hot = hotSectors(base);
      await fc.assert(
        fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (mutations) => {
          const { id, requested } = await identifyGuarded(mutate(base, hot, mutations));
          expectWellFormed(id, requested);
        }),
        { numRuns: Number(process.env.DISC_FUZZ_RUNS ?? 200) },
      );
    });
  }

  it('stays bounded on a self-referencing ISO directory of absurd size', async () => {
    const image = Buffer.from(bases.get('xorriso.iso') ?? Buffer.alloc(0));
    const pvd = image.subarray(16 * S, 17 * S);
    const rootExtent = pvd.readUInt32LE(156 + 2);
    const root = image.subarray(rootExtent * S, (rootExtent + 1) * S);
    // Every subdirectory record now points back at the root with a 4 GiB size.
    for (let offset = 0; offset < S && root[offset] !== 0; offset += root[offset] ?? S) {
      if (((root[offset + 25] ?? 0) & 2) !== 0) {
        root.writeUInt32LE(rootExtent, offset + 2);
        root.writeUInt32LE(0xffff_ffff, offset + 10);
      }
    }
    pvd.writeUInt32LE(0xffff_ffff, 156 + 10);
    const { id, requested } = await identifyGuarded(image);
    expectWellFormed(id, requested);
    expect(id.volumeId).toBe('FUZZ_X');
  });
});

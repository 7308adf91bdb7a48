import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatMapfile, MapfileError, parseMapfile, type MapBlock } from '../../src/copy/index.js';
import { RescueMap } from '../../src/copy/rescue-map.js';
import { tempDir } from './helpers.js';

const DDRESCUE_127 = `# Mapfile. Created by GNU ddrescue version 1.27
# Command line: ddrescue -d -r3 /dev/sr0 disc.iso disc.map
# Start time:   2024-05-01 10:00:00
# Current time: 2024-05-01 10:20:00
# Finished
# current_pos  current_status  current_pass
0x00200000     +               1
#      pos        size  status
0x00000000  0x00100000  +
0x00100000  0x00000800  -
0x00100800  0x000FF800  +
`;

describe('mapfile format', () => {
  it('parses a GNU ddrescue 1.27 mapfile', () => {
    expect(parseMapfile(DDRESCUE_127)).toEqual({
      currentPos: 0x200000,
      currentStatus: '+',
      currentPass: 1,
      blocks: [
        { pos: 0, size: 0x100000, status: '+' },
        { pos: 0x100000, size: 0x800, status: '-' },
        { pos: 0x100800, size: 0xff800, status: '+' },
      ],
    });
  });

  it('accepts old mapfiles without current_pass and decimal numbers', () => {
    expect(parseMapfile('# old\n0 ?\n0 4096 ?\n4096 2048 *\n')).toMatchObject({ currentPass: 1, blocks: [{ pos: 0, size: 4096, status: '?' }, { pos: 4096, size: 2048, status: '*' }] });
  });

  it.each([
    ['', /no status line/],
    ['0x0 X 1\n', /line 1: unknown current status 'X'/],
    ['0x0 ? 1\n0x0 0x800 ?\n0x1000 0x800 +\n', /line 3: block at 4096 does not follow the previous one \(expected 2048\)/],
    ['0x0 ? 1\n0x0 0x0 ?\n', /block size must be positive/],
    ['0x0 ? 1\n0x0 0x800 x\n', /unknown block status 'x'/],
    ['0x0 ? 1\n0x0 zz ?\n', /size 'zz' is not a number/],
    ['0x0 ? 1\n0x0 0xFFFFFFFFFFFFFFFF ?\n', /too large/],
  ])('rejects %j', (text, message) => {
    expect(() => parseMapfile(text)).toThrow(MapfileError);
    expect(() => parseMapfile(text)).toThrow(message);
  });

  it('round-trips through format and parse', () => {
    const blocks = fc.array(fc.record({ size: fc.integer({ min: 1, max: 1e12 }), status: fc.constantFrom('?', '*', '/', '-', '+' as const) }), { minLength: 1, maxLength: 30 });
    fc.assert(
      fc.property(blocks, fc.constantFrom('?', '*', '/', '-', '+', 'F', 'G' as const), fc.nat(), (raw, status, pos) => {
        let at = 0;
        const list: MapBlock[] = raw.map((b) => {
          const block = { pos: at, size: b.size, status: b.status };
          at += b.size;
          return block;
        });
        const map = { currentPos: pos, currentStatus: status, currentPass: 2, blocks: list };
        expect(parseMapfile(formatMapfile(map, { commandLine: 'x\ny', started: new Date(), now: new Date() }))).toEqual(map);
      }),
    );
  });

  describe('with the real ddrescuelog', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await tempDir('map-');
    });
    afterAll(async () => {
      await execa('rm', ['-rf', dir]);
    });

    it('reads our mapfile: bad blocks and rescued size agree', async () => {
      const map = new RescueMap(100 * 2048);
      map.set(0, 100 * 2048, '+');
      map.set(10 * 2048, 12 * 2048, '-');
      map.set(50 * 2048, 51 * 2048, '-');
      map.set(70 * 2048, 80 * 2048, '/');
      const path = join(dir, 'ours.map');
      await writeFile(path, formatMapfile({ currentPos: 0, currentStatus: '/', currentPass: 1, blocks: [...map.blocks] }));
      const bad = await execa('ddrescuelog', ['-b', '2048', '--list-blocks=-', path]);
      expect(bad.stdout.trim().split('\n').map(Number)).toEqual([10, 11, 50]);
      const nonScraped = await execa('ddrescuelog', ['-b', '2048', '--list-blocks=/', path]);
      expect(nonScraped.stdout.trim().split('\n').map(Number)).toEqual([70, 71, 72, 73, 74, 75, 76, 77, 78, 79]);
    });
  });
});

describe('RescueMap', () => {
  it('splits and merges blocks and keeps byte counts', () => {
    const map = new RescueMap(10_000);
    map.set(0, 4000, '+');
    map.set(2000, 3000, '*');
    map.set(9000, 20_000, '-');
    expect(map.blocks).toEqual([
      { pos: 0, size: 2000, status: '+' },
      { pos: 2000, size: 1000, status: '*' },
      { pos: 3000, size: 1000, status: '+' },
      { pos: 4000, size: 5000, status: '?' },
      { pos: 9000, size: 1000, status: '-' },
    ]);
    map.set(2000, 3000, '+');
    map.set(4000, 9000, '+');
    expect(map.blocks).toEqual([
      { pos: 0, size: 9000, status: '+' },
      { pos: 9000, size: 1000, status: '-' },
    ]);
    expect(map.summary()).toEqual({ '?': 0, '*': 0, '/': 0, '-': 1000, '+': 9000 });
    expect(map.ranges('-')).toEqual([[9000, 10_000]]);
    expect(map.sectorsWith('-')).toBe(1);
  });

  it('matches a byte-by-byte model under random updates', () => {
    const statuses = ['?', '*', '/', '-', '+'] as const;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(300), fc.nat(300), fc.constantFrom(...statuses)), { maxLength: 40 }), (ops) => {
        const size = 257;
        const model: string[] = new Array<string>(size).fill('?');
        const map = new RescueMap(size);
        for (const [a, b, status] of ops) {
          map.set(Math.min(a, b), Math.max(a, b), status);
          for (let i = Math.min(a, b); i < Math.min(size, Math.max(a, b)); i++) model[i] = status;
        }
        const flat = map.blocks.flatMap((blk) => new Array<string>(blk.size).fill(blk.status));
        expect(flat).toEqual(model);
        for (let i = 1; i < map.blocks.length; i++) expect(map.blocks[i]?.status).not.toBe(map.blocks[i - 1]?.status);
        for (const s of statuses) expect(map.bytesWith(s)).toBe(model.filter((m) => m === s).length);
      }),
    );
  });

  it('accepts only blocks that cover exactly [0, size)', () => {
    expect(RescueMap.fromBlocks(10, [{ pos: 0, size: 10, status: '+' }])).not.toBeNull();
    expect(RescueMap.fromBlocks(11, [{ pos: 0, size: 10, status: '+' }])).toBeNull();
    expect(RescueMap.fromBlocks(10, [{ pos: 1, size: 9, status: '+' }])).toBeNull();
  });
});

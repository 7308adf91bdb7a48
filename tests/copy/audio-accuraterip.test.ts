import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AccurateRipSum,
  accurateRipIds,
  accurateRipUrl,
  accurateRipVerdict,
  freedbId,
  lookupAccurateRip,
  parseDbar,
} from '../../src/copy/audio/accuraterip.js';
import type { Toc } from '../../src/drive/index.js';
import { dbarFile, referenceAccurateRip, startFakeAccurateRip, type FakeAccurateRip } from '../fixtures/audio/accuraterip-server.js';
import { silentLogger } from './helpers.js';

function sum(pcm: Buffer, first: boolean, last: boolean, chunk = 4096): { v1: number; v2: number } {
  const s = new AccurateRipSum(pcm.length / 4, first, last);
  for (let at = 0; at < pcm.length; at += chunk) s.update(pcm.subarray(at, at + chunk));
  return { v1: s.v1, v2: s.v2 };
}

/** Offsets (LBA + 150) as the published examples give them, as a TOC. */
function toc(offsets: number[], leadOut: number, dataTracks: number[] = []): Toc {
  return {
    firstTrack: 1,
    lastTrack: offsets.length,
    leadOut: leadOut - 150,
    tracks: offsets.map((o, i) => ({ number: i + 1, start: o - 150, type: dataTracks.includes(i + 1) ? ('data' as const) : ('audio' as const) })),
  };
}

describe('AccurateRip checksums', () => {
  it('equal a straightforward BigInt implementation for first, middle, last and only tracks, in any chunking', () => {
    const pcm = randomBytes(588 * 4 * 20);
    for (const [first, last] of [
      [true, false],
      [false, false],
      [false, true],
      [true, true],
    ] as const) {
      const expected = referenceAccurateRip(pcm, first, last);
      expect(sum(pcm, first, last), `${first}/${last}`).toEqual(expected);
      expect(sum(pcm, first, last, 588 * 4 * 3)).toEqual(expected);
    }
  });

  it('ignore the first 2939 samples of the first track and the last 2940 of the last, and only those', () => {
    const pcm = randomBytes(588 * 4 * 12);
    const changed = (index: number, first: boolean, last: boolean): boolean => {
      const copy = Buffer.from(pcm);
      copy.writeUInt32LE((copy.readUInt32LE(index * 4) + 1) >>> 0, index * 4);
      return sum(copy, first, last).v1 !== sum(pcm, first, last).v1;
    };
    const total = pcm.length / 4;
    expect(changed(2938, true, false)).toBe(false); // sample 2939
    expect(changed(2939, true, false)).toBe(true); // sample 2940
    expect(changed(0, false, false)).toBe(true);
    expect(changed(total - 2941, false, true)).toBe(true); // sample total − 2940: the last one counted
    expect(changed(total - 2940, false, true)).toBe(false);
    expect(changed(total - 1, false, true)).toBe(false);
    expect(changed(total - 1, false, false)).toBe(true);
  });

  it('v2 differs from v1 once products pass 32 bits; all-zero audio sums to zero', () => {
    const loud = Buffer.alloc(588 * 4 * 10, 0xff);
    const { v1, v2 } = sum(loud, false, false);
    expect(v1).not.toBe(v2);
    expect(sum(Buffer.alloc(588 * 4 * 10), true, true)).toEqual({ v1: 0, v2: 0 });
  });
});

describe('AccurateRip disc ids', () => {
  it('an Enhanced CD: the published ids of "Liquid" (10 audio tracks + a data session), real lead-out', () => {
    const offsets = [150, 12767, 40487, 63225, 93410, 118115, 151865, 184340, 215260, 247455, 281735];
    const ids = accurateRipIds(toc(offsets, 333801, [11]));
    expect(ids).toEqual({ tracks: 10, id1: '00164419', id2: '00b9f6e2', freedbId: '9e11600b' });
    expect(accurateRipUrl(ids, 'http://h/accuraterip')).toBe('http://h/accuraterip/9/1/4/dBAR-010-00164419-00b9f6e2-9e11600b.bin');
  });

  it('a mixed-mode CD: the data track 1 left out of the AccurateRip ids, kept in the FreeDB id', () => {
    const offsets = [
      150, 66728, 76502, 85963, 93760, 104048, 116066, 124743, 134206, 142916, 151852, 160720, 169425, 178731, 188459, 196711, 206354, 214845, 223686,
      225746, 226384, 232668, 239447, 239931, 244989, 254264, 260066, 261222, 261674,
    ];
    const disc = toc(offsets, 261976, [1]);
    expect(accurateRipIds(disc)).toEqual({ tracks: 28, id1: '00517a54', id2: '05a845d2', freedbId: 'af0da31d' });
    expect(freedbId(disc)).toBe('af0da31d');
  });
});

describe('dBAR and the lookup', () => {
  const ids = { tracks: 2, id1: '0000012c', id2: '00000384', freedbId: '02000402' };
  let server: FakeAccurateRip;
  beforeAll(async () => {
    server = await startFakeAccurateRip();
  });
  afterAll(async () => server.close());

  it('parses several responses and refuses a cut or foreign file', () => {
    const file = dbarFile(ids, [
      { tracks: [{ confidence: 5, checksum: 0x11111111 }, { confidence: 4, checksum: 0x22222222 }] },
      { tracks: [{ confidence: 2, checksum: 0x33333333 }, { confidence: 0, checksum: 0 }] },
    ]);
    const parsed = parseDbar(file, ids);
    expect(parsed?.map((r) => r.tracks.map((t) => [t.confidence, t.checksum]))).toEqual([
      [
        [5, 0x11111111],
        [4, 0x22222222],
      ],
      [
        [2, 0x33333333],
        [0, 0],
      ],
    ]);
    expect(parseDbar(file.subarray(0, file.length - 1), ids)).toBeNull();
    expect(parseDbar(file, { ...ids, id2: '00000385' })).toBeNull();
    expect(accurateRipVerdict(parsed, 0, 0x11111111, 0xdeadbeef)).toEqual({ status: 'match', confidence: 5, bestInDatabase: 5 });
    // v1 in one response and v2 in another: both count.
    expect(accurateRipVerdict(parsed, 0, 0x11111111, 0x33333333)).toEqual({ status: 'match', confidence: 7, bestInDatabase: 5 });
    expect(accurateRipVerdict(parsed, 0, 0xdeadbeef, 0xdeadbeee)).toEqual({ status: 'mismatch', confidence: 0, bestInDatabase: 5 });
    expect(accurateRipVerdict(parsed, 1, 0x22222222, 0)).toEqual({ status: 'match', confidence: 4, bestInDatabase: 4 });
    expect(accurateRipVerdict([], 0, 1, 2).status).toBe('not_found');
    expect(accurateRipVerdict(undefined, 0, 1, 2).status).toBe('unavailable');
  });

  it('looks up over HTTP: found, 404 = not in the database ([]), server error, garbage or no server = undefined', async () => {
    const file = dbarFile(ids, [{ tracks: [{ confidence: 7, checksum: 1 }, { confidence: 7, checksum: 2 }] }]);
    server.discs.set(new URL(accurateRipUrl(ids, server.baseUrl)).pathname.replace(/^\/accuraterip/, ''), file);
    const opts = { baseUrl: server.baseUrl, timeoutMs: 5000, logger: silentLogger };
    expect((await lookupAccurateRip(ids, opts))?.[0]?.tracks[1]).toMatchObject({ confidence: 7, checksum: 2 });
    expect(server.requests.at(-1)).toBe('/accuraterip/c/2/1/dBAR-002-0000012c-00000384-02000402.bin');
    expect(await lookupAccurateRip({ ...ids, id1: '0000012d' }, opts)).toEqual([]);
    server.mode = 'error';
    expect(await lookupAccurateRip(ids, opts)).toBeUndefined();
    server.mode = 'garbage';
    expect(await lookupAccurateRip(ids, opts)).toBeUndefined();
    server.mode = 'database';
    expect(await lookupAccurateRip(ids, { ...opts, baseUrl: 'http://127.0.0.1:1/accuraterip' })).toBeUndefined();
  });
});

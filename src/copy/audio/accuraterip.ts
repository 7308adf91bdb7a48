import type { Toc } from '../../drive/index.js';
import type { Logger } from '../../log/index.js';
import { errorMessage } from '../../util/errors.js';
import { LEAD_IN_SECTORS, SECTORS_PER_SECOND } from './tracks.js';

/*
 * AccurateRip, as the public implementations describe it (the database has no official spec):
 * checksums after Leo Bogert's accuraterip-checksum (hydrogenaudio thread 97603) and ARver's
 * `checksum/accuraterip.c`; disc ids, the dBAR URL and its binary format after ARver's
 * `disc/fingerprint.py`, `disc/database.py` and `doc/data_track.md` (Enhanced and mixed-mode CDs).
 */

function wordsOf(chunk: Buffer, words: number): Uint32Array {
  const out = new Uint32Array(words);
  for (let i = 0; i < words; i++) out[i] = chunk.readUInt32LE(i * 4);
  return out;
}

const ACCURATERIP_BASE_URL = 'http://www.accuraterip.com/accuraterip';
/** 5 sectors of stereo samples: what the first track skips at its start and the last at its end. */
const EDGE_SAMPLES = 5 * 588;
/** Samples per exact block sum (256 × 2^44 stays below 2^53). */
const BLOCK = 256;
/** Samples are read as native 32-bit words where that is little-endian (x86, ARM), else decoded. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
/** A dBAR answer holds a few responses of 13 + 9 × 99 bytes; anything larger is not one. */
const MAX_DBAR_BYTES = 1024 * 1024;

/**
 * Running AccurateRip v1 and v2 checksums of one track's PCM (little-endian 16-bit stereo, one
 * 32-bit word per sample). Sample `i` (1-based) counts with factor `i`; on the first audio track
 * samples before 2940 and on the last those after `total − 2940` are left out (drive offsets
 * make them unreliable). v1 sums the low 32 bits of each product, v2 the low plus the high.
 */
export class AccurateRipSum {
  #lo = 0;
  #hi = 0;
  #position = 0;
  readonly #from: number;
  readonly #to: number;

  constructor(totalSamples: number, first: boolean, last: boolean) {
    this.#from = first ? EDGE_SAMPLES : 0;
    this.#to = last ? totalSamples - EDGE_SAMPLES : totalSamples;
  }

  /** Feeds PCM; `chunk` must hold whole samples (a multiple of 4 bytes). */
  update(chunk: Buffer): void {
    const words = chunk.length >>> 2;
    const samples = LITTLE_ENDIAN && chunk.byteOffset % 4 === 0 ? new Uint32Array(chunk.buffer, chunk.byteOffset, words) : wordsOf(chunk, words);
    let m = this.#position;
    for (let start = 0; start < words; start += BLOCK) {
      const end = Math.min(words, start + BLOCK);
      // Per block, exact double sums: A = Σ vh·m, B = Σ vl·m (value = vh·2^16 + vl, each term
      // < 2^44, a block < 2^52) and L = Σ (value·m mod 2^32). Σ value·m = A·2^16 + B, so the
      // block's sum of high words is (A·2^16 + B − L) / 2^32, computed without leaving 2^53.
      let a = 0;
      let b = 0;
      let l = 0;
      for (let i = start; i < end; i++) {
        m++;
        if (m < this.#from || m > this.#to) continue;
        const value = samples[i] ?? 0;
        a += (value >>> 16) * m;
        b += (value & 0xffff) * m;
        l += Math.imul(value, m) >>> 0;
      }
      const aHigh = Math.floor(a / 65_536);
      const hiBlock = aHigh + ((a - aHigh * 65_536) * 65_536 + b - l) / 4_294_967_296;
      this.#hi = (this.#hi + hiBlock) % 4_294_967_296;
      this.#lo = (this.#lo + l) % 4_294_967_296;
    }
    this.#position = m;
  }

  get v1(): number {
    return this.#lo;
  }

  get v2(): number {
    return (this.#lo + this.#hi) % 0x1_0000_0000;
  }
}

export interface AccurateRipDiscIds {
  /** Audio tracks (the `NNN` of the URL). */
  readonly tracks: number;
  readonly id1: string;
  readonly id2: string;
  readonly freedbId: string;
}

const hex8 = (n: number): string => (n >>> 0).toString(16).padStart(8, '0');

/** Tracks in disc order. AccurateRip and FreeDB count to the disc's real lead-out, also on an Enhanced CD. */
function sortedTracks(toc: Toc) {
  return [...toc.tracks].sort((a, b) => a.number - b.number);
}

/** FreeDB (CDDB1) disc id: digit sums of every track's start second, the disc's length, the track count. */
export function freedbId(toc: Toc): string {
  const tracks = sortedTracks(toc);
  const digitSum = (n: number): number => String(n).split('').reduce((s, d) => s + Number(d), 0);
  const seconds = (lba: number): number => Math.floor((lba + LEAD_IN_SECTORS) / SECTORS_PER_SECOND);
  const n = tracks.reduce((sum, t) => sum + digitSum(seconds(t.start)), 0);
  const length = seconds(toc.leadOut) - seconds(tracks[0]?.start ?? 0);
  return hex8(((n % 0xff) << 24) | (length << 8) | tracks.length);
}

/**
 * AccurateRip disc ids: id1 sums the audio tracks' LBAs and the lead-out; id2 sums each audio
 * track's LBA (at least 1) times its position among the audio tracks, and the lead-out times
 * their count + 1. Data tracks are left out of both (mixed mode, Enhanced CD).
 */
export function accurateRipIds(toc: Toc): AccurateRipDiscIds {
  const audio = sortedTracks(toc).filter((t) => t.type === 'audio');
  let id1 = 0;
  let id2 = 0;
  audio.forEach((t, i) => {
    id1 += t.start;
    id2 += Math.max(t.start, 1) * (i + 1);
  });
  id1 += toc.leadOut;
  id2 += toc.leadOut * (audio.length + 1);
  return { tracks: audio.length, id1: hex8(id1 % 0x1_0000_0000), id2: hex8(id2 % 0x1_0000_0000), freedbId: freedbId(toc) };
}

/** `<base>/c/b/a/dBAR-NNN-id1-id2-freedb.bin` (a, b, c: id1's last three hex digits). */
export function accurateRipUrl(ids: AccurateRipDiscIds, base = ACCURATERIP_BASE_URL): string {
  const { id1 } = ids;
  const dir = `${id1.at(-1) ?? '0'}/${id1.at(-2) ?? '0'}/${id1.at(-3) ?? '0'}`;
  return `${base.replace(/\/+$/, '')}/${dir}/dBAR-${String(ids.tracks).padStart(3, '0')}-${ids.id1}-${ids.id2}-${ids.freedbId}.bin`;
}

export interface DbarTrack {
  readonly confidence: number;
  readonly checksum: number;
  /** Checksum of sector 450 (offset detection); unused here. */
  readonly frame450: number;
}

/** One submission set of the database: per audio track (in disc order) a checksum and its confidence. */
export interface DbarResponse {
  readonly tracks: readonly DbarTrack[];
}

/**
 * The binary dBAR format: one or more responses, each a 13-byte header (track count u8, id1,
 * id2, FreeDB id: u32 LE) and per track 9 bytes (confidence u8, checksum u32 LE, sector-450
 * checksum u32 LE). Null when it is cut short or its header is for another disc.
 */
export function parseDbar(data: Buffer, ids: AccurateRipDiscIds): DbarResponse[] | null {
  const responses: DbarResponse[] = [];
  let at = 0;
  while (at < data.length) {
    if (at + 13 > data.length) return null;
    const count = data.readUInt8(at);
    const header = [data.readUInt32LE(at + 1), data.readUInt32LE(at + 5), data.readUInt32LE(at + 9)].map(hex8);
    if (count !== ids.tracks || header[0] !== ids.id1 || header[1] !== ids.id2 || header[2] !== ids.freedbId) return null;
    at += 13;
    if (at + count * 9 > data.length) return null;
    const tracks: DbarTrack[] = [];
    for (let i = 0; i < count; i++, at += 9) {
      tracks.push({ confidence: data.readUInt8(at), checksum: data.readUInt32LE(at + 1), frame450: data.readUInt32LE(at + 5) });
    }
    responses.push({ tracks });
  }
  return responses;
}

/** What the database says about one track. */
export type AccurateRipStatus = 'match' | 'mismatch' | 'not_found' | 'unavailable';

export interface AccurateRipVerdict {
  readonly status: AccurateRipStatus;
  /** Sum of the confidences of every response whose checksum (v1 or v2) equals the track's. */
  readonly confidence: number;
  /** The highest confidence of any checksum the database has for this track (for "mismatch"). */
  readonly bestInDatabase: number;
}

/**
 * Compares a track with the database: `match` when a response with confidence > 0 has its v1 or
 * v2 checksum, `mismatch` when the database has checksums for it and none is equal, `not_found`
 * when the disc or the track is not there; `unavailable` when the lookup failed (`responses`
 * undefined).
 */
export function accurateRipVerdict(responses: readonly DbarResponse[] | null | undefined, index: number, v1: number, v2: number): AccurateRipVerdict {
  if (responses === undefined) return { status: 'unavailable', confidence: 0, bestInDatabase: 0 };
  const entries = (responses ?? []).map((r) => r.tracks[index]).filter((t): t is DbarTrack => t !== undefined && t.confidence > 0);
  if (entries.length === 0) return { status: 'not_found', confidence: 0, bestInDatabase: 0 };
  const confidence = entries.filter((t) => t.checksum === v1 || t.checksum === v2).reduce((sum, t) => sum + t.confidence, 0);
  const bestInDatabase = Math.max(...entries.map((t) => t.confidence));
  return { status: confidence > 0 ? 'match' : 'mismatch', confidence, bestInDatabase };
}

export interface AccurateRipLookupOptions {
  /** Default http://www.accuraterip.com/accuraterip (DISK2ISO_ACCURATERIP_URL in the machine). */
  baseUrl?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  logger: Logger;
}

/**
 * The database's responses for the disc: [] when it is not in the database (404), undefined when
 * the lookup failed (network, time-out, bad answer) — never throws: a rip does not depend on it.
 */
export async function lookupAccurateRip(ids: AccurateRipDiscIds, opts: AccurateRipLookupOptions): Promise<DbarResponse[] | undefined> {
  const url = accurateRipUrl(ids, opts.baseUrl);
  const signal = opts.signal ? AbortSignal.any([opts.signal, AbortSignal.timeout(opts.timeoutMs)]) : AbortSignal.timeout(opts.timeoutMs);
  try {
    const response = await fetch(url, { signal, headers: { 'User-Agent': 'disk2iso' } });
    if (response.status === 404) {
      await response.body?.cancel();
      opts.logger.info({ url }, 'the disc is not in the AccurateRip database');
      return [];
    }
    if (!response.ok) {
      await response.body?.cancel();
      opts.logger.warn({ url, status: response.status }, 'AccurateRip lookup failed: HTTP %d', response.status);
      return undefined;
    }
    const length = Number(response.headers.get('content-length') ?? 0);
    if (length > MAX_DBAR_BYTES) {
      await response.body?.cancel();
      opts.logger.warn({ url, length }, 'AccurateRip answer too large');
      return undefined;
    }
    const body = Buffer.from(await response.arrayBuffer());
    const parsed = body.length > MAX_DBAR_BYTES ? null : parseDbar(body, ids);
    if (parsed === null) opts.logger.warn({ url, bytes: body.length }, 'AccurateRip answer is not a dBAR file for this disc');
    return parsed ?? undefined;
  } catch (error) {
    opts.logger.warn({ url, err: errorMessage(error) }, 'AccurateRip lookup failed');
    return undefined;
  }
}

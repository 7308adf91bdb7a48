import { describe, expect, it } from 'vitest';
import { CD_MAX_BYTES, classify, DVD_MAX_BYTES, extractBdTitle } from '../../src/disc/index.js';
import { hasAudioTracks } from '../../src/disc/classify.js';
import type { Toc } from '../../src/drive/index.js';

const base = { audio: false, hasVideoTs: false, hasBdmv: false, filesystem: true, bytes: 650 * 1024 * 1024 };

describe('classify', () => {
  it('applies the type rules in order', () => {
    expect(classify({ ...base, audio: true })).toBe('audio-cd');
    expect(classify({ ...base, hasBdmv: true, hasVideoTs: true })).toBe('bd-video');
    expect(classify({ ...base, hasVideoTs: true })).toBe('dvd-video');
    expect(classify({ ...base, filesystem: false })).toBe('unknown');
    expect(classify({ ...base, bytes: null })).toBe('data');
    expect(classify({ ...base, bytes: CD_MAX_BYTES })).toBe('cd-rom');
    expect(classify({ ...base, bytes: CD_MAX_BYTES + 1 })).toBe('dvd-rom');
    expect(classify({ ...base, bytes: 8_547_991_552 })).toBe('dvd-rom');
    expect(classify({ ...base, bytes: DVD_MAX_BYTES + 1 })).toBe('bd-rom');
  });
});

describe('hasAudioTracks', () => {
  const toc = (...types: Array<'audio' | 'data'>): Toc => ({
    firstTrack: 1,
    lastTrack: types.length,
    leadOut: 1000 * types.length,
    tracks: types.map((type, i) => ({ number: i + 1, start: 1000 * i, type })),
  });

  it('an audio CD, an Enhanced CD (data session last) and a mixed-mode CD (data track 1) have audio; a data CD none', () => {
    expect(hasAudioTracks('audio', toc('audio', 'audio'))).toBe(true);
    expect(hasAudioTracks('mixed', toc('audio', 'audio', 'data'))).toBe(true);
    expect(hasAudioTracks('mixed', toc('data', 'audio'))).toBe(true);
    expect(hasAudioTracks('data', toc('data'))).toBe(false);
    expect(hasAudioTracks('audio', null)).toBe(true);
    expect(hasAudioTracks('unknown', null)).toBe(false);
  });
});

describe('extractBdTitle', () => {
  const xml = (name: string): Buffer => Buffer.from(`<?xml version="1.0"?><disclib><di:discinfo><di:title><di:name>${name}</di:name></di:title></di:discinfo></disclib>`);

  it('decodes entities, CDATA and whitespace, and drops control characters', () => {
    expect(extractBdTitle(xml('Tom &amp; Jerry &#x263A; &#65;'))).toBe('Tom & Jerry ☺ A');
    expect(extractBdTitle(xml('<![CDATA[A <b> B]]>'))).toBe('A <b> B');
    expect(extractBdTitle(xml('  two\n  lines\u0007 '))).toBe('two lines');
    expect(extractBdTitle(Buffer.from('<name>Plain</name>'))).toBe('Plain');
  });

  it('reads UTF-16 files with a byte order mark', () => {
    const text = '<di:name>Ωmega</di:name>';
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    expect(extractBdTitle(le)).toBe('Ωmega');
  });

  it('returns null without a usable name and stays bounded on hostile input', () => {
    expect(extractBdTitle(xml('   '))).toBeNull();
    expect(extractBdTitle(Buffer.from('<di:name>never closed'))).toBeNull();
    expect(extractBdTitle(Buffer.from('<di:name'.repeat(20_000)))).toBeNull();
    expect(extractBdTitle(xml('x'.repeat(10_000)))?.length).toBe(200);
  });
});

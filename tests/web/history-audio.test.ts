import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/web/index.js';
import { historyEntry, makeFixture, peerEnv, writeHistory, type WebFixture } from './fixtures.js';

let fx: WebFixture;
let app: ReturnType<typeof createApp>;

beforeEach(async () => {
  fx = await makeFixture();
  app = createApp(fx.deps);
});
afterEach(async () => {
  await fx.cleanup();
});

const track = (number: number, accuraterip: 'match' | 'mismatch' | 'not_found' | 'unavailable', confidence = 0, bad = 0) => ({
  number,
  file: `0${number} - <b>Title</b>.flac`,
  sectors: 1000,
  crc32: 'a1b2c3d4',
  ar_v1: '00000001',
  ar_v2: '00000002',
  accuraterip,
  accuraterip_confidence: confidence,
  bad_sectors: bad,
});

describe('history: audio CD tracks', () => {
  it('shows per track the Copy CRC and "accurately ripped (confidence N)", "not in database", "mismatch", unreadable sectors; names escaped', async () => {
    await writeHistory(fx, [
      historyEntry({
        disc_label: 'An Album',
        disc_type: 'audio-cd',
        result: 'degraded',
        audio_tracks: [track(1, 'match', 14), track(2, 'not_found'), track(3, 'mismatch', 0, 3), track(4, 'unavailable')],
      }),
    ]);
    const html = await (await app.request('/history', { headers: { 'accept-language': 'en' } }, peerEnv())).text();
    expect(html).toContain('Accurately ripped (confidence 14)');
    expect(html).toContain('Not in database');
    expect(html).toContain('Mismatch');
    expect(html).toContain('AccurateRip not checked');
    expect(html).toContain('3 unreadable sectors');
    expect(html).toContain('A1B2C3D4');
    expect(html).toContain('01 - &lt;b&gt;Title&lt;/b&gt;.flac');
    expect(html).not.toContain('<b>Title</b>');
    const de = await (await app.request('/history?lang=de', { headers: { 'accept-language': 'de' } }, peerEnv())).text();
    expect(de).toContain('Fehlerfrei gerippt (Konfidenz 14)');
  });
});

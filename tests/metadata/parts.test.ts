import { describe, expect, it } from 'vitest';
import { imageKind, MAX_COVER_BYTES } from '../../src/metadata/covers.js';
import { tocParameter } from '../../src/metadata/musicbrainz.js';
import { nfoXml, xmlText } from '../../src/metadata/nfo.js';
import { titleFromLabel } from '../../src/metadata/title.js';
import { posterPng } from '../../src/demo/metadata-standin.js';
import { FIXTURE_TOC } from '../fixtures/audio/musicbrainz-server.js';

describe('titleFromLabel: the title a video disc label stands for', () => {
  it.each([
    ['MY_MOVIE_DISC_1', 'My Movie'],
    ['MY_MOVIE_D2', 'My Movie'],
    ['THE_MATRIX', 'The Matrix'],
    ['The.Matrix.1999', 'The Matrix 1999'],
    ['ALIEN_WS_PAL', 'Alien'],
    ['Der Herr der Ringe', 'Der Herr der Ringe'],
    ['Made in US', 'Made in US'],
    ['Ocean Disc 2', 'Ocean'],
    ['AMELIE_DVD', 'Amelie'],
    ['DVD_VIDEO', null],
    ['BDROM', null],
    ['VIDEO_TS', null],
    ['12345', null],
    ['', null],
    [null, null],
  ])('%s → %s', (label, title) => {
    expect(titleFromLabel(label)).toBe(title);
  });

  it('hostile labels: no control or bidi characters, at most 200 characters', () => {
    const title = titleFromLabel(`EVIL\u202E_\u0000TITLE_${'X'.repeat(10_000)}`);
    expect([...(title ?? '')].some((c) => c.charCodeAt(0) < 0x20 || c === '\u202e')).toBe(false);
    expect(Array.from(title ?? '').length).toBeLessThanOrEqual(200);
  });
});

describe('imageKind: covers are checked by their magic bytes', () => {
  it('knows JPEG, PNG and WebP, and nothing else', () => {
    expect(imageKind(Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0]))).toBe('jpg');
    expect(imageKind(posterPng('x'))).toBe('png');
    expect(imageKind(Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 ')]))).toBe('webp');
    expect(imageKind(Buffer.from('<html><script>alert(1)</script>'))).toBeNull();
    expect(imageKind(Buffer.from('GIF89a'))).toBeNull();
    expect(imageKind(Buffer.alloc(0))).toBeNull();
    expect(MAX_COVER_BYTES).toBe(5 * 1024 * 1024);
  });
});

describe('MusicBrainz toc parameter', () => {
  it('first, last, lead-out and offsets with the 150-sector lead-in; none for a disc with data tracks', () => {
    expect(tocParameter(FIXTURE_TOC)).toBe('1+5+1050+150+330+480+675+825');
    expect(tocParameter({ ...FIXTURE_TOC, tracks: [...FIXTURE_TOC.tracks.slice(0, 4), { number: 5, start: 675, type: 'data' }] })).toBeNull();
  });
});

describe('NFO for Kodi and Jellyfin', () => {
  it('a film: <movie> with title, year, plot and the TMDB id; escaped', () => {
    const xml = nfoXml({ kind: 'movie', title: 'Tom & Jerry <b>"Live"</b>', year: 1999, artist: null, plot: "It's </plot><evil/>", sourceId: 'movie-603' });
    expect(xml).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
        '<movie>',
        '  <title>Tom &amp; Jerry &lt;b&gt;&quot;Live&quot;&lt;/b&gt;</title>',
        '  <year>1999</year>',
        '  <plot>It&apos;s &lt;/plot&gt;&lt;evil/&gt;</plot>',
        '  <uniqueid type="tmdb" default="true">603</uniqueid>',
        '</movie>',
        '',
      ].join('\n'),
    );
  });

  it('a series is a <tvshow>; a typed title has no id; an album has artist and MBID', () => {
    expect(nfoXml({ kind: 'tv', title: 'S', year: null, artist: null, plot: null, sourceId: 'tv-1399' })).toContain('<tvshow>\n  <title>S</title>\n  <uniqueid type="tmdb" default="true">1399</uniqueid>\n</tvshow>');
    expect(nfoXml({ kind: 'movie', title: 'Typed', year: null, artist: null, plot: null, sourceId: null })).not.toContain('uniqueid');
    const album = nfoXml({ kind: 'album', title: 'Songs', year: 2001, artist: 'A & B', plot: null, sourceId: '0b6a4e5c-2f7d-4c61-9d3c-6f1b8f3e9a01' });
    expect(album).toContain('<album>\n  <title>Songs</title>\n  <artist>A &amp; B</artist>\n  <year>2001</year>\n  <musicbrainzalbumid>0b6a4e5c-2f7d-4c61-9d3c-6f1b8f3e9a01</musicbrainzalbumid>\n</album>');
    expect(nfoXml({ kind: 'album', title: 'x', year: null, artist: null, plot: null, sourceId: '../etc' })).not.toContain('musicbrainzalbumid');
  });

  it('xmlText drops what XML 1.0 cannot hold', () => {
    expect(xmlText('a\u0000b\u0008c\uFFFEd')).toBe('abcd');
  });
});

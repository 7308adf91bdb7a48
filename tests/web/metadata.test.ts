import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { MetadataCandidate, PendingChoice } from '../../src/contract/index.js';
import { createApp } from '../../src/web/index.js';
import { attributes, DRIVE, makeFixture, peerEnv, status, writeDrive, type WebFixture } from './fixtures.js';

let fx: WebFixture;
let app: ReturnType<typeof createApp>;
const get = (path: string, headers: Record<string, string> = {}) => app.request(path, { headers }, peerEnv());
/** The smallest PNG: a real image, so a browser would show it. */
const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex');
const HOSTILE = '<img src=x onerror=alert(1)>';

function candidate(over: Partial<MetadataCandidate>): MetadataCandidate {
  return { id: 'tmdb:1', source: 'tmdb', kind: 'movie', title: 'A film', year: 2001, artist: null, overview: null, cover_url: null, cover_file: null, ...over };
}
function pending(over: Partial<PendingChoice> = {}): PendingChoice {
  return {
    awaiting: 'metadata',
    candidates: [candidate({ id: 'tmdb:603', title: 'The Matrix', year: 1999, cover_file: 'tmdb-603.png', overview: 'A hacker learns the truth.' }), candidate({ id: 'tmdb:604', title: 'The Matrix Reloaded', year: 2003 })],
    default_id: 'tmdb:603',
    query: 'matrix',
    deadline: new Date(Date.now() + 90_000).toISOString(),
    notes: [],
    ...over,
  };
}

beforeEach(async () => {
  fx = await makeFixture();
  app = createApp(fx.deps);
  await writeDrive(fx, { status: status({ state: 'waiting_for_metadata', job_id: null }) });
});
afterEach(async () => {
  await fx.cleanup();
});

describe('covers: GET api/drives/<id>/covers/<file>', () => {
  beforeEach(async () => {
    await mkdir(fx.paths.covers(DRIVE), { recursive: true });
    await writeFile(join(fx.paths.covers(DRIVE), 'tmdb-603.png'), PNG);
  });

  it('serves a cover with the type of its extension, nosniff and a short private cache', async () => {
    const res = await get(`/api/drives/${DRIVE}/covers/tmdb-603.png`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('private, max-age=300');
    expect(Buffer.from(await res.arrayBuffer()).equals(PNG)).toBe(true);
    const again = await get(`/api/drives/${DRIVE}/covers/tmdb-603.png`, { 'if-none-match': res.headers.get('etag') ?? '' });
    expect(again.status).toBe(304);
  });

  it('404 for an unknown drive, a missing file, a name the contract does not allow, a traversal or a symbolic link', async () => {
    await writeFile(join(fx.root, 'secret.jpg'), 'secret');
    await symlink(join(fx.root, 'secret.jpg'), join(fx.paths.covers(DRIVE), 'link.jpg'));
    await writeFile(join(fx.paths.covers(DRIVE), 'cover.gif'), 'GIF89a');
    const paths = [
      `/api/drives/nope/covers/tmdb-603.png`,
      `/api/drives/${DRIVE}/covers/missing.jpg`,
      `/api/drives/${DRIVE}/covers/cover.gif`,
      `/api/drives/${DRIVE}/covers/link.jpg`,
      `/api/drives/${DRIVE}/covers/..%2F..%2Fsecret.jpg`,
      `/api/drives/${DRIVE}/covers/.jpg`,
      `/api/drives/${DRIVE}/covers/a%00.jpg`,
    ];
    for (const path of paths) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(await res.text(), path).not.toContain('secret');
    }
  });
});

describe('the candidates panel', () => {
  it('is on the drive card while candidates wait: covers with alt text, the default marked, Choose, search, title, skip, a countdown', async () => {
    await writeDrive(fx, { attributes: attributes({ pending: pending() }) });
    const html = await (await get('/')).text();
    expect(html).toContain('Which disc is this?');
    expect(html).toContain(`src="api/drives/${DRIVE}/covers/tmdb-603.png" alt="Cover of The Matrix (1999)"`);
    expect(html).toMatch(/data-candidate="tmdb:603" data-default="yes"/);
    expect(html).toMatch(/data-candidate="tmdb:604" data-default="no"/);
    expect(html).toMatch(/<button[^>]*data-action="select_metadata" data-candidate="tmdb:604"[^>]*aria-label="Choose The Matrix Reloaded \(2003\)"/);
    expect(html).toMatch(/The default is taken in 1:(29|30)/);
    expect(html).toContain('Results for “matrix”');
    for (const action of ['search_metadata', 'set_title', 'skip_metadata']) expect(html).toMatch(new RegExp(`<button[^>]*data-action="${action}"(?![^>]*disabled)`));
  });

  it('spells out a wait for Start, and the notes of a lookup that did not run, in the page language', async () => {
    await writeDrive(fx, {
      attributes: attributes({ pending: pending({ awaiting: 'start', candidates: [], default_id: null, deadline: null, query: null, notes: [{ code: 'some_future_note', params: {} }] }) }),
    });
    const html = await (await get('/', { 'accept-language': 'de' })).text();
    expect(html).toContain('Wartet auf Start');
    expect(html).toContain('Start drücken, um diese Disc unter ihrer Bezeichnung zu kopieren');
    // A code this UI does not know (a newer core) is shown as the code, never dropped.
    expect(html).toContain('<li data-note="some_future_note">some_future_note</li>');
    expect(html).not.toContain('data-deadline');
  });

  it('escapes hostile titles and keeps 10 kB of text inside the schema limits', async () => {
    const long = 'x'.repeat(1000);
    await writeDrive(fx, {
      attributes: attributes({ pending: pending({ candidates: [candidate({ id: 'tmdb:9', title: HOSTILE, artist: `${HOSTILE}"`, overview: long })], default_id: 'tmdb:9', query: HOSTILE }) }),
    });
    const html = await (await get('/')).text();
    expect(html).not.toContain(HOSTILE);
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain(long);
  });

  it('is hidden and empty with nothing pending; the fragment route gives the same panel for the live update', async () => {
    await writeDrive(fx, { attributes: attributes({ pending: null }) });
    expect(await (await get('/')).text()).toMatch(/<section class="metadata" data-field="metadata" data-key="" hidden/);
    await writeDrive(fx, { attributes: attributes({ pending: pending() }) });
    const res = await get(`/api/drives/${DRIVE}/metadata-panel`, { 'accept-language': 'fr' });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const fragment = await res.text();
    expect(fragment.startsWith('<section class="metadata"')).toBe(true);
    expect(fragment).toContain('Quel est ce disque ?');
    expect((await get('/api/drives/nope/metadata-panel')).status).toBe(404);
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeJsonAtomic } from '../../src/contract/index.js';
import { createApp } from '../../src/web/index.js';
import { makeFixture, peerEnv, system, type WebFixture } from './fixtures.js';

let fx: WebFixture;
let app: ReturnType<typeof createApp>;
const page = async (lang: string): Promise<string> => (await app.request('/system', { headers: { 'accept-language': lang } }, peerEnv())).text();

/** The table row of one tool or disc kind, as text without tags. */
function row(html: string, name: string): string | null {
  const match = new RegExp(`<th scope="row">${name}</th>\\s*<td[^>]*>([^<]*)</td>`).exec(html);
  return match?.[1]?.trim() ?? null;
}

beforeEach(async () => {
  fx = await makeFixture();
  app = createApp(fx.deps);
});
afterEach(async () => {
  await fx.cleanup();
});

describe('System page: tools and the methods in effect', () => {
  it('lists each tool with its version or "missing", libdvdcss included, and what each disc kind gets', async () => {
    await writeJsonAtomic(
      fx.paths.system,
      system({
        tools: { 'cd-paranoia': 'cdparanoia III release 10.2 libcdio 2.1.0', dvdbackup: null, libdvdcss: null },
        methods: { 'dvd-video (encrypted)': 'raw (libdvdcss not available); libdvdcss not available: encrypted DVD-Video copied raw' },
      }),
    );
    const en = await page('en');
    expect(row(en, 'cd-paranoia')).toBe('cdparanoia III release 10.2 libcdio 2.1.0');
    expect(row(en, 'dvdbackup')).toBe('missing');
    expect(row(en, 'libdvdcss')).toBe('missing');
    expect(en).toContain('<h2 id="sys-methods">Copy methods with these tools</h2>');
    // An older core's English summary, under the kind's words.
    expect(row(en, 'DVD-Video, encrypted')).toBe('raw (libdvdcss not available); libdvdcss not available: encrypted DVD-Video copied raw');
    const de = await page('de');
    expect(row(de, 'dvdbackup')).toBe('fehlt');
    expect(de).toContain('<h2 id="sys-methods">Kopiermethoden mit diesen Werkzeugen</h2>');
  });

  it('words the methods’ fallbacks in the page’s language from their codes (method_notes)', async () => {
    await writeJsonAtomic(
      fx.paths.system,
      system({
        methods: { 'dvd-video (encrypted)': 'raw (libdvdcss not available); libdvdcss not available: encrypted DVD-Video copied raw' },
        method_notes: {
          'dvd-video (encrypted)': { method: 'raw', notes: [{ code: 'note_dvd_raw_no_css', params: {} }] },
          'audio-cd': { method: null, notes: [{ code: 'no_ripper', params: { package: 'cd-paranoia', alt_package: 'cdparanoia' } }] },
        },
      }),
    );
    expect(row(await page('de'), 'DVD-Video, verschlüsselt')).toBe('raw; libdvdcss nicht verfügbar: verschlüsselte DVD-Video wird roh kopiert');
    expect(row(await page('fr'), 'CD audio')).toBe('CD audio non extrait : ni cd-paranoia (paquet &#39;cd-paranoia&#39;) ni cdparanoia (paquet &#39;cdparanoia&#39;) n’est installé');
    expect(row(await page('es'), 'DVD-Vídeo, cifrado')).toBe('raw; libdvdcss no disponible: el DVD-Vídeo cifrado se copia en bruto');
  });

  it('shows no methods section for a system.json written before there was one', async () => {
    await writeJsonAtomic(fx.paths.system, system());
    const en = await page('en');
    expect(row(en, 'cdparanoia')).toBe('missing');
    expect(en).not.toContain('id="sys-methods"');
  });
});

import { describe, expect, it } from 'vitest';
import type { CopyReason } from '../../src/copy/errors.js';
import { coded, CONTROL_ACTIONS, DRIVE_STATES, englishText, MESSAGE_CODES, MESSAGE_EXTRA_PARAMS, MESSAGE_TEXTS, placeholdersOf, type MessageCode } from '../../src/contract/index.js';
import { fmtBytes } from '../../src/web/format.js';
import { LANGS, messages, pickLang } from '../../src/web/i18n/index.js';
import { messageText } from '../../src/web/i18n/message.js';

const en = messages('en');

/** Keys whose text is the English text in that language too; anything else equal to English is a leftover. */
const SAME_AS_ENGLISH: Readonly<Record<'de' | 'es' | 'fr', readonly string[]>> = {
  de: [
    'app_title', 'nav_system', 'conn_live', 'conn_offline', 'type_cd-rom', 'type_dvd-video', 'type_dvd-rom', 'disc', 'phase', 'command_ok', 'details', 'name',
    'sort_name', 'group_dvd', 'loglevel_info', 'system_title', 'version', 'disc_kind', 'unknown_value', 'msg_text',
  ],
  es: ['app_title', 'state_error', 'type_cd-rom', 'type_dvd-rom', 'command_ok', 'error', 'loglevel_error', 'loglevel_fatal', 'unknown_value', 'msg_text'],
  fr: [
    'app_title', 'type_cd-rom', 'type_dvd-rom', 'type', 'phase', 'command_ok', 'image', 'date', 'sort_date', 'pages', 'message', 'loglevel_trace', 'loglevel_info',
    'loglevel_fatal', 'version', 'unknown_value', 'msg_text',
  ],
};
const sorted = (values: Iterable<string>) => [...new Set(values)].sort();

describe.each(['de', 'es', 'fr'] as const)('the %s UI catalogue', (lang) => {
  const catalog = messages(lang);

  it('has exactly the keys of the English one, each with the same placeholders', () => {
    expect(Object.keys(catalog).sort()).toEqual(Object.keys(en).sort());
    const differing = Object.entries(en)
      .filter(([key, text]) => JSON.stringify(sorted(placeholdersOf(text))) !== JSON.stringify(sorted(placeholdersOf(catalog[key as keyof typeof en]))))
      .map(([key]) => key);
    expect(differing).toEqual([]);
  });

  it('says in English only what is the same word in the language (names, cognates), by a reviewed list', () => {
    const same = Object.keys(en).filter((key) => catalog[key as keyof typeof en] === en[key as keyof typeof en]);
    expect(same.sort()).toEqual([...SAME_AS_ENGLISH[lang]].sort());
  });

  it('has no empty text', () => {
    expect(Object.entries(catalog).filter(([, text]) => text.trim() === '')).toEqual([]);
  });
});

describe('message codes in the UI', () => {
  it('every code of the contract has words in every language, using only parameters the core sends', () => {
    for (const lang of LANGS) {
      const catalog: Readonly<Record<string, string>> = messages(lang);
      for (const code of MESSAGE_CODES) {
        const text = catalog[`msg_${code}`];
        expect(text, `${lang} msg_${code}`).toBeDefined();
        const extra: readonly string[] = (MESSAGE_EXTRA_PARAMS as Partial<Record<MessageCode, readonly string[]>>)[code] ?? [];
        const sent = new Set([...placeholdersOf(MESSAGE_TEXTS[code]), ...extra]);
        expect(placeholdersOf(text ?? '').filter((p) => !sent.has(p)), `${lang} msg_${code}`).toEqual([]);
      }
    }
  });

  it('every enum value a message may name (state, action, copy reason) has words', () => {
    // A Record over the union: a new copy reason fails to compile here until it is listed.
    const reasons: Record<CopyReason, true> = {
      cancelled: true,
      stalled: true,
      disk_full: true,
      drive_gone: true,
      drive_timeout: true,
      read_error: true,
      io_error: true,
      verify_mismatch: true,
    };
    const needed = [...DRIVE_STATES.map((s) => `state_${s}`), ...CONTROL_ACTIONS.map((a) => `action_${a}`), ...Object.keys(reasons).map((r) => `reason_${r}`)];
    expect(needed.filter((key) => !(key in en))).toEqual([]);
  });

  it('renders a code with its parameters in the language: sizes localised, enum values in words', () => {
    const failed = coded('copy_error', { device: '/dev/sr0', path: '/media/x.iso', bytes: 1536 * 1024, detail: 'no space left on device', reason: 'disk_full' });
    expect(failed.text).toBe('Copy of /dev/sr0 to /media/x.iso failed after 1.5 MiB: no space left on device');
    expect(messageText('de', failed)).toBe(`Kopie nach /media/x.iso nach ${fmtBytes(1536 * 1024, 'de')} fehlgeschlagen: der Zielordner ist voll`);
    expect(fmtBytes(1536 * 1024, 'de')).toBe('1,5 MiB');
    const refused = coded('cmd_not_in_state', { action: 'eject', state: 'copying' });
    expect(refused.text).toBe('eject is not possible in state copying');
    expect(messageText('fr', refused)).toBe('« Éjecter » est impossible dans l’état « Copie en cours »');
    expect(messageText('es', coded('cmd_ejected'))).toBe('Expulsado');
    expect(messageText('de', coded('copying'))).toBe('Wird kopiert');
  });

  it('falls back to the English text for a code this UI does not know, or none (an older core)', () => {
    expect(messageText('de', { code: 'from_a_newer_core', params: {}, text: 'Something new' })).toBe('Something new');
    expect(messageText('de', { text: 'Copying' })).toBe('Copying');
  });

  it('keeps the English text of the core as it was (logs, MQTT and older readers)', () => {
    expect(englishText('no_space', { dir: '/media/d', needed_bytes: 3 * 1024 ** 3, disc_bytes: 2 * 1024 ** 3, free_bytes: 1024 ** 3 })).toBe(
      'Not enough free space in /media/d: 3.0 GiB needed (disc 2.0 GiB + margin), 1.0 GiB free',
    );
    expect(coded('drive_found_named', { name: 'ASUS DRW' }).text).toBe('Drive found: ASUS DRW');
  });
});

describe('language choice', () => {
  it('follows Accept-Language by quality, by primary subtag', () => {
    expect(pickLang(undefined, 'es-ES,es;q=0.9,en;q=0.5')).toBe('es');
    expect(pickLang(undefined, 'fr-CA')).toBe('fr');
    expect(pickLang(undefined, 'pt-BR,fr;q=0.4,de;q=0.3')).toBe('fr');
    expect(pickLang(undefined, 'pt-BR')).toBe('en');
    expect(pickLang(undefined, undefined)).toBe('en');
  });

  it('prefers Home Assistant’s language (noted inside the ingress panel) to the browser’s, and the switch to both', () => {
    expect(pickLang(undefined, 'de-DE', 'es-419')).toBe('es');
    expect(pickLang(undefined, 'de-DE', 'fr')).toBe('fr');
    expect(pickLang(undefined, 'de-DE', 'pt-BR')).toBe('de');
    expect(pickLang('en', 'de-DE', 'fr')).toBe('en');
  });
});

import type { FC } from 'hono/jsx';
import { fmtBytes, fmtDate } from '../format.js';
import type { Lang, MessageKey, Translate } from '../i18n/index.js';
import { messageText } from '../i18n/message.js';
import type { SystemView } from '../queries.js';

/** The UI key of each kind of disc in `system.json` `methods`. */
const KIND_KEYS: Readonly<Record<string, MessageKey>> = {
  data: 'kind_data',
  'dvd-video (encrypted)': 'kind_dvd_encrypted',
  'dvd-video (unencrypted)': 'kind_dvd_plain',
  'bd-video': 'kind_bd_video',
  'audio-cd': 'kind_audio_cd',
};

/**
 * Kind of disc → method and its fallbacks, in the UI's language from `method_notes` (the method's
 * name is an identifier and stays as it is); the English `methods` of an older core otherwise.
 */
function methodRows(view: SystemView, t: Translate, lang: Lang): [string, string][] {
  const kind = (key: string) => {
    const k = KIND_KEYS[key];
    return k ? t(k) : key;
  };
  const coded = view.core?.method_notes;
  if (coded) {
    return Object.entries(coded).map(([key, { method, notes }]) => [
      kind(key),
      [method, ...notes.map((n) => messageText(lang, { code: n.code, params: n.params, text: n.code }))].filter((part): part is string => part !== null).join('; '),
    ]);
  }
  return Object.entries(view.core?.methods ?? {}).map(([key, text]) => [kind(key), text]);
}

/** System: drives, tools (version or missing), the copy method each kind of disc gets, free space, versions. */
export const SystemPage: FC<{ view: SystemView; t: Translate; lang: Lang }> = ({ view, t, lang }) => {
  const used = view.free_bytes !== null && view.total_bytes ? 1 - view.free_bytes / view.total_bytes : null;
  const tools = Object.entries(view.core?.tools ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const methods = methodRows(view, t, lang);
  return (
    <>
      <div class="page-head">
        <h1>{t('system_title')}</h1>
        <p class="muted">
          disk2iso {view.version}
          {view.core ? (
            <>
              {' · '}
              {t('core_started')} <time datetime={view.core.started}>{fmtDate(view.core.started, lang)}</time>
            </>
          ) : null}
        </p>
      </div>
      <div class="system-grid">
        <section class="card" aria-labelledby="sys-drives">
          <h2 id="sys-drives">{t('drives')}</h2>
          <ul class="plain-list">
            {view.drives.map((d) => (
              <li class="sys-drive">
                <div>
                  <strong>{[d.vendor, d.model].filter(Boolean).join(' ') || d.id}</strong>
                  <div class="muted small">
                    <code>{d.path || '—'}</code> · {d.id}
                    {d.simulated ? ` · ${t('simulated')}` : ''}
                  </div>
                </div>
                <span class="chip" data-present={d.present ? 'yes' : 'no'}>
                  {d.present ? t('present') : t('absent')}
                </span>
              </li>
            ))}
          </ul>
        </section>
        <section class="card" aria-labelledby="sys-space">
          <h2 id="sys-space">{t('output_folder')}</h2>
          <p>
            <code>{view.output_dir}</code>
          </p>
          {used !== null ? (
            <>
              <progress class="space" max="100" value={(used * 100).toFixed(1)} aria-label={t('free_space')} />
              <p class="muted">{t('free_of', { free: fmtBytes(view.free_bytes, lang), total: fmtBytes(view.total_bytes, lang) })}</p>
            </>
          ) : (
            <p class="muted">—</p>
          )}
        </section>
        <section class="card" aria-labelledby="sys-tools">
          <h2 id="sys-tools">{t('tools')}</h2>
          {tools.length === 0 ? (
            <p class="muted">—</p>
          ) : (
            <table class="kv">
              <thead class="visually-hidden">
                <tr>
                  <th scope="col">{t('tool')}</th>
                  <th scope="col">{t('version')}</th>
                </tr>
              </thead>
              <tbody>
                {tools.map(([name, version]) => (
                  <tr>
                    <th scope="row">{name}</th>
                    <td class={version ? '' : 'muted'} data-missing={version ? undefined : 'yes'}>
                      {version ?? t('tool_missing')}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
        {methods.length > 0 ? (
          <section class="card" aria-labelledby="sys-methods">
            <h2 id="sys-methods">{t('methods_in_effect')}</h2>
            <table class="kv">
              <thead class="visually-hidden">
                <tr>
                  <th scope="col">{t('disc_kind')}</th>
                  <th scope="col">{t('method')}</th>
                </tr>
              </thead>
              <tbody>
                {methods.map(([kind, method]) => (
                  <tr>
                    <th scope="row">{kind}</th>
                    <td>{method}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        ) : null}
      </div>
    </>
  );
};

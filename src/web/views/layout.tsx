import type { Context } from 'hono';
import type { FC, PropsWithChildren } from 'hono/jsx';
import { jsxRenderer } from 'hono/jsx-renderer';
import { LANGS, messages, type Lang, type MessageKey } from '../i18n/index.js';
import type { WebEnv } from '../types.js';
import { DiscIcon } from './icons.js';
import { JsonScript } from './json-script.js';

export type PageId = 'dashboard' | 'history' | 'archive' | 'logs' | 'system' | 'notfound';

export interface PageProps {
  title: string;
  page: PageId;
}

declare module 'hono' {
  interface ContextRenderer {
    (content: string | Promise<string>, props: PageProps): Response | Promise<Response>;
  }
}

const NAV: { page: PageId; href: string; key: MessageKey }[] = [
  { page: 'dashboard', href: './', key: 'nav_dashboard' },
  { page: 'history', href: 'history', key: 'nav_history' },
  { page: 'archive', href: 'archive', key: 'nav_archive' },
  { page: 'logs', href: 'logs', key: 'nav_logs' },
  { page: 'system', href: 'system', key: 'nav_system' },
];

const LangSwitch: FC<{ lang: Lang; label: string }> = ({ lang, label }) => (
  <label class="lang">
    <span class="visually-hidden">{label}</span>
    <select id="lang-switch" name="lang" aria-label={label}>
      {LANGS.map((l) => (
        <option value={l} selected={l === lang}>
          {messages(l).lang_name}
        </option>
      ))}
    </select>
  </label>
);

export const Layout: FC<PropsWithChildren<PageProps & { c: Context<WebEnv>; assetVersion: string }>> = ({
  children,
  title,
  page,
  c,
  assetVersion,
}) => {
  const t = c.get('t');
  const lang = c.get('lang');
  const ingress = c.get('ingressPath');
  const v = encodeURIComponent(assetVersion);
  const url = new URL(c.req.url);
  const selfHref = `${url.pathname.replace(/^\/+/, '')}${url.search}`;
  return (
    <html lang={lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light dark" />
        {/* Behind ingress every relative URL resolves against the add-on's prefix. */}
        {ingress ? <base href={`${ingress}/`} /> : null}
        <title>{`${title} · disk2iso`}</title>
        <link rel="icon" href="data:," />
        <link rel="stylesheet" href={`app.css?v=${v}`} />
        <script src={`app.js?v=${v}`} defer />
      </head>
      <body data-page={page}>
        {/* With a <base>, "#main" alone would point at the base URL, not this page. */}
        <a class="skip-link" href={`${selfHref}#main`}>
          {t('skip_to_content')}
        </a>
        <header class="topbar">
          <div class="topbar-inner">
            <a class="brand" href="./">
              <DiscIcon class="brand-icon" />
              <span>disk2iso</span>
            </a>
            <nav class="tabs" aria-label={t('main_nav')}>
              {NAV.map((item) => (
                <a href={item.href} class="tab" aria-current={item.page === page ? 'page' : undefined}>
                  {t(item.key)}
                </a>
              ))}
            </nav>
            <div class="topbar-tools">
              <span id="conn" class="conn" data-conn="connecting" role="status">
                <span class="conn-dot" aria-hidden="true" />
                <span class="conn-text">{t('conn_connecting')}</span>
              </span>
              <LangSwitch lang={lang} label={t('language')} />
            </div>
          </div>
        </header>
        <main id="main" tabindex={-1}>
          {children}
        </main>
        <div id="toasts" class="toasts" role="status" aria-live="polite" />
        <dialog id="confirm" class="dialog" aria-labelledby="confirm-title" aria-describedby="confirm-body">
          <form method="dialog">
            <h2 id="confirm-title" />
            <p id="confirm-body" />
            <div class="dialog-actions">
              <button type="submit" value="no" class="btn btn-outline" id="confirm-no" autofocus />
              <button type="submit" value="yes" class="btn btn-danger" id="confirm-yes" />
            </div>
          </form>
        </dialog>
        <JsonScript id="i18n" value={messages(lang)} />
      </body>
    </html>
  );
};

/** The layout, set once; pages call `c.render(<Page/>, { title, page })`. */
export function layoutRenderer(assetVersion: string) {
  return jsxRenderer<WebEnv>(({ children, title, page }, c) => (
    <Layout c={c} title={title} page={page} assetVersion={assetVersion}>
      {children}
    </Layout>
  ));
}

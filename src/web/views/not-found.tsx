import type { Context } from 'hono';
import { html } from 'hono/html';
import type { WebEnv } from '../types.js';
import { Layout } from './layout.js';

/** The HTML 404 page, inside the normal layout. */
export function notFoundPage(c: Context<WebEnv>, assetVersion: string): Response | Promise<Response> {
  const t = c.get('t');
  return c.html(
    html`<!DOCTYPE html>${(
        <Layout c={c} title="404" page="notfound" assetVersion={assetVersion}>
          <div class="card empty">
            <h1>404</h1>
            <p>{t('not_found_page')}</p>
            <p>
              <a class="btn btn-primary" href="./">
                {t('back_home')}
              </a>
            </p>
          </div>
        </Layout>
      )}`,
    404,
  );
}

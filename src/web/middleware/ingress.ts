import type { MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { HA_LANG_COOKIE, LANG_COOKIE, pickLang, translator } from '../i18n/index.js';
import type { WebEnv } from '../types.js';

/** `/api/hassio_ingress/<token>` style prefixes only; anything else is ignored. */
function sanitizeIngressPath(value: string | undefined): string {
  if (value === undefined) return '';
  const trimmed = value.trim().replace(/\/+$/, '');
  if (!/^\/[A-Za-z0-9._~/-]*$/.test(trimmed) || trimmed.split('/').includes('..')) return '';
  return trimmed;
}

/** Sets the request's language, translator and ingress prefix (from X-Ingress-Path). */
export function ingressContext(): MiddlewareHandler<WebEnv> {
  return async function ingressContext(c, next) {
    const lang = pickLang(getCookie(c, LANG_COOKIE), c.req.header('accept-language'), getCookie(c, HA_LANG_COOKIE));
    c.set('lang', lang);
    c.set('t', translator(lang));
    c.set('ingressPath', sanitizeIngressPath(c.req.header('x-ingress-path')));
    await next();
  };
}

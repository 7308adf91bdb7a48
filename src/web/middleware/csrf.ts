import type { Context, MiddlewareHandler } from 'hono';
import { CONTROL_HEADER } from '../../contract/index.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function hostOf(origin: string): string | null {
  try {
    return new URL(origin).host.toLowerCase();
  } catch {
    return null;
  }
}

/** Why a state-changing request looks cross-site, or null when it may proceed. */
function crossSiteReason(c: Context): string | null {
  if (c.req.header(CONTROL_HEADER) !== '1') return `missing ${CONTROL_HEADER}: 1 header`;
  const site = c.req.header('sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return `cross-site request (${site})`;
  const origin = c.req.header('origin');
  if (origin !== undefined) {
    const host = hostOf(origin);
    // Behind the ingress proxy Host is the browser's host (HA forwards it); other proxies set X-Forwarded-Host.
    const allowed = [c.req.header('host'), c.req.header('x-forwarded-host')]
      .filter((h): h is string => typeof h === 'string')
      .map((h) => h.toLowerCase());
    if (host === null || !allowed.includes(host)) return `cross-origin request from ${origin}`;
  }
  return null;
}

/**
 * CSRF guard for every state-changing method: the custom header (which a browser cannot send
 * cross-site without a CORS preflight that is never granted) plus Sec-Fetch-Site / Origin checks.
 */
export function csrfGuard(): MiddlewareHandler {
  return async function csrfGuard(c, next) {
    if (!SAFE_METHODS.has(c.req.method)) {
      const reason = crossSiteReason(c);
      if (reason !== null) return c.json({ ok: false, error: `Forbidden: ${reason}` }, 403);
    }
    await next();
  };
}

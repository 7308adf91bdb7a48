import type { MiddlewareHandler } from 'hono';

/**
 * Everything the pages load comes from this server; inline scripts are refused. Styles set from
 * the script go through the CSSOM, which CSP allows, so no 'unsafe-inline' is needed.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'self'",
  // Home Assistant shows ingress panels in an iframe of its own (same) origin.
  "frame-ancestors 'self'",
].join('; ');

/** Security headers on every response. */
export function securityHeaders(): MiddlewareHandler {
  return async function securityHeaders(c, next) {
    await next();
    c.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('Referrer-Policy', 'same-origin');
    c.header('X-Frame-Options', 'SAMEORIGIN');
    c.header('Cross-Origin-Resource-Policy', 'same-origin');
    c.header('Permissions-Policy', 'camera=(), microphone=(), geolocation=()');
  };
}

import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';

/** Address of Home Assistant's ingress proxy inside the Supervisor network. */
const INGRESS_PROXY_ADDRESS = '172.30.32.2';

/** '::ffff:10.0.0.1' → '10.0.0.1'; other addresses unchanged, lower-cased. */
function normalizeAddress(address: string): string {
  const lower = address.trim().toLowerCase();
  return lower.startsWith('::ffff:') && lower.includes('.') ? lower.slice(7) : lower;
}

/** 127.0.0.0/8, ::1 and their IPv4-mapped forms. */
export function isLoopback(address: string): boolean {
  const a = normalizeAddress(address);
  if (a === '::1' || a === '0:0:0:0:0:0:0:1') return true;
  const match = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(a);
  return match !== null && match.slice(1).every((octet) => Number(octet) <= 255);
}

/** The default policy: the ingress proxy and loopback, or every peer when `allowAll`. */
export function defaultPeerPolicy(allowAll: boolean): (address: string) => boolean {
  if (allowAll) return () => true;
  return (address) => normalizeAddress(address) === INGRESS_PROXY_ADDRESS || isLoopback(address);
}

function remoteAddress(c: Context): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    // No Node socket (e.g. a request without server bindings): treated as unknown, i.e. refused.
    return undefined;
  }
}

export interface PeerGuardOptions {
  allowed: (address: string) => boolean;
}

/** Answers 403 to every peer the policy refuses, before any route runs. */
export function peerGuard(options: PeerGuardOptions): MiddlewareHandler {
  return async function peerGuard(c, next) {
    const address = remoteAddress(c);
    if (address === undefined || !options.allowed(address)) {
      return c.text('Forbidden: only the Home Assistant ingress proxy and this host may connect.\n', 403);
    }
    await next();
  };
}

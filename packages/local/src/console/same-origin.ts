// Request checks that keep other local pages out: the Host must be the console itself, and POSTs must come from it.

import type { IncomingMessage } from 'node:http';

/** The hosts the console answers to: its loopback address and `localhost`, on its port (DNS rebinding guard). */
export function allowedHosts(port: number): Set<string> {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
}

/** True when the request names the console as its Host. */
export function isAllowedHost(req: IncomingMessage, port: number): boolean {
  return allowedHosts(port).has(String(req.headers.host ?? '').toLowerCase());
}

/**
 * True when the request's Origin is the console's own: browsers send Origin on every cross-origin request and on
 * same-origin POSTs, so a missing or foreign one is refused (CSRF from another page on this machine).
 */
export function isSameOrigin(req: IncomingMessage, port: number): boolean {
  const origin = req.headers.origin;
  if (typeof origin !== 'string') return false;
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' && allowedHosts(port).has(url.host.toLowerCase());
  } catch {
    return false;
  }
}

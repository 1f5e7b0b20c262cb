// CSRF protection for POSTs: the browser's own statement of where the form came from (Sec-Fetch-Site, Origin).

import type { FastifyRequest } from 'fastify';

/**
 * Why this approach. The sign-in is a cookie the browser attaches to every request to the app, so a page on another
 * site could make the browser post a form here. A synchronizer token (an HMAC of the user's `sub`) needs a secret
 * every replica shares: a per-process secret breaks as soon as the load balancer sends the POST to the other
 * replica, and a configured secret breaks `npm start` on a fresh clone. A double-submit cookie needs no secret but
 * can be planted by a sibling subdomain or over plain HTTP unless it has the `__Host-` prefix, which the local
 * HTTP listener cannot use.
 *
 * Instead every POST must prove it is same-origin with headers that scripts and other sites cannot set (both are
 * forbidden request headers, written by the browser itself), which needs no state, so any replica can check it:
 * - `Sec-Fetch-Site` (Fetch Metadata, sent by every current browser) must be `same-origin`;
 * - `Origin`, when sent (browsers send it on every POST), must equal this app's origin: scheme from
 *   `X-Forwarded-Proto` (the ALB terminates TLS), host from `Host` (the ALB passes it through);
 * - a POST carrying neither is refused: no current browser sends such a form post.
 * This is OWASP's "verifying origin with standard headers" plus Fetch Metadata, the same rule as Go 1.25's
 * CrossOriginProtection but stricter (it lets header-less requests through). Non-browser clients cannot hold the
 * ALB's session cookie through a victim anyway.
 *
 * @returns what is wrong, or undefined when the request is same-origin
 */
export function checkSameOrigin(request: FastifyRequest): string | undefined {
  const site = request.headers['sec-fetch-site'];
  const origin = request.headers.origin;
  const expected = `${request.protocol}://${request.host}`;
  if (site !== undefined && site !== 'same-origin') return `Sec-Fetch-Site is "${String(site)}", not "same-origin"`;
  if (origin !== undefined && origin !== expected) return `Origin "${origin}" is not this app's origin ${expected}`;
  if (site === undefined && origin === undefined) return 'the request has neither Sec-Fetch-Site nor Origin';
  return undefined;
}

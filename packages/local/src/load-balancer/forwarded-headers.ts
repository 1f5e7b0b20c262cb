// The request headers a target receives: the client's, minus hop-by-hop and x-amzn-oidc-*, plus ALB's X-Forwarded-*.

import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { traceId } from './trace-id.js';

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade']);

/** Copies headers without hop-by-hop ones (those named in `Connection` too). `transfer-encoding` is handled by caller. */
export function withoutHopByHop(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const named = String(headers.connection ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  const result: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || named.includes(name)) continue;
    result[name] = value;
  }
  return result;
}

/**
 * Headers for the target. Every client-sent `x-amzn-oidc-*` header is dropped so only the load balancer can set
 * them; `x-request-id` and `host` pass through unchanged, as with ALB.
 */
export function forwardedHeaders(req: IncomingMessage, listenerPort: number): OutgoingHttpHeaders {
  const headers = withoutHopByHop(req.headers);
  for (const name of Object.keys(headers)) {
    if (name.startsWith('x-amzn-oidc-')) delete headers[name];
  }
  const clientIp = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  const priorFor = req.headers['x-forwarded-for'];
  headers['x-forwarded-for'] = priorFor ? `${priorFor}, ${clientIp}` : clientIp;
  // The local listener speaks HTTP; ALB's HTTPS listeners send 'https' here.
  headers['x-forwarded-proto'] = 'http';
  headers['x-forwarded-port'] = String(listenerPort);
  headers['x-amzn-trace-id'] = traceId(req.headers['x-amzn-trace-id'] as string | undefined);
  return headers;
}

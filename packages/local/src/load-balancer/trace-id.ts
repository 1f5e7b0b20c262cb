// X-Amzn-Trace-Id as ALB writes it: `Root=1-<8 hex epoch seconds>-<24 hex>`, or `Self=…;<client's value>`.

import { randomBytes } from 'node:crypto';

function newId(): string {
  return `1-${Math.floor(Date.now() / 1000)
    .toString(16)
    .padStart(8, '0')}-${randomBytes(12).toString('hex')}`;
}

/** A new root, or ALB's `Self=<new>;…` prefix when the client sent a well-formed trace header of its own. */
export function traceId(incoming: string | undefined): string {
  if (incoming && /(^|;)Root=1-[0-9a-f]{8}-[0-9a-f]{24}(;|$)/.test(incoming)) {
    return `Self=${newId()};${incoming.replace(/^Self=[^;]*;/, '')}`;
  }
  return `Root=${newId()}`;
}

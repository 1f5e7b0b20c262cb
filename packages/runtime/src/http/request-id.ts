// Request ids: the caller's x-request-id when it is a safe token, otherwise a new ULID made at this hop.

import { ulid } from 'ulid';

/** The header every hop reads, logs and passes on (docs/web-layer.md). */
export const REQUEST_ID_HEADER = 'x-request-id';

// A ULID is 26 characters of Crockford base32, so it passes too. Anything else (too long, spaces, quotes, control
// characters) is replaced rather than copied into log lines and response headers.
const SAFE_REQUEST_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** True for a ULID or another token of at most 64 characters of letters, digits, `-` and `_`. */
export function isValidRequestId(value: unknown): value is string {
  return typeof value === 'string' && SAFE_REQUEST_ID.test(value);
}

/** The request id to use for an incoming header value: the value when it is valid, else a new ULID. */
export function requestIdFrom(header: string | readonly string[] | undefined): string {
  const value = Array.isArray(header) ? header[0] : header;
  return isValidRequestId(value) ? value : ulid();
}

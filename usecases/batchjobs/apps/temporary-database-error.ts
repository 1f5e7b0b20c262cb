// Which database failures are temporary, so the attempt exits 75 and AWS Batch retries it.

/** SQLSTATEs worth another attempt: the server is starting, stopping or full, or the transaction lost a race. */
const TEMPORARY_SQLSTATES = new Set(['57P01', '57P02', '57P03', '53300', '40001', '40P01']);
/** Node socket errors: the server could not be reached or the connection dropped. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * True for a connection failure (refused, timed out, host not found, dropped: SQLSTATE class 08 or a socket error),
 * a server shutting down or out of connections, and serialization failures and deadlocks, looking through `cause`s.
 * Host not found counts as temporary: in AWS it is DNS during a failover far more often than a wrong name.
 */
export function isTemporaryDatabaseError(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    const { code, message } = current as { code?: unknown; message?: unknown };
    if (
      typeof code === 'string' &&
      (TEMPORARY_SQLSTATES.has(code) || code.startsWith('08') || NETWORK_CODES.has(code))
    ) {
      return true;
    }
    if (typeof message === 'string' && /Connection terminated|timeout expired/i.test(message)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

// Fetches JWKS documents and ALB public keys for aws-jwt-verify over http or https (its own fetcher is https-only).

import type { Fetcher } from 'aws-jwt-verify/https';

export interface KeyFetcherOptions {
  /** Milliseconds a key download may take. @default 3000 */
  readonly timeoutMs?: number;
}

/**
 * In AWS the key URLs are https (Cognito JWKS, public-keys.auth.elb); locally they are the runner's loopback http
 * endpoints. One fetcher serves both, so the verification code is the same in both runtimes.
 */
export function createKeyFetcher(options: KeyFetcherOptions = {}): Fetcher {
  const timeoutMs = options.timeoutMs ?? 3000;
  return {
    async fetch(uri: string): Promise<ArrayBuffer> {
      const response = await fetch(uri, { signal: AbortSignal.timeout(timeoutMs) });
      if (response.status !== 200) throw new Error(`GET ${uri} answered ${response.status}, expected 200`);
      return response.arrayBuffer();
    },
  };
}

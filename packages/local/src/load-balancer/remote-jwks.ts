// The JWKS of a jwt-validation action: fetched with ALB's limits (150 KB, 10 keys), cached, refetched on unknown kid.

import { createRemoteJWKSet, customFetch, type FetchImplementation, type JWTVerifyGetKey } from 'jose';

const MAX_JWKS_BYTES = 150 * 1024;
const MAX_JWKS_KEYS = 10;

/** Rejects a JWKS over ALB's limits, so a configuration that ALB would refuse fails locally too. */
const limitedFetch: FetchImplementation = async (url, options) => {
  const response = await fetch(url, options);
  if (response.status !== 200) return response;
  const body = await response.arrayBuffer();
  if (body.byteLength > MAX_JWKS_BYTES) {
    throw new Error(`JWKS at ${url} is ${body.byteLength} bytes; ALB accepts at most ${MAX_JWKS_BYTES}.`);
  }
  const keys = (JSON.parse(Buffer.from(body).toString('utf8')) as { keys?: unknown }).keys;
  if (Array.isArray(keys) && keys.length > MAX_JWKS_KEYS) {
    throw new Error(`JWKS at ${url} has ${keys.length} keys; ALB accepts at most ${MAX_JWKS_KEYS}.`);
  }
  return new Response(body, { status: 200, headers: response.headers });
};

/**
 * Keys are cached for 10 minutes; a token whose kid is unknown triggers a refetch at most once per 30 s
 * (jose's cooldown), so a flood of bad kids cannot hammer the IdP.
 */
export function remoteJwks(jwksEndpoint: string): JWTVerifyGetKey {
  return createRemoteJWKSet(new URL(jwksEndpoint), {
    cacheMaxAge: 600_000,
    cooldownDuration: 30_000,
    timeoutDuration: 5_000,
    [customFetch]: limitedFetch,
  });
}

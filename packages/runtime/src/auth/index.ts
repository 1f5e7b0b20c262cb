// Auth helpers for apps: verify access tokens (webapi) and the load balancer's identity header (webapp).

export {
  type AlbIdentity,
  type AlbIdentityVerifier,
  type AlbIdentityVerifierOptions,
  createAlbIdentityVerifier,
} from './alb-identity-verifier.js';
export {
  type AccessTokenClaims,
  type AccessTokenVerifier,
  type AccessTokenVerifierOptions,
  bearerToken,
  createAccessTokenVerifier,
  IAT_TOLERANCE_SECONDS,
  requireScope,
} from './access-token-verifier.js';
export { AuthError, type AuthErrorCode } from './auth-error.js';
export { createKeyFetcher, type KeyFetcherOptions } from './key-fetcher.js';

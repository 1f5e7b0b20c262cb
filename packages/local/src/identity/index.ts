// Public API of the local identity provider (Cognito user pool stand-in).

export {
  ACCESS_TOKEN_AUDIENCE,
  type IdentityProvider,
  type IdentityProviderOptions,
  startIdentityProvider,
  userSub,
} from './identity-provider.js';
export {
  type IdentityClient,
  type IdentityConfig,
  IdentityConfigError,
  type IdentityUser,
  loadIdentityConfig,
  parseIdentityConfig,
} from './load-identity-config.js';
export { OAuthError } from './oauth-error.js';
export { loadSigningKey, publicJwk, type SigningJwk } from './signing-key.js';

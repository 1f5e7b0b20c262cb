// An OAuth 2.0 error answer (`{ error, error_description }`) raised to a programmatic caller of the identity provider.

export class OAuthError extends Error {
  override readonly name = 'OAuthError';
  constructor(
    /** The OAuth error code, e.g. `invalid_client`, `invalid_scope`. */
    readonly code: string,
    readonly status: number,
    description: string,
  ) {
    super(`${code}: ${description}`);
  }
}
